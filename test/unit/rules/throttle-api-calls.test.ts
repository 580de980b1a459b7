/** throttle-api-calls: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { THROTTLING_ERROR_CODES } from '../../../shared/events/signals';
import type { Finding } from '../../../shared/model/finding';
import { detailOf, fixture } from '../events/fixtures';
import { ACCOUNT, REGION, checkSignal, cloudTrailEvent, engine, only, paramsWith } from './helpers';

const MINUTE = 60_000;

/** A throttled CloudTrail call at `base + offsetSeconds`. */
function throttled(
  offsetSeconds: number,
  over: { eventName?: string; role?: string; errorCode?: string; eventSource?: string; base?: string } = {},
) {
  const time = new Date(Date.parse(over.base ?? '2026-03-09T12:00:00Z') + offsetSeconds * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
  return cloudTrailEvent({
    eventName: over.eventName ?? 'DescribeServices',
    eventSource: over.eventSource ?? 'ecs.amazonaws.com',
    errorCode: over.errorCode ?? 'ThrottlingException',
    errorMessage: 'Rate exceeded',
    eventTime: time,
    role: over.role ?? 'ci-deployer',
    readOnly: true,
    requestParameters: { cluster: 'prod-cluster', services: ['checkout-api'] },
  });
}

const seconds = (n: number, step = 1, from = 0): number[] =>
  Array.from({ length: n }, (_, i) => from + i * step);

const crossed = (findings: readonly Finding[]) => findings.filter((f) => f.aggregate?.crossed);

describe('throttle-api-calls', () => {
  const signal = {
    kind: 'apiThrottle' as const,
    eventSource: 'ecs.amazonaws.com',
    eventName: 'DescribeServices',
    errorCode: 'ThrottlingException',
    principal: 'arn:aws:iam::111122223333:role/ci-deployer',
  };

  it('describes the window: key (source, API, caller), 5 minutes, threshold 10, high at 100', () => {
    const out = checkSignal('throttle-api-calls', signal);
    expect(out).toEqual({
      resource: {
        type: 'AWS::IAM::Principal',
        arn: 'arn:aws:iam::111122223333:role/ci-deployer',
        name: 'ecs.amazonaws.com DescribeServices',
      },
      evidence: [
        {
          path: 'detail.errorCode',
          message:
            'ecs.amazonaws.com DescribeServices called by arn:aws:iam::111122223333:role/ci-deployer was throttled (ThrottlingException)',
        },
      ],
      window: {
        keyParts: ['ecs.amazonaws.com', 'DescribeServices', 'arn:aws:iam::111122223333:role/ci-deployer'],
        windowMs: 5 * MINUTE,
        threshold: 10,
        escalateAt: 100,
        escalatedSeverity: 'high',
      },
    });
  });

  it('takes threshold, window and escalation factor from the policy', () => {
    const out = checkSignal(
      'throttle-api-calls',
      signal,
      paramsWith('throttle-api-calls', { threshold: 3, windowMinutes: 1, escalationFactor: 4 }),
    );
    expect(out?.window).toMatchObject({ windowMs: MINUTE, threshold: 3, escalateAt: 12 });
  });

  it('9 throttled calls in a window are no finding; the 10th is, once (count 10, crossed)', async () => {
    const e = engine();
    expect(await e.runAll(seconds(9).map((s) => throttled(s)))).toEqual([]);
    const tenth = (await e.run(throttled(9))).findings;
    const f = only(tenth, 'throttle-api-calls');
    expect(f.severity).toBe('medium');
    expect(f.resource.arn).toBe('arn:aws:iam::111122223333:role/ci-deployer');
    expect(f.aggregate).toEqual({
      key: `throttle-api-calls|${ACCOUNT}|${REGION}|ecs.amazonaws.com|DescribeServices|arn:aws:iam::111122223333:role/ci-deployer`,
      windowStart: '2026-03-09T12:00:00.000Z',
      windowEnd: '2026-03-09T12:05:00.000Z',
      count: 10,
      crossed: true,
    });
    expect(f.advice).toMatch(/exponential backoff and jitter/);
    expect(f.advice).toMatch(/quota increase/);
  });

  it('later calls in the window update the same finding; the threshold is crossed exactly once', async () => {
    const findings = await engine().runAll(seconds(30, 2).map((s) => throttled(s)));
    expect(findings).toHaveLength(21); // counts 10..30
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(1);
    expect(crossed(findings).map((f) => f.aggregate?.count)).toEqual([10]);
    expect(findings.at(-1)?.aggregate?.count).toBe(30);
    expect(findings.every((f) => f.severity === 'medium')).toBe(true);
  });

  it('escalates to high at 10x the threshold (100), crossing again there', async () => {
    // 120 calls, 2 per second: all inside one 5-minute window.
    const findings = await engine().runAll(seconds(120, 0.5).map((s) => throttled(s)));
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(1);
    expect(crossed(findings).map((f) => [f.aggregate?.count, f.severity])).toEqual([
      [10, 'medium'],
      [100, 'high'],
    ]);
    expect(findings.filter((f) => f.severity === 'high').map((f) => f.aggregate?.count)).toEqual(
      seconds(21, 1, 100),
    );
  });

  it('windows are tumbling by EVENT time: 10 calls across a window boundary are no finding', async () => {
    // 12:04:55 .. 12:05:04, 5 on each side of 12:05:00.
    const findings = await engine().runAll(seconds(10, 1, 295).map((s) => throttled(s)));
    expect(findings).toEqual([]);
  });

  it('different windows are separate findings, each crossing once', async () => {
    const findings = await engine().runAll([
      ...seconds(10).map((s) => throttled(s)),
      ...seconds(10, 1, 600).map((s) => throttled(s)), // 12:10
    ]);
    expect(crossed(findings).map((f) => f.aggregate?.windowStart)).toEqual([
      '2026-03-09T12:00:00.000Z',
      '2026-03-09T12:10:00.000Z',
    ]);
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(2);
  });

  it('event order does not matter inside a window (event time, not arrival)', async () => {
    const findings = await engine().runAll([...seconds(10)].reverse().map((s) => throttled(s)));
    expect(crossed(findings)).toHaveLength(1);
  });

  it('different callers, APIs and services are separate keys', async () => {
    const five = (over: Parameters<typeof throttled>[1]) => seconds(5).map((s) => throttled(s, over));
    // 5 + 5 of different keys: nothing reaches 10.
    const split = await engine().runAll([
      ...five({}),
      ...five({ role: 'other-role' }),
      ...five({ eventName: 'ListTasks' }),
      ...five({ eventSource: 'elasticloadbalancing.amazonaws.com', eventName: 'DescribeServices' }),
    ]);
    expect(split).toEqual([]);
    const ten = (over: Parameters<typeof throttled>[1]) => seconds(10).map((s) => throttled(s, over));
    const both = await engine().runAll([
      ...ten({}),
      ...ten({ role: 'other-role' }),
      ...ten({ eventName: 'ListTasks' }),
    ]);
    expect(crossed(both).map((f) => [f.resource.arn, f.resource.name])).toEqual([
      ['arn:aws:iam::111122223333:role/ci-deployer', 'ecs.amazonaws.com DescribeServices'],
      ['arn:aws:iam::111122223333:role/other-role', 'ecs.amazonaws.com DescribeServices'],
      ['arn:aws:iam::111122223333:role/ci-deployer', 'ecs.amazonaws.com ListTasks'],
    ]);
    expect(new Set(crossed(both).map((f) => f.findingId)).size).toBe(3);
  });

  it('two sessions of the same role are the same caller', async () => {
    const events = seconds(10).map((s) => {
      const e = throttled(s);
      const u = detailOf(e).userIdentity as { arn: string };
      u.arn = u.arn.replace('/session', `/session-${s}`);
      return e;
    });
    expect(crossed(await engine().runAll(events))).toHaveLength(1);
  });

  it('every throttling code counts, EC2 Client.RequestLimitExceeded included', async () => {
    expect([...THROTTLING_ERROR_CODES].sort()).toEqual(
      [
        'ThrottlingException',
        'Throttling',
        'ThrottledException',
        'RequestLimitExceeded',
        'Client.RequestLimitExceeded',
        'TooManyRequestsException',
        'RequestThrottled',
        'RequestThrottledException',
        'SlowDown',
      ].sort(),
    );
    for (const errorCode of THROTTLING_ERROR_CODES) {
      const findings = await engine().runAll(seconds(10).map((s) => throttled(s, { errorCode })));
      expect(crossed(findings), errorCode).toHaveLength(1);
      expect(findings[0]?.evidence[0]?.message, errorCode).toContain(`(${errorCode})`);
    }
  });

  it('other error codes are not throttling', async () => {
    for (const errorCode of [
      'AccessDenied',
      'InvalidParameterException',
      'ClientException',
      'Server.InternalError',
      'throttlingexception',
    ])
      expect(await engine().runAll(seconds(12).map((s) => throttled(s, { errorCode }))), errorCode).toEqual(
        [],
      );
  });

  it('corpus events: ECS, ELB (read-only, service-linked role) and EC2 throttles, 10 of each', async () => {
    for (const [name, api, principal] of [
      [
        'cloudtrail-throttling-exception.json',
        'ecs.amazonaws.com RegisterTaskDefinition',
        'role/github-actions-deploy',
      ],
      [
        'cloudtrail-elb-describe-target-health-throttled-readonly.json',
        'elasticloadbalancing.amazonaws.com DescribeTargetHealth',
        'role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
      ],
      [
        'cloudtrail-ec2-client-request-limit-exceeded.json',
        'ec2.amazonaws.com AuthorizeSecurityGroupIngress',
        'role/terraform-apply',
      ],
    ] as const) {
      const e = engine();
      const one = await e.run(fixture(name));
      expect(one.findings, name).toEqual([]); // a single throttle is below the threshold
      const rest = seconds(9).map((i) => {
        const ev = fixture(name);
        ev.id = `${String(ev.id)}-${i}`;
        detailOf(ev).eventID = `${String(detailOf(ev).eventID)}-${i}`;
        return ev;
      });
      const f = only(await e.runAll(rest), 'throttle-api-calls');
      expect(f.resource.name, name).toBe(api);
      expect(f.resource.arn, name).toBe(`arn:aws:iam::111122223333:${principal}`);
      expect(f.aggregate?.count).toBe(10);
    }
  });
});
