/**
 * Golden expectations: on every corpus input the engine finds exactly what test/golden/findings.json
 * records (`npm run golden` writes it). A rule added after the last recording is not compared until
 * `npm run golden` records it (CONTRIBUTING.md); its own test file covers it meanwhile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles, goldenOf, type Golden } from '../golden/corpus';

const recorded = JSON.parse(readFileSync(join(__dirname, '..', 'golden', 'findings.json'), 'utf8')) as Golden;

/** Findings of recorded rules only; errors as they are. */
function comparable(g: Golden): Golden['inputs'] {
  const known = new Set(recorded.rules);
  return Object.fromEntries(
    Object.entries(g.inputs).map(([label, v]) => [
      label,
      Array.isArray(v) ? v.filter((f) => known.has(f.ruleId)) : v,
    ]),
  );
}

describe('golden findings (test/golden/findings.json)', () => {
  let now: Golden;
  beforeAll(async () => {
    now = await goldenOf();
  }, 60_000);

  it('covers every corpus input, and only those', () => {
    expect(corpusFiles().length).toBeGreaterThan(40);
    expect(Object.keys(now.inputs).sort()).toEqual(Object.keys(recorded.inputs).sort());
  });

  it('the engine finds on each input exactly what was recorded (run `npm run golden` to re-record)', () => {
    const actual = comparable(now);
    for (const [label, expected] of Object.entries(recorded.inputs))
      expect(actual[label], label).toEqual(expected);
  });

  it('every recorded rule still exists', () => {
    expect(recorded.rules.filter((id) => !now.rules.includes(id))).toEqual([]);
  });
});
