/** svc-public-ip: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { detailOf, fixture } from '../events/fixtures';
import { check, createService, evaluateOne, NETWORK, only, ruleIds, service } from './helpers';

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

const publicNetwork = { awsvpcConfiguration: { ...NETWORK.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };

describe('svc-public-ip', () => {
  it('fires when assignPublicIp is ENABLED', () => {
    expect(check('svc-public-ip', service({ network: { assignPublicIp: 'ENABLED' } }))).toEqual([
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'service "checkout-api" assigns a public IP (assignPublicIp ENABLED)',
      },
    ]);
  });

  it('does not fire for DISABLED, an absent assignPublicIp or an unknown network configuration', () => {
    expect(check('svc-public-ip', service({ network: { assignPublicIp: 'DISABLED' } }))).toEqual([]);
    expect(check('svc-public-ip', service({ network: { subnets: ['subnet-1'] } }))).toEqual([]);
    expect(check('svc-public-ip', service({ network: undefined }))).toEqual([]);
  });

  it('end to end: CreateService fixture, on the service ARN of the response', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-create-service-assign-public-ip.json'));
    expect(ruleIds(findings)).toEqual(['svc-public-ip']);
    const f = only(findings, 'svc-public-ip');
    expect(f.severity).toBe('high');
    expect(f.resource).toEqual({ type: 'AWS::ECS::Service', arn: SERVICE_ARN, name: 'checkout-api' });
    expect(f.controls).toMatchObject({ securityHub: 'ECS.2', checkov: 'CKV_AWS_333' });
  });

  it('end to end: UpdateService and its archive replay are the same finding', async () => {
    const update = only(
      (await evaluateOne(fixture('cloudtrail-update-service-assign-public-ip.json'))).findings,
      'svc-public-ip',
    );
    const replay = only(
      (await evaluateOne(fixture('cloudtrail-update-service-replayed-from-archive.json'))).findings,
      'svc-public-ip',
    );
    expect(update.resource.arn).toBe(SERVICE_ARN);
    expect(replay.findingId).toBe(update.findingId);
    expect(update.event.actor?.roleArn).toContain('AWSReservedSSO_AdministratorAccess');
  });

  it('end to end: a rejected CreateService (errorCode, responseElements null) is no finding', async () => {
    const r = await evaluateOne(fixture('cloudtrail-create-service-invalid-parameter-null-response.json'));
    expect(r.findings).toEqual([]);
    expect(r.incomplete).toBeUndefined();
  });

  it('end to end: UpdateService without networkConfiguration is never flagged from the request alone', async () => {
    // With the response, the finding comes from the resulting state the response shows.
    const withResponse = fixture('cloudtrail-update-service-desired-count-only.json');
    expect(only((await evaluateOne(withResponse)).findings, 'svc-public-ip').resource.arn).toBe(SERVICE_ARN);

    // The request alone says nothing about the network: no finding, whatever the service really has.
    const requestOnly = fixture('cloudtrail-update-service-desired-count-only.json');
    delete detailOf(requestOnly).responseElements;
    expect((await evaluateOne(requestOnly)).findings).toEqual([]);
  });

  it('end to end: the request is used when there is no response, with the ARN built from it', async () => {
    const f = only(
      (await evaluateOne(createService({ networkConfiguration: publicNetwork }))).findings,
      'svc-public-ip',
    );
    expect(f.resource.arn).toBe(SERVICE_ARN);
    expect((await evaluateOne(createService({}))).findings).toEqual([]);
  });
});

describe('svc-public-ip: compliant input', () => {
  it('a compliant service passes (direct)', () => {
    expect(check('svc-public-ip', service())).toEqual([]);
  });
});
