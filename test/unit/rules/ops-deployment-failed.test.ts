/** ops-deployment-failed: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { detailOf, fixture } from '../events/fixtures';
import { checkSignal, engine, evaluateOne, only, ruleIds } from './helpers';

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

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
