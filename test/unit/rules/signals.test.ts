/** Throttling and operations rules (shared/rules/signals.ts): directly, and windows end to end. */
import { describe, expect, it } from 'vitest';
import { THROTTLING_ERROR_CODES } from '../../../shared/events/signals';
import type { Finding } from '../../../shared/model/finding';
import { signalRules } from '../../../shared/rules/signals';
import { detailOf, fixture } from '../events/fixtures';
import {
  ACCOUNT,
  REGION,
  checkSignal,
  cloudTrailEvent,
  engine,
  evaluateOne,
  only,
  paramsWith,
  ruleIds,
  withRule,
} from './helpers';

const TESTED = [
  'throttle-ecs-operation',
  'throttle-api-calls',
  'ops-deployment-failed',
  'ops-task-placement-failure',
];

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';
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

/** A Service Action / Deployment event on a service at a time. */
function serviceAction(
  eventName: string,
  time: string,
  resources: string[] = [SERVICE_ARN],
  reason?: string,
) {
  const event = fixture('ecs-service-action-operation-throttled.json');
  event.time = time;
  event.resources = resources;
  const d = detailOf(event);
  d.eventName = eventName;
  if (reason) d.reason = reason;
  return event;
}

const crossed = (findings: readonly Finding[]) => findings.filter((f) => f.aggregate?.crossed);

describe('signal rules: module', () => {
  it('this file tests every rule of the module', () => {
    expect(signalRules.map((r) => r.id).sort()).toEqual([...TESTED].sort());
  });
});

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

describe('throttle-ecs-operation', () => {
  it('the first event of a 15-minute window fires; later ones only raise its count', async () => {
    const e = engine();
    const first = only(
      (await e.run(serviceAction('ECS_OPERATION_THROTTLED', '2026-03-02T08:15:41Z'))).findings,
      'throttle-ecs-operation',
    );
    expect(first.severity).toBe('medium');
    expect(first.resource).toEqual({ type: 'AWS::ECS::Service', arn: SERVICE_ARN });
    expect(first.aggregate).toMatchObject({
      windowStart: '2026-03-02T08:15:00.000Z',
      windowEnd: '2026-03-02T08:30:00.000Z',
      count: 1,
      crossed: true,
    });
    expect(first.evidence[0]?.message).toBe('ECS throttled the service scheduler (ECS_OPERATION_THROTTLED)');
    const second = only(
      (await e.run(serviceAction('ECS_OPERATION_THROTTLED', '2026-03-02T08:29:59Z'))).findings,
      'throttle-ecs-operation',
    );
    expect(second.findingId).toBe(first.findingId);
    expect(second.aggregate).toMatchObject({ count: 2, crossed: false });
    const nextWindow = only(
      (await e.run(serviceAction('ECS_OPERATION_THROTTLED', '2026-03-02T08:30:00Z'))).findings,
      'throttle-ecs-operation',
    );
    expect(nextWindow.findingId).not.toBe(first.findingId);
    expect(nextWindow.aggregate).toMatchObject({ count: 1, crossed: true });
  });

  it('ECS and Cloud Map throttling are separate keys (corpus events)', async () => {
    const findings = await engine().runAll([
      fixture('ecs-service-action-operation-throttled.json'),
      fixture('ecs-service-action-service-discovery-operation-throttled.json'),
    ]);
    expect(crossed(findings).map((f) => f.evidence[0]?.message)).toEqual([
      'ECS throttled the service scheduler (ECS_OPERATION_THROTTLED)',
      'Cloud Map throttled the service scheduler (SERVICE_DISCOVERY_OPERATION_THROTTLED)',
    ]);
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(2);
  });

  it('different services are separate keys; without resources[0] the cluster ARN is the resource', async () => {
    const other = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/orders';
    const findings = await engine().runAll([
      serviceAction('ECS_OPERATION_THROTTLED', '2026-03-02T08:15:41Z'),
      serviceAction('ECS_OPERATION_THROTTLED', '2026-03-02T08:15:42Z', [other]),
      serviceAction('ECS_OPERATION_THROTTLED', '2026-03-02T08:15:43Z', []),
    ]);
    expect(crossed(findings).map((f) => f.resource)).toEqual([
      { type: 'AWS::ECS::Service', arn: SERVICE_ARN },
      { type: 'AWS::ECS::Service', arn: other },
      { type: 'AWS::ECS::Cluster', arn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster' },
    ]);
  });

  it('includes the reason when the event has one, and honours windowMinutes', () => {
    const out = checkSignal(
      'throttle-ecs-operation',
      {
        kind: 'ecsThrottle',
        eventName: 'ECS_OPERATION_THROTTLED',
        resourceArn: SERVICE_ARN,
        reason: 'Rate exceeded',
      },
      paramsWith('throttle-ecs-operation', { windowMinutes: 60 }),
    );
    expect(out?.evidence[0]?.message).toBe(
      'ECS throttled the service scheduler (ECS_OPERATION_THROTTLED): Rate exceeded',
    );
    expect(out?.window).toEqual({
      keyParts: [SERVICE_ARN, 'ECS_OPERATION_THROTTLED'],
      windowMs: 60 * MINUTE,
      threshold: 1,
    });
  });

  it('other Service Action events are not throttling', async () => {
    for (const name of [
      'ecs-service-action-steady-state.json',
      'ecs-service-action-capacity-provider-steady-state.json',
      'ecs-service-action-rebalancing-started-unknown-to-older-parsers.json',
    ])
      expect((await evaluateOne(fixture(name))).findings, name).toEqual([]);
    expect(
      (await evaluateOne(serviceAction('SERVICE_TASK_START_IMPAIRED', '2026-03-02T08:15:41Z'))).findings,
    ).toEqual([]);
  });
});

describe('ops-deployment-failed', () => {
  it('direct: one finding per event on the service, with deployment id and reason', () => {
    const out = checkSignal('ops-deployment-failed', {
      kind: 'deploymentFailed',
      resourceArn: SERVICE_ARN,
      deploymentId: 'ecs-svc/123',
      reason: 'ECS deployment circuit breaker: task failed to start.',
    });
    expect(out).toEqual({
      resource: { type: 'AWS::ECS::Service', arn: SERVICE_ARN },
      evidence: [
        {
          path: 'detail.eventName',
          message: 'deployment ecs-svc/123 failed: ECS deployment circuit breaker: task failed to start.',
        },
      ],
    });
    expect(
      checkSignal('ops-deployment-failed', { kind: 'deploymentFailed', resourceArn: SERVICE_ARN })
        ?.evidence[0]?.message,
    ).toBe('deployment (unknown id) failed');
  });

  it('end to end: the circuit-breaker failure fixture (high)', async () => {
    const { findings } = await evaluateOne(
      fixture('ecs-deployment-state-change-failed-circuit-breaker.json'),
    );
    expect(ruleIds(findings)).toEqual(['ops-deployment-failed']);
    const f = only(findings, 'ops-deployment-failed');
    expect(f.severity).toBe('high');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-west-2:111122223333:service/default/servicetest');
    expect(f.aggregate).toBeUndefined();
  });

  it('end to end: IN_PROGRESS (even a rollback) and COMPLETED are not failures', async () => {
    expect(
      (await evaluateOne(fixture('ecs-deployment-state-change-in-progress-rollback.json'))).findings,
    ).toEqual([]);
    const completed = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
    detailOf(completed).eventName = 'SERVICE_DEPLOYMENT_COMPLETED';
    detailOf(completed).eventType = 'INFO';
    expect((await evaluateOne(completed)).findings).toEqual([]);
  });

  it('end to end: the same failure delivered twice is the same finding', async () => {
    const a = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
    const b = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
    b.id = 'another-delivery';
    const findings = await engine().runAll([a, b]);
    expect(findings).toHaveLength(2);
    expect(findings[0]?.findingId).toBe(findings[1]?.findingId);
  });
});

describe('ops-task-placement-failure', () => {
  it('direct: aggregated per service like throttle-ecs-operation', () => {
    const out = checkSignal('ops-task-placement-failure', {
      kind: 'placementFailure',
      resourceArn: SERVICE_ARN,
      reason: 'RESOURCE:MEMORY',
    });
    expect(out).toEqual({
      resource: { type: 'AWS::ECS::Service', arn: SERVICE_ARN },
      evidence: [{ path: 'detail.reason', message: 'task placement failed: RESOURCE:MEMORY' }],
      window: {
        keyParts: [SERVICE_ARN, 'SERVICE_TASK_PLACEMENT_FAILURE'],
        windowMs: 15 * MINUTE,
        threshold: 1,
      },
    });
  });

  it('end to end: the two AWS examples in one window are one finding (count 2)', async () => {
    const findings = await engine().runAll([
      fixture('ecs-service-action-task-placement-failure-ec2-cpu.json'),
      fixture('ecs-service-action-task-placement-failure-fargate-spot.json'),
    ]);
    expect(withRule(findings, 'ops-task-placement-failure')).toHaveLength(2);
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(1);
    expect(crossed(findings)).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'medium',
      resource: {
        type: 'AWS::ECS::Service',
        arn: 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest',
      },
    });
    expect(findings[0]?.evidence[0]?.message).toBe('task placement failed: RESOURCE:CPU');
    expect(findings[1]?.aggregate?.count).toBe(2);
  });

  it('end to end: a failure in a later window fires again', async () => {
    const findings = await engine().runAll([
      serviceAction('SERVICE_TASK_PLACEMENT_FAILURE', '2026-03-02T08:00:00Z', [SERVICE_ARN], 'RESOURCE:CPU'),
      serviceAction('SERVICE_TASK_PLACEMENT_FAILURE', '2026-03-02T08:20:00Z', [SERVICE_ARN], 'RESOURCE:CPU'),
    ]);
    expect(crossed(findings)).toHaveLength(2);
  });
});
