/** DescribeServices for a service whose network configuration the event does not show. Not cached: services change. */
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { EnrichmentError, type ResourceScope } from '../engine/enrich';
import { serviceFromShape } from '../events/ecs-resources';
import { ServiceShape } from '../events/schemas';
import type { ServiceResource } from '../model/resources';
import { guarded, validated } from './errors';

const OP = 'ecs:DescribeServices';

/** `undefined` when the service (or its cluster) does not exist; EnrichmentError when we could not find out. */
export async function describeService(
  ecs: ECSClient,
  arn: string,
  clusterArn: string,
  scope: ResourceScope,
): Promise<ServiceResource | undefined> {
  let out;
  try {
    out = await guarded(OP, arn, () =>
      ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: [arn], include: ['TAGS'] })),
    );
  } catch (err) {
    if (err instanceof EnrichmentError && err.code === 'ClusterNotFoundException') return undefined;
    throw err;
  }
  const found = out.services?.[0];
  if (!found) {
    const reason = out.failures?.[0]?.reason ?? 'MISSING';
    if (reason === 'MISSING') return undefined;
    throw new EnrichmentError(OP, reason, false, `${OP} ${arn}: failure ${reason}`);
  }
  return serviceFromShape(
    validated(OP, arn, ServiceShape, found, 'services[0]'),
    scope.region,
    scope.account,
  );
}
