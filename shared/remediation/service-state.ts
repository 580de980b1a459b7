/** Reading a service's current state for the service actions (disable-public-ip, disable-exec). */
import type { Service } from '@aws-sdk/client-ecs';
import { clusterOf, nameOf } from './ecs-helpers';
import { awsCall } from './errors';
import { ecsSdk, type ActionContext, type ActionTarget } from './types';

/** The service as ECS holds it now; undefined when it does not exist or is no longer ACTIVE. */
export async function describeService(
  ctx: ActionContext,
  target: ActionTarget,
): Promise<Service | undefined> {
  const sdk = await ecsSdk();
  const out = await awsCall('ecs:DescribeServices', () =>
    ctx.ecs.send(
      new sdk.DescribeServicesCommand({
        cluster: clusterOf(target),
        services: [target.arn],
        include: ['TAGS'],
      }),
    ),
  );
  const s = out.services?.[0];
  if (!s || (s.status && s.status !== 'ACTIVE')) return undefined;
  return s;
}

/** The deployment controller type; ECS when unset (the API default). */
export function controllerOf(s: Service): string {
  return s.deploymentController?.type ?? 'ECS';
}

/** Why a non-ECS controller is not updated in place, or undefined for the ECS controller. */
export function controllerReason(s: Service): string | undefined {
  const type = controllerOf(s);
  if (type === 'ECS') return undefined;
  return (
    `service ${nameOf(s.serviceArn ?? s.serviceName ?? '?')} uses the ${type} deployment controller: ` +
    `its network and deployment settings change through ${type === 'CODE_DEPLOY' ? 'CodeDeploy (a new task set)' : 'its external controller (a new task set)'}, not UpdateService; notify only`
  );
}
