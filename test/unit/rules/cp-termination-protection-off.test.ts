/** cp-termination-protection-off (Security Hub ECS.19): the new CapacityProvider resource, end to end. */
import { describe, expect, it } from 'vitest';
import { loadSample } from '../../helpers/fixtures';
import {
  ACCOUNT,
  REGION,
  capacityProvider,
  check,
  cloudTrailEvent,
  evaluateOne,
  only,
  withRule,
} from './helpers';

const ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/prod-asg-cp`;
const ASG = `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9:autoScalingGroupName/prod-asg`;

const create = (provider: Record<string, unknown>, response?: Record<string, unknown> | null) =>
  cloudTrailEvent({
    eventName: 'CreateCapacityProvider',
    requestParameters: {
      name: 'prod-asg-cp',
      autoScalingGroupProvider: { autoScalingGroupArn: ASG, ...provider },
    },
    ...(response === null
      ? {}
      : {
          responseElements: response ?? {
            capacityProvider: {
              capacityProviderArn: ARN,
              name: 'prod-asg-cp',
              status: 'ACTIVE',
              autoScalingGroupProvider: { autoScalingGroupArn: ASG, ...provider },
            },
          },
        }),
  });

describe('cp-termination-protection-off', () => {
  it('fires when managed termination protection is DISABLED', () => {
    const cp = capacityProvider({ autoScalingGroup: { managedTerminationProtection: 'DISABLED' } });
    expect(check('cp-termination-protection-off', cp)).toEqual([
      {
        path: 'autoScalingGroupProvider.managedTerminationProtection',
        message:
          'managed termination protection is "DISABLED", not ENABLED: scale-in can terminate instances running tasks',
      },
    ]);
  });

  it('does not fire when ENABLED (any case), when unknown, or for a provider without an Auto Scaling group', () => {
    expect(check('cp-termination-protection-off', capacityProvider())).toEqual([]);
    expect(
      check(
        'cp-termination-protection-off',
        capacityProvider({ autoScalingGroup: { managedTerminationProtection: 'enabled' } }),
      ),
    ).toEqual([]);
    expect(check('cp-termination-protection-off', capacityProvider({ autoScalingGroup: {} }))).toEqual([]);
    expect(check('cp-termination-protection-off', capacityProvider({ autoScalingGroup: undefined }))).toEqual(
      [],
    );
  });

  it('end to end: CreateCapacityProvider (sample adapted from the ECS API reference example) fires on the ARN of the response, as AWS::ECS::CapacityProvider', async () => {
    const f = only(
      (
        await evaluateOne(
          loadSample('cloudtrail-create-capacity-provider-termination-protection-disabled.json'),
        )
      ).findings,
      'cp-termination-protection-off',
    );
    expect(f.resource).toEqual({
      type: 'AWS::ECS::CapacityProvider',
      arn: 'arn:aws:ecs:us-west-2:111122223333:capacity-provider/MyCapacityProvider',
    });
    expect(f.controls.securityHub).toBe('ECS.19');
  });

  it('edge: a create that omits it is ECS default (DISABLED) and fires, from the request when there is no response', async () => {
    const f = only((await evaluateOne(create({}, null))).findings, 'cp-termination-protection-off');
    expect(f.resource.arn).toBe(ARN);
    expect(
      withRule(
        (await evaluateOne(create({ managedTerminationProtection: 'ENABLED' }))).findings,
        'cp-termination-protection-off',
      ),
    ).toEqual([]);
  });

  it('edge: an UpdateCapacityProvider request that does not show it leaves it unchanged; one that disables it fires', async () => {
    const update = (asg: Record<string, unknown>) =>
      cloudTrailEvent({
        eventName: 'UpdateCapacityProvider',
        requestParameters: { name: 'prod-asg-cp', autoScalingGroupProvider: asg },
      });
    expect(
      withRule(
        (await evaluateOne(update({ managedScaling: { status: 'ENABLED' } }))).findings,
        'cp-termination-protection-off',
      ),
    ).toEqual([]);
    expect(
      only(
        (await evaluateOne(update({ managedTerminationProtection: 'DISABLED' }))).findings,
        'cp-termination-protection-off',
      ).resource.arn,
    ).toBe(ARN);
  });

  it("hostile: the ARN is ECS's, never the caller's; a wrong type is an invalid event naming the path", async () => {
    const forged = cloudTrailEvent({
      eventName: 'CreateCapacityProvider',
      requestParameters: {
        name: 'prod-asg-cp',
        capacityProviderArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/victim`,
        autoScalingGroupProvider: { autoScalingGroupArn: ASG },
      },
    });
    expect(only((await evaluateOne(forged)).findings, 'cp-termination-protection-off').resource.arn).toBe(
      ARN,
    );
    await expect(evaluateOne(create({ managedTerminationProtection: false }))).rejects.toThrow(
      /managedTerminationProtection: expected string/,
    );
    // A failed call changed nothing.
    const failed = cloudTrailEvent({
      eventName: 'CreateCapacityProvider',
      errorCode: 'ClientException',
      requestParameters: { name: 'x', autoScalingGroupProvider: { autoScalingGroupArn: ASG } },
    });
    expect((await evaluateOne(failed)).findings).toEqual([]);
  });
});
