/** Throttle aggregation: tumbling windows by EVENT time, thresholds, `crossed`, escalation. */
import { describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter, windowStart } from '../../../shared/engine/windows';
import type { Finding } from '../../../shared/model/finding';
import type { Policy } from '../../../shared/policy/types';
import { apiThrottle, byRule, deps, ecsThrottle, policyOf, serviceArn } from './builders';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();
const MIN = 60_000;

/** Feed events through one engine (one counter) and return each event's findings of `rule`. */
async function feed(events: unknown[], rule: string, policy?: Policy): Promise<(Finding | undefined)[]> {
  const d = deps(policy);
  const out: (Finding | undefined)[] = [];
  for (const e of events) {
    const hits = byRule((await evaluateRaw(e, d)).findings, rule);
    expect(hits.length).toBeLessThanOrEqual(1);
    out.push(hits[0]);
  }
  return out;
}

describe('windowStart and MemoryWindowCounter', () => {
  it('windows are tumbling and aligned to the epoch', () => {
    expect(windowStart(T0, 15 * MIN)).toBe(T0);
    expect(windowStart(T0 + 15 * MIN - 1, 15 * MIN)).toBe(T0);
    expect(windowStart(T0 + 15 * MIN, 15 * MIN)).toBe(T0 + 15 * MIN);
    expect(windowStart(T0 + 7 * MIN, 5 * MIN)).toBe(T0 + 5 * MIN);
  });

  it('counts per key and window', () => {
    const c = new MemoryWindowCounter();
    expect(c.increment('a', 0)).toBe(1);
    expect(c.increment('a', 0)).toBe(2);
    expect(c.increment('a', 300_000)).toBe(1);
    expect(c.increment('b', 0)).toBe(1);
    expect(c.increment('a', 0)).toBe(3);
  });
});

describe('throttle-ecs-operation', () => {
  it('fires on the first event of a 15-minute window; later events only raise its count', async () => {
    const out = await feed(
      [
        ecsThrottle(at(MIN)),
        ecsThrottle(at(5 * MIN)),
        ecsThrottle(at(15 * MIN - 1)),
        ecsThrottle(at(15 * MIN)),
      ],
      'throttle-ecs-operation',
    );
    expect(out.map((f) => f?.aggregate?.count)).toEqual([1, 2, 3, 1]);
    expect(out.map((f) => f?.aggregate?.crossed)).toEqual([true, false, false, true]);
    expect(out[0]!.aggregate).toMatchObject({
      windowStart: '2026-03-02T08:00:00.000Z',
      windowEnd: '2026-03-02T08:15:00.000Z',
    });
    expect(out[3]!.aggregate!.windowStart).toBe('2026-03-02T08:15:00.000Z');
    expect(out[0]!.findingId).toBe(out[2]!.findingId);
    expect(out[3]!.findingId).not.toBe(out[0]!.findingId);
    expect(out[0]!.severity).toBe('medium');
    expect(out[0]!.resource).toEqual({ type: 'AWS::ECS::Service', arn: serviceArn('checkout-api') });
  });

  it('counts each service and event name separately', async () => {
    const d = deps();
    const counts: number[] = [];
    for (const e of [
      ecsThrottle(at(0)),
      ecsThrottle(at(0), { eventName: 'SERVICE_DISCOVERY_OPERATION_THROTTLED' }),
      ecsThrottle(at(0), { service: serviceArn('payments') }),
      ecsThrottle(at(MIN)),
    ])
      counts.push(byRule((await evaluateRaw(e, d)).findings, 'throttle-ecs-operation')[0]!.aggregate!.count);
    expect(counts).toEqual([1, 1, 1, 2]);
  });

  it('uses the window length of the policy', async () => {
    const policy = policyOf('rules:\n  throttle-ecs-operation:\n    params: { windowMinutes: 60 }\n');
    const out = await feed(
      [ecsThrottle(at(0)), ecsThrottle(at(59 * MIN)), ecsThrottle(at(60 * MIN))],
      'throttle-ecs-operation',
      policy,
    );
    expect(out.map((f) => [f!.aggregate!.count, f!.aggregate!.crossed])).toEqual([
      [1, true],
      [2, false],
      [1, true],
    ]);
    expect(out[0]!.aggregate!.windowEnd).toBe('2026-03-02T09:00:00.000Z');
  });
});

describe('throttle-api-calls', () => {
  it('fires at exactly 10 in 5 minutes, crosses once at 10 and once at 100, high from 100', async () => {
    const events = Array.from({ length: 150 }, (_, i) => apiThrottle(at(i * 1000)));
    // 150 events over 150 s: all in the 08:00-08:05 window.
    const out = await feed(events, 'throttle-api-calls');
    expect(out.slice(0, 9)).toEqual(Array(9).fill(undefined));
    expect(out[9]!.aggregate).toMatchObject({ count: 10, crossed: true });
    expect(out[9]!.severity).toBe('medium');
    expect(out.slice(9).map((f) => f!.aggregate!.count)).toEqual(
      Array.from({ length: 141 }, (_, i) => i + 10),
    );
    const crossed = out.filter((f) => f?.aggregate?.crossed).map((f) => f!.aggregate!.count);
    expect(crossed).toEqual([10, 100]);
    expect(out[98]!.severity).toBe('medium');
    expect(out[99]!.severity).toBe('high');
    expect(out[149]!.severity).toBe('high');
    expect(new Set(out.slice(9).map((f) => f!.findingId)).size).toBe(1);
    const f = out[9]!;
    expect(f.resource).toMatchObject({
      type: 'AWS::IAM::Principal',
      arn: 'arn:aws:iam::111122223333:role/deployer',
      name: 'ecs.amazonaws.com DescribeServices',
    });
    expect(f.evidence[0]!.message).toContain('ThrottlingException');
    expect(f.advice).toContain('exponential backoff');
  });

  it('does not fire for 9 events in a window, nor for 10 split across two windows', async () => {
    expect(
      (
        await feed(
          Array.from({ length: 9 }, (_, i) => apiThrottle(at(i * 1000))),
          'throttle-api-calls',
        )
      ).every((f) => !f),
    ).toBe(true);
    const split = [
      ...Array.from({ length: 5 }, () => apiThrottle(at(5 * MIN - 1))),
      ...Array.from({ length: 5 }, () => apiThrottle(at(5 * MIN))),
    ];
    expect((await feed(split, 'throttle-api-calls')).every((f) => !f)).toBe(true);
  });

  it('counts every throttling code under one key; other error codes not at all', async () => {
    const codes = [
      'ThrottlingException',
      'Throttling',
      'ThrottledException',
      'RequestLimitExceeded',
      'Client.RequestLimitExceeded',
      'TooManyRequestsException',
      'RequestThrottled',
      'RequestThrottledException',
      'SlowDown',
      'AccessDenied',
      'ThrottlingException',
    ];
    const out = await feed(
      codes.map((errorCode) => apiThrottle(at(0), { errorCode })),
      'throttle-api-calls',
    );
    expect(out.map((f) => f?.aggregate?.count)).toEqual([...Array(9).fill(undefined), undefined, 10]);
  });

  it('keys by event source, API and caller', async () => {
    const mixed = Array.from({ length: 30 }, (_, i) =>
      apiThrottle(at(i * 1000), {
        role: i % 3 === 0 ? 'a' : 'b',
        eventName: i % 2 ? 'ListTasks' : 'RunTask',
      }),
    );
    // 4 keys: (a, RunTask) 5, (a, ListTasks) 5, (b, RunTask) 10, (b, ListTasks) 10.
    const fired = (await feed(mixed, 'throttle-api-calls')).filter((f) => f?.aggregate?.crossed);
    expect(fired.map((f) => f!.resource.arn)).toEqual([
      'arn:aws:iam::111122223333:role/b',
      'arn:aws:iam::111122223333:role/b',
    ]);
    expect(new Set(fired.map((f) => f!.resource.name))).toEqual(
      new Set(['ecs.amazonaws.com RunTask', 'ecs.amazonaws.com ListTasks']),
    );
  });

  it('windows by EVENT time: out-of-order and late events count in their own window', async () => {
    // Window A = 08:00-08:05 gets 10 events, window B = 08:05-08:10 gets 9; delivered interleaved and reversed.
    const a = Array.from({ length: 10 }, (_, i) => apiThrottle(at(i * 20_000)));
    const b = Array.from({ length: 9 }, (_, i) => apiThrottle(at(5 * MIN + i * 20_000)));
    const order = [
      b[8],
      a[9],
      b[7],
      a[8],
      b[6],
      a[7],
      b[5],
      a[6],
      b[4],
      a[5],
      b[3],
      a[4],
      b[2],
      a[3],
      b[1],
      a[2],
      b[0],
      a[1],
      a[0],
    ];
    const out = await feed(order, 'throttle-api-calls');
    const fired = out.filter((f): f is Finding => f !== undefined);
    expect(fired).toHaveLength(1);
    expect(out[18]).toBe(fired[0]);
    expect(fired[0]!.aggregate).toMatchObject({
      count: 10,
      crossed: true,
      windowStart: '2026-03-02T08:00:00.000Z',
    });

    // A late 10th event for window B (arriving after events of a later window) completes B.
    const late = await feed(
      [...b, ...Array.from({ length: 3 }, () => apiThrottle(at(30 * MIN))), apiThrottle(at(9 * MIN))],
      'throttle-api-calls',
    );
    expect(late[12]!.aggregate).toMatchObject({
      count: 10,
      crossed: true,
      windowStart: '2026-03-02T08:05:00.000Z',
    });
  });

  it('uses the CloudTrail eventTime, not the envelope time or the wall clock', async () => {
    // Envelope times spread over an hour (EventBridge delivery lag), event times within one window.
    const events = Array.from({ length: 10 }, (_, i) =>
      apiThrottle(at(i * 1000), { envelopeTime: at(i * 6 * MIN) }),
    );
    const out = await feed(events, 'throttle-api-calls');
    expect(out[9]!.aggregate).toMatchObject({ count: 10, windowStart: '2026-03-02T08:00:00.000Z' });
  });

  it('a custom threshold and window from the policy', async () => {
    const policy = policyOf(
      'rules:\n  throttle-api-calls:\n    params: { threshold: 3, windowMinutes: 1, escalationFactor: 2 }\n',
    );
    const inOneMinute = await feed(
      [0, 10, 20, 30, 40, 50].map((s) => apiThrottle(at(s * 1000))),
      'throttle-api-calls',
      policy,
    );
    expect(inOneMinute.map((f) => f?.aggregate?.count)).toEqual([undefined, undefined, 3, 4, 5, 6]);
    expect(inOneMinute.map((f) => f?.aggregate?.crossed)).toEqual([
      undefined,
      undefined,
      true,
      false,
      false,
      true,
    ]);
    expect(inOneMinute.map((f) => f?.severity)).toEqual([
      undefined,
      undefined,
      'medium',
      'medium',
      'medium',
      'high',
    ]);
    expect(inOneMinute[2]!.aggregate!.windowEnd).toBe('2026-03-02T08:01:00.000Z');

    const spread = await feed(
      [0, 61, 122].map((s) => apiThrottle(at(s * 1000))),
      'throttle-api-calls',
      policy,
    );
    expect(spread.every((f) => !f)).toBe(true);
  });

  it('an explicit severity in the policy is kept past the escalation point', async () => {
    const policy = policyOf(
      'rules:\n  throttle-api-calls:\n    severity: low\n    params: { threshold: 2, escalationFactor: 2 }\n',
    );
    const out = await feed(
      Array.from({ length: 5 }, () => apiThrottle(at(0))),
      'throttle-api-calls',
      policy,
    );
    expect(out.map((f) => f?.severity)).toEqual([undefined, 'low', 'low', 'low', 'low']);
    expect(out.map((f) => f?.aggregate?.crossed)).toEqual([undefined, true, false, true, false]);
  });
});
