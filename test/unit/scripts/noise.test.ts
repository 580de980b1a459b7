/**
 * `npm run noise` (scripts/noise.mjs): per rule of the registry its default mode, its findings on events/ and the
 * fixtures, and on how many applicable compliant samples it fires; a diff against a baseline lists new findings.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../../shared/rules/registry';
import { REPO_ROOT } from '../../helpers/fixtures';

interface NoiseRule {
  ruleId: string;
  mode: string;
  findings: number;
  applicable: number;
  fired: number;
  noisy: boolean;
}
interface Noise {
  compliantSamples: number;
  rules: NoiseRule[];
  findings: { input: string; ruleId: string; resource: string }[];
}

const dir = mkdtempSync(join(tmpdir(), 'noise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function noise(args: string[]): { out: string; code: number } {
  try {
    return {
      out: execFileSync('node', ['scripts/noise.mjs', ...args], { cwd: REPO_ROOT, encoding: 'utf8' }),
      code: 0,
    };
  } catch (err) {
    const e = err as { stdout: string; status: number };
    return { out: e.stdout, code: e.status };
  }
}

describe('npm run noise', () => {
  const file = join(dir, 'now.json');
  let now: Noise;

  it('lists every rule of the registry with its findings and compliant samples; none is noisy today', () => {
    const r = noise(['--samples', '300', '--json', file]);
    now = JSON.parse(readFileSync(file, 'utf8')) as Noise;
    expect(now.rules.map((x) => x.ruleId)).toEqual(RULES.map((x) => x.id));
    expect(now.compliantSamples).toBeGreaterThan(7);
    expect(now.findings.length).toBeGreaterThan(10);
    for (const x of now.rules) expect(x.fired).toBeLessThanOrEqual(x.applicable);
    expect(r.code).toBe(now.rules.some((x) => x.noisy) ? 1 : 0);
    expect(r.out).toMatch(/^RULE\s+MODE\s+FINDINGS\s+COMPLIANT SAMPLES FIRED$/m);
  });

  it('against a baseline lists each new finding and each changed rule', () => {
    // A baseline without the findings of one rule: they show as new.
    const gone = now.rules.find((x) => x.findings > 0)!;
    const base: Noise = {
      ...now,
      rules: now.rules.map((x) => (x.ruleId === gone.ruleId ? { ...x, findings: 0 } : x)),
      findings: now.findings.filter((f) => f.ruleId !== gone.ruleId),
    };
    writeFileSync(join(dir, 'base.json'), JSON.stringify(base));
    const r = noise(['--samples', '300', '--baseline', join(dir, 'base.json')]);
    const added = now.findings.filter((f) => f.ruleId === gone.ruleId);
    expect(r.out).toContain(`Against the baseline: ${added.length} new finding(s), 0 gone`);
    for (const f of added) expect(r.out).toContain(`+ ${f.ruleId} `);
    expect(r.out).toContain(`${gone.ruleId}: findings 0 -> ${gone.findings}`);
  });
});
