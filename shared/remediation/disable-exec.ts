/**
 * `disable-exec` (svc-exec-enabled): UpdateService `enableExecuteCommand: false` with
 * `forceNewDeployment: true`, because the setting only applies to tasks started after the change: the
 * new deployment replaces the tasks that still accept ECS Exec sessions.
 */
import { disableExecSpec } from '../plugins/actions/disable-exec';
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

export const disableExec: RemediationAction = {
  ...disableExecSpec,

  async read(ctx: ActionContext, target: ActionTarget): Promise<Observed | undefined> {
    const s = await describeService(ctx, target);
    if (!s) return undefined;
    const state = {
      service: nameOf(s.serviceArn ?? target.arn),
      deploymentController: controllerOf(s),
      enableExecuteCommand: s.enableExecuteCommand === true,
    };
    const reason = controllerReason(s);
    return {
      state,
      tags: tagsOf(s.tags),
      live: serviceResource(s, 'services[0]', target)?.service,
      compliant: s.enableExecuteCommand !== true,
      ...(reason ? { notApplicable: reason } : {}),
      plan: `updated service ${state.service} to enableExecuteCommand false with a new deployment (ecs:UpdateService)`,
    };
  },

  async apply(ctx, target) {
    const sdk = await ecsSdk();
    await awsCall('ecs:UpdateService', () =>
      ctx.ecs.send(
        new sdk.UpdateServiceCommand({
          cluster: clusterOf(target),
          service: target.arn,
          enableExecuteCommand: false,
          forceNewDeployment: true,
        }),
      ),
    );
    return { calls: ['ecs:UpdateService'] };
  },
};
