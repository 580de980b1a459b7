/**
 * The curated sample set in events/ (what `npm start` evaluates): every recorded rule fires at least
 * once, the compliant examples fire nothing, and no input is invalid (npm start exits 0). "Recorded" is
 * the rule list of test/golden/findings.json: a rule just added (CONTRIBUTING.md) is covered by its own
 * test until `npm run golden` records it; from then on it needs a sample here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInputs } from '../../cli/inputs';
import { evaluateItem } from '../../cli/evaluate-item';
import type { EventResult } from '../../shared/engine/run';
import { MemoryWindowCounter } from '../../shared/engine/windows';
import type { Finding } from '../../shared/model/finding';
import { DEFAULT_POLICY, parsePolicy } from '../../shared/policy/load';
import type { Policy } from '../../shared/policy/types';
import { RULES } from '../../shared/rules/registry';
import type { Golden } from '../golden/corpus';

const EVENTS_DIR = join(__dirname, '..', '..', 'events');
const RECORDED = new Set(
  (JSON.parse(readFileSync(join(__dirname, '..', 'golden', 'findings.json'), 'utf8')) as Golden).rules,
);

interface Evaluated {
  /** Path relative to events/, e.g. `compliant/x.json`. */
  readonly file: string;
  readonly label: string;
  readonly result?: EventResult;
  readonly error?: string;
}

/**
 * Rules the default policy leaves inactive (their own default mode `off`, or a parameter whose default
 * turns them off), with the policy entry that activates them: they must fire on events/ once activated.
 */
const ACTIVATED: Readonly<Record<string, unknown>> = {
  'ops-change-outside-pipeline': {
    mode: 'notify',
    params: { allowPrincipals: ['arn:aws:sts::111122223333:assumed-role/deploy-pipeline/*'] },
  },
};
const activatingPolicy = (): Policy =>
  parsePolicy(
    JSON.stringify({
      version: 1,
      rules: Object.fromEntries(
        RULES.map((r) => [
          r.id,
          ACTIVATED[r.id] ?? (r.defaultMode === 'off' ? { mode: 'notify' } : undefined),
        ]).filter(([, v]) => v !== undefined),
      ),
    }),
  );

/** Evaluate like `guardrail evaluate <paths>`: same input reader, default policy, one window counter. */
async function evaluatePaths(
  paths: readonly string[],
  policy: Policy = DEFAULT_POLICY,
): Promise<Evaluated[]> {
  const deps = { policy, counter: new MemoryWindowCounter() };
  const out: Evaluated[] = [];
  for await (const item of readInputs(paths, () => Buffer.alloc(0))) {
    const file = relative(EVENTS_DIR, item.label.replace(/(:\d+|\[\d+\]|:Records\[\d+\])$/, ''));
    if ('error' in item) {
      out.push({ file, label: item.label, error: item.error });
      continue;
    }
    try {
      out.push({ file, label: item.label, result: await evaluateItem(item, deps) });
    } catch (err) {
      out.push({ file, label: item.label, error: (err as Error).message });
    }
  }
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [relative(EVENTS_DIR, join(dir, e.name))],
  );
}

const findingsOf = (list: readonly Evaluated[]): Finding[] => list.flatMap((e) => e.result?.findings ?? []);

describe('events/ (npm start)', () => {
  let all: Evaluated[];
  beforeAll(async () => {
    all = await evaluatePaths([EVENTS_DIR]);
  });

  it('every input is a valid event (npm start exits 0)', () => {
    expect(all.filter((e) => e.error).map((e) => `${e.label}: ${e.error}`)).toEqual([]);
    expect(all.length).toBeGreaterThan(20);
  });

  it('every recorded rule of the registry fires at least once (a rule inactive by default, once activated)', async () => {
    const activated = await evaluatePaths([EVENTS_DIR], activatingPolicy());
    const inactive = new Set(
      RULES.filter((r) => r.defaultMode === 'off' || r.id in ACTIVATED).map((r) => r.id),
    );
    const fired = new Set([
      ...findingsOf(all).map((f) => f.ruleId),
      ...findingsOf(activated)
        .map((f) => f.ruleId)
        .filter((id) => inactive.has(id)),
    ]);
    // npm start runs without --enrich: rules that read only what enrichment fetches (IAM, EC2) cannot
    // fire there; their own tests and the moto integration tests cover them.
    const needsEnrichment = new Set(['td-task-role-wildcard', 'sg-world-open-admin-port']);
    // Read only by the sweep (the GuardDuty detector): no event carries it; test/integration/guardduty-detector.test.ts.
    const sweepOnly = new Set(['account-ecs-runtime-monitoring-off']);
    // A rule on what runs needs the running inventory of the deployment (docs/running.md): no single
    // event shows it; its pipeline and moto integration tests cover it.
    const needsInventory = new Set(['image-vulnerable-running']);
    const recorded = RULES.map((r) => r.id).filter(
      (id) => RECORDED.has(id) && !needsEnrichment.has(id) && !needsInventory.has(id) && !sweepOnly.has(id),
    );
    expect(recorded.length).toBeGreaterThan(20);
    expect(recorded.filter((id) => !fired.has(id))).toEqual([]);
  });

  it('every file under events/compliant/ produces zero findings, in the full run and on its own', async () => {
    const compliant = listFiles(join(EVENTS_DIR, 'compliant'));
    expect(compliant.length).toBeGreaterThanOrEqual(5);
    expect(findingsOf(all.filter((e) => e.file.startsWith('compliant/')))).toEqual([]);
    for (const file of compliant) {
      const alone = await evaluatePaths([join(EVENTS_DIR, file)]);
      expect(alone.length, file).toBeGreaterThan(0);
      expect(
        alone.filter((e) => e.error),
        file,
      ).toEqual([]);
      expect(findingsOf(alone), file).toEqual([]);
      expect(
        alone.filter((e) => e.result?.incomplete),
        `${file} must not be incomplete`,
      ).toEqual([]);
    }
  });

  it('every non-compliant example at the top level fires something on its own', async () => {
    const top = listFiles(EVENTS_DIR).filter((f) => !f.includes('/') && f !== 'README.md');
    for (const file of top) {
      const alone = await evaluatePaths([join(EVENTS_DIR, file)]);
      expect(findingsOf(alone).length, file).toBeGreaterThan(0);
    }
  });

  it('the edge cases are evaluated without findings; the truncated registration is reported incomplete', () => {
    const edge = all.filter((e) => e.file.startsWith('edge-cases/'));
    expect(edge.length).toBeGreaterThan(0);
    expect(findingsOf(edge)).toEqual([]);
    expect(edge.filter((e) => e.result?.incomplete).map((e) => e.file)).toEqual([
      'edge-cases/cloudtrail-register-task-definition-truncated-omitted.json',
    ]);
  });

  it('the throttled burst reaches the throttle-api-calls threshold exactly once', () => {
    const burst = all.filter((e) => e.file === 'cloudtrail-throttled-describe-services-burst.jsonl');
    expect(burst.length).toBeGreaterThanOrEqual(10);
    const findings = findingsOf(burst);
    expect(findings.every((f) => f.ruleId === 'throttle-api-calls')).toBe(true);
    expect(findings.filter((f) => f.aggregate?.crossed)).toHaveLength(1);
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(1);
  });

  it('no finding carries the example credentials of the secret example', () => {
    const json = JSON.stringify(findingsOf(all));
    for (const secret of [
      'AKIAIOSFODNN7EXAMPLE',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'IOSFODNN7',
      'bPxRfiCY',
    ])
      expect(json).not.toContain(secret);
    expect(findingsOf(all).some((f) => f.ruleId === 'td-secrets-in-environment')).toBe(true);
  });

  it('the set stays small, and README.md lists every file', () => {
    const files = listFiles(EVENTS_DIR).filter((f) => f !== 'README.md');
    expect(files.length).toBeLessThanOrEqual(40);
    const readme = readFileSync(join(EVENTS_DIR, 'README.md'), 'utf8');
    for (const file of files) expect(readme, file).toContain(file.split('/').at(-1)!);
  });
});
