import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withRuleTable } from '../../../scripts/docs/rule-table';
import { RULES } from '../../../shared/rules/registry';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('carries the rule table generated from the registry (run `npm run docs` after changing a rule)', () => {
    expect(withRuleTable(readme, RULES)).toBe(readme);
  });

  it('lists every rule id of the registry', () => {
    for (const r of RULES) expect(readme).toContain(`\`${r.id}\``);
  });

  // Issue 12: .ci/run runs exactly the README's commands and installs nothing of its own.
  it('gives the two fresh-machine commands that .ci/run runs, verbatim, with no hidden install step', () => {
    const ci = readFileSync('.ci/run', 'utf8');
    expect(readme).toContain('```sh\nnpm ci && npm start\n```');
    expect(readme).toContain('```sh\nnpm ci && npm test\n```');
    expect(ci).toMatch(/^npm ci && npm test$/m);
    expect(ci).toMatch(/^npm ci && npm start$/m);
    const commands = ci
      .split('\n')
      .filter((l) => l.trim() && !/^\s*#/.test(l) && !/^(set|cd|echo|command -v)\b/.test(l.trim()));
    expect(commands).toEqual([
      'npm ci && npm test',
      'npm run typecheck',
      'npm run lint',
      'npm run format:check',
      'npm ci && npm start',
    ]);
    for (const c of commands.filter((x) => x.startsWith('npm run ')))
      expect(readme, c).toContain(c.replace('npm run ', '`npm run '));
    expect(ci).not.toMatch(/apt-get|pip install|brew|curl|wget/);
  });
});
