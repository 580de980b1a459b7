/** throttle-ecs-operation: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { detailOf, fixture } from '../events/fixtures';
import { checkSignal, engine, evaluateOne, only, paramsWith } from './helpers';

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

const MINUTE = 60_000;

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
