/**
 * No input crashes the engine: every mutated sample event is either evaluated (findings keep the
 * contract) or rejected with InvalidEventError; never another exception, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/events/errors';
import { apiThrottle, ecsThrottle, fixture, okContainer, registerTd, type Json } from '../engine/builders';
import { deep, evaluateOrReject, mutatedSample, SAMPLES, setAt } from './mutate';

const FC = {
  timeout: 5_000,
  interruptAfterTimeLimit: Number(process.env.GUARDRAIL_FUZZ_MS ?? 25_000),
} as const;
/** GUARDRAIL_FUZZ_RUNS=20000 for a deeper local run; the suite default stays fast. */
const RUNS = Number(process.env.GUARDRAIL_FUZZ_RUNS ?? 400);

describe('mutated sample events', () => {
  it('every sample is evaluated as it is', async () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(30);
    for (const s of SAMPLES) expect((await evaluateOrReject(s.value)).ok, s.name).toBe(true);
  });

  it('drop, retype, replace, truncate, multiply and nest fields: evaluated or InvalidEventError', async () => {
    let rejected = 0;
    let evaluated = 0;
    await fc.assert(
      fc.asyncProperty(mutatedSample, async ({ event }) => {
        const out = await evaluateOrReject(event);
        if (out.ok) evaluated++;
        else rejected++;
      }),
      { numRuns: RUNS, ...FC },
    );
    // Both outcomes occur: the mutations reach fields the schemas read and fields nobody reads.
    expect(rejected).toBeGreaterThan(20);
    expect(evaluated).toBeGreaterThan(20);
  }, 60_000);

  it('any JSON value at all: evaluated or InvalidEventError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => {
        await evaluateOrReject(v);
      }),
      { numRuns: Math.ceil(RUNS / 2), ...FC },
    );
  });

  it('an envelope of each kind with an arbitrary detail: evaluated or InvalidEventError', async () => {
    const kinds = [
      ...new Set(SAMPLES.map((s) => (s.value as Record<string, Json>)['detail-type'] as string)),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...kinds),
        fc.dictionary(
          fc.constantFrom(
            'taskArn',
            'eventName',
            'eventSource',
            'eventID',
            'errorCode',
            'requestParameters',
            'responseElements',
            'attachments',
            'attributes',
            'containerInstanceArn',
            'userIdentity',
            'enableExecuteCommand',
            'reason',
          ),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        async (detailType, detail) => {
          await evaluateOrReject({
            ...fixture('ecs-service-action-steady-state.json'),
            'detail-type': detailType,
            detail,
          });
        },
      ),
      { numRuns: Math.ceil((RUNS * 3) / 4), ...FC },
    );
  });
});

describe('huge, deep and strange inputs', () => {
  it('10,000 containers: one finding per rule, its evidence bounded (the first entries and a count of the rest)', async () => {
    const containers = Array.from({ length: 10_000 }, (_, i) =>
      okContainer(`c${i}`, { privileged: i % 2 === 0 }),
    );
    const out = await evaluateOrReject(registerTd({ containers }));
    expect(out.ok).toBe(true);
    const findings = (
      JSON.parse((out as { json: string }).json) as { findings: { ruleId: string; evidence: unknown[] }[] }
    ).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]!.ruleId).toBe('td-privileged');
    // Issue 15: the evidence is capped so the finding always fits SNS and DynamoDB; the last entry counts.
    const evidence = findings[0]!.evidence as { message: string }[];
    expect(evidence).toHaveLength(25);
    expect(evidence[0]!.message).toBe('container "c0" is privileged');
    expect(evidence[24]!.message).toBe('… and 4,976 more (5,000 in all)');
  });

  it('10,000 attachments, tasks, environment entries, attributes and resources', async () => {
    const N = 10_000;
    const task = fixture('ecs-task-state-change-running-awsvpc.json');
    const attachment = ((task.detail as Record<string, Json[]>).attachments ?? [])[0] ?? { type: 'eni' };
    (task.detail as Record<string, Json>).attachments = Array.from({ length: N }, () => attachment);
    expect((await evaluateOrReject(task)).ok).toBe(true);

    const runTask = fixture('cloudtrail-run-task-public-ip-with-overrides.json');
    const resp = (runTask.detail as Record<string, Record<string, Json[]>>).responseElements!;
    const t0 = resp.tasks![0] as Record<string, Json>;
    resp.tasks = Array.from({ length: N }, (_, i) => ({ ...t0, taskArn: `${String(t0.taskArn)}${i}` }));
    const run = await evaluateOrReject(runTask);
    expect(run.ok).toBe(true);

    const env = Array.from({ length: N }, (_, i) => ({ name: `VAR_${i}`, value: `value-${i}` }));
    expect(
      (await evaluateOrReject(registerTd({ containers: [okContainer('a', { environment: env })] }))).ok,
    ).toBe(true);

    const ci = fixture('ecs-container-instance-state-change-active.json');
    (ci.detail as Record<string, Json>).attributes = Array.from({ length: N }, (_, i) => ({
      name: `attr.${i}`,
    }));
    expect((await evaluateOrReject(ci)).ok).toBe(true);

    const many = {
      ...ecsThrottle('2026-03-02T08:00:00Z'),
      resources: Array.from({ length: N }, (_, i) => `arn:${i}`),
    };
    expect((await evaluateOrReject(many)).ok).toBe(true);
  });

  it('10,000 levels of nesting wherever they are put', async () => {
    const base = registerTd({ containers: [okContainer('a', { privileged: true })] });
    const places = [
      ['detail', 'someFutureField'],
      ['detail', 'requestParameters'],
      ['detail', 'requestParameters', 'containerDefinitions'],
      ['detail', 'requestParameters', 'containerDefinitions', 0, 'linuxParameters'],
      ['detail', 'requestParameters', 'containerDefinitions', 0, 'environment'],
      ['detail', 'responseElements'],
      ['detail', 'userIdentity'],
      ['detail'],
      [],
    ];
    for (const place of places)
      for (const shape of ['array', 'object'] as const) {
        const ev = setAt(structuredClone(base), place, deep(10_000, shape));
        await evaluateOrReject(ev);
      }
  });

  it('unicode everywhere: names, values, tags, ids', async () => {
    const weird = [
      '🛡️ ‮gnirts',
      'ｆｕｌｌｗｉｄｔｈ',
      'a\u0000b',
      '\ud83d',
      'é'.normalize('NFD'),
      '\u200b',
      'ℌ𝔢𝔩𝔩𝔬',
    ];
    for (const w of weird) {
      const td = registerTd({
        family: `fam-${w}`,
        containers: [
          okContainer(w, { privileged: true, environment: [{ name: `${w}_TOKEN`, value: `${w}${w}${w}x` }] }),
        ],
        tags: { [w]: w, 'guardrail:exempt': `${w} td-root-user@${w}` },
      });
      const out = await evaluateOrReject(td);
      expect(out.ok).toBe(true);
      expect(() => JSON.parse((out as { json: string }).json) as unknown).not.toThrow();
    }
  });

  it('times at the edges of the Date range never crash the window arithmetic', async () => {
    const times = [
      '+275760-09-13T00:00:00Z',
      '+275760-09-12T23:59:59Z',
      '-271821-04-20T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '9999-12-31T23:59:59-14:00',
      '0000-01-01T00:00:00+14:00',
      '1970-01-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
    ];
    for (const t of times) {
      for (const ev of [ecsThrottle(t), ...Array.from({ length: 10 }, () => apiThrottle(t))]) {
        const out = await evaluateOrReject(ev);
        if (!out.ok) expect(out.error.path).toMatch(/^(time|detail\.eventTime)$/);
      }
    }
  });

  it('keys like __proto__ and constructor neither crash nor pollute prototypes', async () => {
    const text = JSON.stringify(
      registerTd({
        containers: [okContainer('a', { privileged: true, environment: [{ name: 'X', value: 'y' }] })],
        tags: { __proto__: 'x', constructor: 'y', 'guardrail:protect': 'true' },
      }),
    ).replace(
      '"detail":{',
      '"detail":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},',
    );
    const out = await evaluateOrReject(JSON.parse(text));
    expect(out.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('InvalidEventError is the only rejection, and it names the field path', async () => {
    const bad = registerTd({ containers: [okContainer('a', { privileged: 'yes' as unknown as boolean })] });
    await expect(evaluateOrReject(bad)).resolves.toMatchObject({ ok: false });
    const out = await evaluateOrReject(bad);
    const err = (out as { error: InvalidEventError }).error;
    expect(err).toBeInstanceOf(InvalidEventError);
    expect(err.path).toBe('detail.requestParameters.containerDefinitions.0.privileged');
    expect(err.problem).toBe('expected boolean, got string');
  });
});
