/** svc-circuit-breaker-off: the rule on its own and through the CreateService / UpdateService paths. */
import { describe, expect, it } from 'vitest';
import { cloudTrailEvent, check, createService, evaluateOne, only, service, withRule } from './helpers';

const EVIDENCE = {
  path: 'deploymentConfiguration.deploymentCircuitBreaker.enable',
  message: 'the deployment circuit breaker is off: a failing deployment is neither stopped nor rolled back',
};
const off = { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } } };

describe('svc-circuit-breaker-off', () => {
  it('fires when an ECS-controlled service has the breaker off (controller absent = ECS, any case)', () => {
    expect(check('svc-circuit-breaker-off', service({ circuitBreakerEnabled: false }))).toEqual([EVIDENCE]);
    expect(
      check(
        'svc-circuit-breaker-off',
        service({ circuitBreakerEnabled: false, deploymentController: 'ecs' }),
      ),
    ).toEqual([EVIDENCE]);
  });

  it('does not fire when on, when unknown, or for CODE_DEPLOY / EXTERNAL controllers', () => {
    expect(check('svc-circuit-breaker-off', service({ circuitBreakerEnabled: true }))).toEqual([]);
    expect(check('svc-circuit-breaker-off', service())).toEqual([]);
    expect(
      check(
        'svc-circuit-breaker-off',
        service({ circuitBreakerEnabled: false, deploymentController: 'CODE_DEPLOY' }),
      ),
    ).toEqual([]);
    expect(
      check(
        'svc-circuit-breaker-off',
        service({ circuitBreakerEnabled: false, deploymentController: 'EXTERNAL' }),
      ),
    ).toEqual([]);
  });

  it('edge: a CreateService request without deploymentConfiguration is ECS default (off) and fires', async () => {
    const raw = createService({ deploymentConfiguration: undefined });
    expect(only((await evaluateOne(raw)).findings, 'svc-circuit-breaker-off').evidence).toEqual([EVIDENCE]);
    expect(withRule((await evaluateOne(createService({}))).findings, 'svc-circuit-breaker-off')).toEqual([]);
  });

  it('edge: the response (resulting state) wins over the request; a deploymentConfiguration without a breaker is off', async () => {
    const svcArn = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';
    const response = (deploymentConfiguration: unknown) => ({
      service: {
        serviceArn: svcArn,
        serviceName: 'checkout-api',
        clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster',
        deploymentConfiguration,
      },
    });
    const lying = createService({}, response({ maximumPercent: 200, minimumHealthyPercent: 100 }));
    expect(only((await evaluateOne(lying)).findings, 'svc-circuit-breaker-off').resource.arn).toBe(svcArn);
    const on = createService(off, response({ deploymentCircuitBreaker: { enable: true, rollback: true } }));
    expect(withRule((await evaluateOne(on)).findings, 'svc-circuit-breaker-off')).toEqual([]);
  });

  it('edge: an UpdateService request that does not show the breaker leaves it unchanged (no verdict); one that turns it off fires', async () => {
    const update = (request: Record<string, unknown>) =>
      cloudTrailEvent({
        eventName: 'UpdateService',
        requestParameters: { cluster: 'prod-cluster', service: 'checkout-api', ...request },
      });
    expect(
      withRule((await evaluateOne(update({ desiredCount: 3 }))).findings, 'svc-circuit-breaker-off'),
    ).toEqual([]);
    expect(
      withRule(
        (await evaluateOne(update({ deploymentConfiguration: { maximumPercent: 200 } }))).findings,
        'svc-circuit-breaker-off',
      ),
    ).toEqual([]);
    expect(only((await evaluateOne(update(off))).findings, 'svc-circuit-breaker-off').evidence).toEqual([
      EVIDENCE,
    ]);
  });

  it('hostile: `enable` as the string "true" is an invalid event naming the path', async () => {
    const raw = createService({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: 'true' } } });
    await expect(evaluateOne(raw)).rejects.toThrow(
      /deploymentConfiguration\.deploymentCircuitBreaker\.enable: expected boolean/,
    );
  });
});
