/** Scratch: `drain-container-instance` (instance-imds-reachable): UpdateContainerInstancesState DRAINING. */
import * as v from 'valibot';
import { nameOf } from './ecs-helpers';
import { awsCall } from './errors';
import { defineAction, ecsSdk } from './types';

export interface DrainParams {
  /** The state written. */
  readonly status: 'DRAINING';
}

export const drainContainerInstance = defineAction<DrainParams>({
  meta: {
    name: 'drain-container-instance',
    title: 'Drain the container instance',
    resourceType: 'AWS::ECS::ContainerInstance',
    summary: 'UpdateContainerInstancesState to DRAINING: ECS moves the tasks elsewhere.',
    readCalls: ['ecs:DescribeContainerInstances'],
    writeCalls: ['ecs:UpdateContainerInstancesState'],
    iamPermissions: ['ecs:DescribeContainerInstances', 'ecs:UpdateContainerInstancesState'],
    risk: 'medium',
    riskNote: 'Tasks are stopped and started elsewhere.',
    skipsWhen: ['the instance is already DRAINING'],
  },
  params: {
    schema: v.strictObject({ status: v.picklist(['DRAINING']) }),
    defaults: { status: 'DRAINING' },
    docs: { status: 'the state written (DRAINING)' },
  },
  async read(ctx, target) {
    const sdk = await ecsSdk();
    const cluster = target.clusterArn ?? 'default';
    const out = await awsCall('ecs:DescribeContainerInstances', () =>
      ctx.ecs.send(new sdk.DescribeContainerInstancesCommand({ cluster, containerInstances: [target.arn] })),
    );
    const i = out.containerInstances?.[0];
    if (!i) return undefined;
    return {
      state: { instance: nameOf(target.arn), status: i.status },
      tags: {},
      compliant: i.status === ctx.params.status,
      plan: `set ${nameOf(target.arn)} to ${ctx.params.status}`,
    };
  },
  async apply(ctx, target) {
    const sdk = await ecsSdk();
    await awsCall('ecs:UpdateContainerInstancesState', () =>
      ctx.ecs.send(
        new sdk.UpdateContainerInstancesStateCommand({
          cluster: target.clusterArn ?? 'default',
          containerInstances: [target.arn],
          status: ctx.params.status,
        }),
      ),
    );
    return { calls: ['ecs:UpdateContainerInstancesState'] };
  },
});
