/**
 * The CI docs stay true: the README's exit-code list ("The CLI", the one list; "Use it in CI" links to it) has
 * exactly the codes `guardrail --help` names, and the commands of docs/ci.md and the README name only options the CLI has.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../cli/memory-io';

const readme = readFileSync('README.md', 'utf8');
const ci = readFileSync('docs/ci.md', 'utf8');

const section = (text: string, heading: string): string => {
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
};

describe('Use it in CI', () => {
  it('the exit-code list names the codes `guardrail --help` names, no more, no fewer', async () => {
    const help = (await run(['--help'])).stdout;
    // The paragraph that starts with "Exit codes:", up to the next blank line (it may wrap).
    const start = help.indexOf('\nExit codes:');
    expect(start).toBeGreaterThan(-1);
    const end = help.indexOf('\n\n', start + 1);
    const paragraph = help.slice(start, end === -1 ? undefined : end);
    const fromHelp = [...paragraph.matchAll(/(?:^|[:,] )(\d) /g)].map((m) => Number(m[1]));
    // The one list, under "The CLI": one "- `N`: meaning" line per code.
    const table = [...section(readme, 'The CLI').matchAll(/^- `(\d+)`:/gm)].map((m) => Number(m[1]));
    expect(table.length).toBeGreaterThan(3);
    expect(table).toEqual([...new Set(fromHelp)].sort((a, b) => a - b));
  });

  it('every `guardrail evaluate` option in the CI docs is one the CLI accepts', async () => {
    const help = (await run(['--help'])).stdout;
    const options = new Set(
      [...(section(readme, 'Use it in CI') + ci).matchAll(/guardrail evaluate ([^\n`]*)/g)].flatMap((m) =>
        [...m[1]!.matchAll(/(?:^|\s)(--[a-z-]+)/g)].map((o) => o[1]!),
      ),
    );
    expect(options.size).toBeGreaterThan(2);
    for (const o of options) expect(help, o).toContain(o);
  });
});
