/**
 * `disable-public-ip` (svc-public-ip): UpdateService with the service's CURRENT subnets and security
 * groups, every one of them, and `assignPublicIp: DISABLED`. Nothing else is sent, so nothing else
 * changes; ECS starts a new deployment because the network configuration changed.
 * Only for the ECS deployment controller (CODE_DEPLOY / EXTERNAL services change through task sets).
 */
import { disablePublicIpSpec } from '../plugins/actions/disable-public-ip';
import { serviceResource } from '../events/ecs-resources';
import { clusterOf, nameOf, tagsOf } from './ecs-helpers';
import { awsCall } from './errors';
import { controllerOf, controllerReason, describeService } from './service-state';
import {
  ecsSdk,
  type ActionContext,
  type ActionTarget,
  type Observed,
  type RemediationAction,
} from './types';

export const disablePublicIp: RemediationAction = {
  ...disablePublicIpSpec,

  async read(ctx: ActionContext, target: ActionTarget): Promise<Observed | undefined> {
    const s = await describeService(ctx, target);
    if (!s) return undefined;
    const vpc = s.networkConfiguration?.awsvpcConfiguration;
    const state = {
      service: nameOf(s.serviceArn ?? target.arn),
      deploymentController: controllerOf(s),
      subnets: vpc?.subnets ?? [],
      securityGroups: vpc?.securityGroups ?? [],
      assignPublicIp: vpc?.assignPublicIp ?? 'DISABLED',
    };
    const reason = controllerReason(s);
    return {
      state,
      tags: tagsOf(s.tags),
      live: serviceResource(s, 'services[0]', target)?.service,
      compliant: vpc?.assignPublicIp !== 'ENABLED',
      ...(reason ? { notApplicable: reason } : {}),
      plan:
        `updated service ${state.service} to assignPublicIp DISABLED keeping subnets ` +
        `[${state.subnets.join(', ')}] and security groups [${state.securityGroups.join(', ')}] (ecs:UpdateService)`,
    };
  },

  async apply(ctx, target, before) {
    const sdk = await ecsSdk();
    const subnets = before.state.subnets as string[];
    const securityGroups = before.state.securityGroups as string[];
    if (!subnets.length) throw new Error('the service shows no subnets: refusing to send an empty list');
    await awsCall('ecs:UpdateService', () =>
      ctx.ecs.send(
        new sdk.UpdateServiceCommand({
          cluster: clusterOf(target),
          service: target.arn,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...subnets],
              ...(securityGroups.length ? { securityGroups: [...securityGroups] } : {}),
              assignPublicIp: 'DISABLED',
            },
          },
        }),
      ),
    );
    return { calls: ['ecs:UpdateService'] };
  },

  verify(before, after) {
    const same = (k: string): boolean =>
      JSON.stringify([...(before.state[k] as string[])].sort()) ===
      JSON.stringify([...(after.state[k] as string[])].sort());
    if (!same('subnets') || !same('securityGroups'))
      return 'subnets or security groups differ from the ones before the change';
    return undefined;
  },
};
