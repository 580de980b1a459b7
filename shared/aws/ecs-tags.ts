/**
 * The current tags of an ECS resource (ListTagsForResource) and the current state of a cluster
 * (DescribeClusters with settings and tags): what a TagResource / UntagResource event re-evaluates.
 * Not cached: tags are exactly what such an event just changed.
 */
import { DescribeClustersCommand, type ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { EnrichmentError, type ResourceScope } from '../engine/enrich';
import { clusterResource, tagsOf } from '../events/ecs-resources';
import { InvalidEventError } from '../events/errors';
import type { ClusterResource, Tags } from '../model/resources';
import { guarded } from './errors';

/** `undefined` when the resource does not exist; the tags (possibly none) otherwise. */
export async function listTags(ecs: ECSClient, arn: string): Promise<Tags | undefined> {
  const op = 'ecs:ListTagsForResource';
  try {
    const out = await guarded(op, arn, () => ecs.send(new ListTagsForResourceCommand({ resourceArn: arn })));
    return tagsOf(out.tags) ?? {};
  } catch (err) {
    // ECS answers InvalidParameterException / ClientException / ResourceNotFoundException for an unknown ARN.
    if (
      err instanceof EnrichmentError &&
      ['ResourceNotFoundException', 'ClientException', 'InvalidParameterException'].includes(err.code)
    )
      return undefined;
    throw err;
  }
}

/** `undefined` when the cluster does not exist. */
export async function describeCluster(
  ecs: ECSClient,
  arn: string,
  scope: ResourceScope,
): Promise<ClusterResource | undefined> {
  const op = 'ecs:DescribeClusters';
  const out = await guarded(op, arn, () =>
    ecs.send(new DescribeClustersCommand({ clusters: [arn], include: ['SETTINGS', 'TAGS'] })),
  );
  const found = out.clusters?.[0];
  if (!found) return undefined;
  let c: ClusterResource | undefined;
  try {
    c = clusterResource(found, 'clusters[0]', scope);
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    throw new EnrichmentError(
      op,
      'InvalidResponse',
      false,
      `${op} ${arn}: unexpected response: ${err.message}`,
    );
  }
  // include=TAGS was asked: no tags in the answer means the cluster has none.
  return c && { ...c, tags: c.tags ?? {} };
}
