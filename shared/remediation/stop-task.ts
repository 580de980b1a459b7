/**
 * `stop-task` (task-public-ip; and td-privileged's standalone tasks): StopTask on a standalone task. A
 * task whose `group` starts with `service:` belongs to a service: stopping it would only make the service
 * start another one, so it is fixed through its service and skipped here.
 */
import { stopTaskSpec } from '../plugins/actions/stop-task';
import { taskResource } from '../events/ecs-resources';
import { clusterOf, nameOf, tagsOf } from './ecs-helpers';
import { awsCall } from './errors';
import {
  ecsSdk,
  type ActionContext,
  type ActionTarget,
  type Observed,
  type RemediationAction,
} from './types';

/** StopTask's `reason` is limited to 255 characters. */
const MAX_REASON = 255;

export const stopTask: RemediationAction = {
  ...stopTaskSpec,

  async read(ctx: ActionContext, target: ActionTarget): Promise<Observed | undefined> {
    const sdk = await ecsSdk();
    const cluster = clusterOf(target);
    const out = await awsCall('ecs:DescribeTasks', () =>
      ctx.ecs.send(new sdk.DescribeTasksCommand({ cluster, tasks: [target.arn], include: ['TAGS'] })),
    );
    const i = Math.max(
      0,
      (out.tasks ?? []).findIndex((t) => t.taskArn === target.arn),
    );
    const task = out.tasks?.[i];
    if (!task) return undefined;
    const group = task.group ?? '';
    const state = {
      task: nameOf(target.arn),
      cluster: nameOf(task.clusterArn ?? cluster),
      group,
      lastStatus: task.lastStatus ?? 'UNKNOWN',
      desiredStatus: task.desiredStatus ?? 'UNKNOWN',
      taskDefinition: task.taskDefinitionArn ? nameOf(task.taskDefinitionArn) : undefined,
    };
    const compliant = task.desiredStatus === 'STOPPED' || task.lastStatus === 'STOPPED';
    return {
      state,
      tags: tagsOf(task.tags),
      compliant,
      live: taskResource(task, `tasks[${i}]`, target),
      ...(group.startsWith('service:')
        ? {
            notApplicable: `task belongs to service ${group.slice('service:'.length)}: it is fixed through its service, not stopped`,
          }
        : {}),
      plan: `stopped task ${nameOf(target.arn)} in cluster ${state.cluster} (ecs:StopTask)`,
    };
  },

  async apply(ctx, target) {
    const sdk = await ecsSdk();
    await awsCall('ecs:StopTask', () =>
      ctx.ecs.send(
        new sdk.StopTaskCommand({
          cluster: clusterOf(target),
          task: target.arn,
          reason: ctx.reasonText.slice(0, MAX_REASON),
        }),
      ),
    );
    return { calls: ['ecs:StopTask'] };
  },
};
