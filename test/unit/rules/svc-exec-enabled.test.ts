/** svc-exec-enabled: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { fixture } from '../events/fixtures';
import { check, cloudTrailEvent, createService, evaluateOne, only, service, withRule } from './helpers';

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

describe('svc-exec-enabled', () => {
  it('fires when enableExecuteCommand is true only', () => {
    expect(check('svc-exec-enabled', service({ enableExecuteCommand: true }))).toEqual([
      { path: 'enableExecuteCommand', message: 'service "checkout-api" has ECS Exec enabled' },
    ]);
    expect(check('svc-exec-enabled', service({ enableExecuteCommand: false }))).toEqual([]);
    expect(check('svc-exec-enabled', service({ enableExecuteCommand: undefined }))).toEqual([]);
  });

  it('end to end: CreateService with exec, and UpdateService turning it on', async () => {
    const f = only(
      (await evaluateOne(createService({ enableExecuteCommand: true }))).findings,
      'svc-exec-enabled',
    );
    expect(f.severity).toBe('medium');
    const update = cloudTrailEvent({
      eventName: 'UpdateService',
      requestParameters: { cluster: 'prod-cluster', service: 'checkout-api', enableExecuteCommand: true },
    });
    expect(only((await evaluateOne(update)).findings, 'svc-exec-enabled').resource.arn).toBe(SERVICE_ARN);
  });

  it('end to end: the corpus services have exec disabled', async () => {
    for (const name of [
      'cloudtrail-create-service-assign-public-ip.json',
      'cloudtrail-update-service-assign-public-ip.json',
    ])
      expect(withRule((await evaluateOne(fixture(name))).findings, 'svc-exec-enabled'), name).toEqual([]);
  });
});

describe('svc-exec-enabled: compliant input', () => {
  it('a compliant service passes (direct)', () => {
    expect(check('svc-exec-enabled', service())).toEqual([]);
  });
});
