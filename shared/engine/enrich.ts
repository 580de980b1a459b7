/**
 * Enrichment: fill in what an event lacks (a task's task definition and public IP, a truncated
 * registration, a service whose network configuration the event does not show). The engine only sees
 * this interface; `shared/aws/enricher.ts` implements it with the AWS SDK and caches.
 */
import type { NormalizedEvent } from '../events/normalize';
import type { Resource, ServiceResource, TaskDefinitionResource, TaskResource } from '../model/resources';

export interface ResourceScope {
  readonly account: string;
  readonly region: string;
}

export interface Enricher {
  /** `undefined` when the task definition does not exist. */
  describeTaskDefinition(arn: string, scope: ResourceScope): Promise<TaskDefinitionResource | undefined>;
  /** Public IPv4 addresses of the given ENIs (empty when none). */
  publicIps(eniIds: readonly string[], scope: ResourceScope): Promise<string[]>;
  describeService(
    arn: string,
    clusterArn: string,
    scope: ResourceScope,
  ): Promise<ServiceResource | undefined>;
}

export async function enrichEvent(n: NormalizedEvent, enricher: Enricher): Promise<NormalizedEvent> {
  const scope: ResourceScope = { account: n.account, region: n.region };
  const resources: Resource[] = [];
  for (const r of n.resources) {
    if (r.kind === 'Task' && r.eniIds.length && r.lastStatus !== 'STOPPED' && r.publicIps === undefined) {
      resources.push({ ...r, publicIps: await enricher.publicIps(r.eniIds, scope) } satisfies TaskResource);
    } else if (r.kind === 'Service' && r.network === undefined) {
      // The event does not show the network configuration: read the service's current state.
      const current = await enricher.describeService(r.arn, r.clusterArn, scope);
      resources.push(current ? { ...current, ...definedOnly(r), network: current.network } : r);
    } else {
      resources.push(r);
    }
  }
  const known = new Set(resources.filter((r) => r.kind === 'TaskDefinition').map((r) => r.arn));
  const refs = [...n.taskDefinitionRefs];
  if (n.incomplete?.taskDefinition) refs.push(n.incomplete.taskDefinition);
  let completed = false;
  for (const arn of refs) {
    if (known.has(arn)) continue;
    const td = await enricher.describeTaskDefinition(arn, scope);
    if (!td) continue;
    known.add(td.arn);
    resources.push(td);
    if (arn === n.incomplete?.taskDefinition) completed = true;
  }
  const { incomplete, ...rest } = n;
  return { ...rest, resources, ...(incomplete && !completed ? { incomplete } : {}) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
