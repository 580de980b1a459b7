/** ops-task-placement-failure: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { detailOf, fixture } from '../events/fixtures';
import { checkSignal, engine, withRule } from './helpers';

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
