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

  it('gives the two fresh-machine commands that .ci/run runs', () => {
    const ci = readFileSync('.ci/run', 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm test$/m);
    expect(ci).toMatch(/^npm start$/m);
  });
});
