/**
 * Enrichment: fill in what an event lacks (a task's task definition and public IP, a truncated
 * registration, a service whose network configuration the event does not show). The engine only sees
 * this interface; `shared/aws/enricher.ts` implements it with the AWS SDK and caches.
 */
import type { NormalizedEvent, TaggedRef } from '../events/normalize';
import type {
  ClusterResource,
  Resource,
  SecurityGroupResource,
  SecurityGroupUser,
  ServiceResource,
  Tags,
  TaskDefinitionResource,
  TaskResource,
  TaskRolePolicies,
} from '../model/resources';
import { GuardrailError } from '../base/errors';
import { serviceArn } from '../model/arn';

/** A service's ARN from a task's group, when the name is one ECS allows (else no read). */
function serviceArnOf(region: string, account: string, cluster: string, name: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,255}$/.test(name) ? serviceArn(region, account, cluster, name) : undefined;
}

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
  /** A task role's inline and attached policies (`exists: false` when the role does not exist). */
  rolePolicies?(roleArn: string, scope: ResourceScope): Promise<TaskRolePolicies>;
  /** A task's ENIs: public IPv4 addresses and security groups (one read; preferred over `publicIps`). */
  taskNetwork?(
    eniIds: readonly string[],
    scope: ResourceScope,
  ): Promise<{ publicIps: string[]; securityGroups: string[] }>;
  /** The security groups that exist among `groupIds` (without users). */
  securityGroups?(groupIds: readonly string[], scope: ResourceScope): Promise<SecurityGroupResource[]>;
  /** The current tags of an ECS resource; `undefined` when it does not exist. */
  listTags?(arn: string, scope: ResourceScope): Promise<Tags | undefined>;
  /** A cluster's current settings and tags; `undefined` when it does not exist. */
  describeCluster?(arn: string, scope: ResourceScope): Promise<ClusterResource | undefined>;
  /** The account's effective value of an ECS account setting (e.g. containerInsights) in a region. */
  accountSetting?(name: string, scope: ResourceScope): Promise<string | undefined>;
}

/** One enrichment read that failed: what the CLI reports (exit 2) and the pipeline logs. */
export interface EnrichmentFailure {
  readonly operation: string;
  readonly code: string;
  readonly retryable: boolean;
  readonly message: string;
  /** The SDK error (for the one AWS error classifier); never serialized. */
  readonly cause?: unknown;
}

/**
 * Thrown by an Enricher when it could not find out (access denied, throttled after its retries, network
 * or credential failure); "does not exist" is `undefined`, not an error. `enrichEvent` leaves the fact
 * unknown (so no rule fires on it) and reports the event as incomplete with this message.
 */
export class EnrichmentError extends GuardrailError {
  override readonly name = 'EnrichmentError';
  /** e.g. `ecs:DescribeTaskDefinition`. */
  readonly operation: string;
  /** The AWS error code (AccessDeniedException, ThrottlingException, ...) or the error's name. */
  readonly code: string;
  /** True when trying again later may succeed (throttling, 5xx, network). */
  readonly retryable: boolean;

  constructor(operation: string, code: string, retryable: boolean, message: string, options?: ErrorOptions) {
    super(message, options);
    this.operation = operation;
    this.code = code;
    this.retryable = retryable;
  }
}

export async function enrichEvent(n: NormalizedEvent, enricher: Enricher): Promise<NormalizedEvent> {
  const scope: ResourceScope = { account: n.account, region: n.region };
  const failures: EnrichmentFailure[] = [];
  const attempt = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof EnrichmentError)) throw err;
      const { operation, code, retryable, message, cause } = err;
      failures.push({ operation, code, retryable, message, ...(cause !== undefined ? { cause } : {}) });
      return undefined;
    }
  };
  const resources: Resource[] = [];
  /** Security groups of a task's ENIs, by task ARN (a Task State Change names no group itself). */
  const eniGroups = new Map<string, readonly string[]>();
  for (const r of n.resources) {
    if (r.kind === 'Task' && r.eniIds.length && r.lastStatus !== 'STOPPED' && r.publicIps === undefined) {
      if (enricher.taskNetwork) {
        const net = await attempt(() => enricher.taskNetwork!(r.eniIds, scope));
        if (net) eniGroups.set(r.arn, net.securityGroups);
        resources.push(net ? ({ ...r, publicIps: net.publicIps } satisfies TaskResource) : r);
        continue;
      }
      const publicIps = await attempt(() => enricher.publicIps(r.eniIds, scope));
      resources.push(publicIps ? ({ ...r, publicIps } satisfies TaskResource) : r);
    } else if (r.kind === 'Task' && r.runtimeThreat && r.group?.startsWith('service:') && r.clusterArn) {
      // A GuardDuty finding names the task; the owner (team) tags are usually the service's: the task's
      // own tags win over them.
      const name = r.group.slice('service:'.length);
      const svcArn = serviceArnOf(r.region, r.account, r.clusterArn, name);
      const svc = svcArn
        ? await attempt(() => enricher.describeService(svcArn, r.clusterArn!, scope))
        : undefined;
      resources.push(svc?.tags ? ({ ...r, tags: { ...svc.tags, ...r.tags } } satisfies TaskResource) : r);
    } else if (r.kind === 'Service' && r.network === undefined) {
      // The event does not show the network configuration: read the service's current state.
      const current = await attempt(() => enricher.describeService(r.arn, r.clusterArn, scope));
      resources.push(current ? { ...current, ...definedOnly(r), network: current.network } : r);
    } else if (r.kind === 'Cluster' && r.containerInsightsFromAccount && enricher.accountSetting) {
      const read = enricher.accountSetting.bind(enricher);
      const value = await attempt(() => read('containerInsights', scope));
      resources.push(value ? ({ ...r, accountContainerInsights: value } satisfies ClusterResource) : r);
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
    const td = await attempt(() => enricher.describeTaskDefinition(arn, scope));
    if (!td) continue;
    known.add(td.arn);
    resources.push(td);
    if (arn === n.incomplete?.taskDefinition) completed = true;
  }
  const tagged = n.incomplete?.tagged;
  if (tagged && canReadCurrent(tagged, enricher)) {
    const failedBefore = failures.length;
    const current = await attempt(() => currentResource(tagged, enricher, scope));
    if (current) {
      resources.push(current);
      if (current.kind === 'TaskDefinition') known.add(current.arn);
    }
    // Read, or answered "does not exist" (deleted since: no tags to check): either way complete.
    if (failures.length === failedBefore) completed = true;
  }
  const notes: string[] = [];
  await withTaskRoles(resources, enricher, attempt, notes);
  await withSecurityGroups(resources, enricher, attempt, eniGroups);
  const { incomplete: before, ...rest } = n;
  // What enrichment could not find out, and what it found does not exist (a task role): both say why a
  // rule gave no verdict.
  const problems =
    [
      ...(failures.length ? [`enrichment failed: ${failures.map((f) => f.message).join('; ')}`] : []),
      ...notes,
    ].join('; ') || undefined;
  const still = before && !completed ? before : undefined;
  const incomplete =
    still && problems
      ? { ...still, reason: `${still.reason}; ${problems}` }
      : (still ?? (problems ? { reason: problems } : undefined));
  return {
    ...rest,
    resources,
    ...(incomplete ? { incomplete } : {}),
    ...(failures.length ? { enrichmentFailures: failures } : {}),
  };
}

type Attempt = <T>(call: () => Promise<T>) => Promise<T | undefined>;

/**
 * What a TagResource / UntagResource changed, read as it is now: a service or cluster described (with
 * its tags), a task definition revision described (immutable, cached) with its current tags
 * (ListTagsForResource: tags are the one mutable part of a revision).
 */
async function currentResource(
  tagged: TaggedRef,
  enricher: Enricher,
  scope: ResourceScope,
): Promise<Resource | undefined> {
  switch (tagged.kind) {
    case 'Service': {
      const s = await enricher.describeService(tagged.arn, tagged.clusterArn ?? '', scope);
      return s && { ...s, tags: s.tags ?? {} };
    }
    case 'Cluster':
      return enricher.describeCluster?.(tagged.arn, scope);
    case 'TaskDefinition': {
      if (!enricher.listTags) return undefined;
      const [td, tags] = await Promise.all([
        enricher.describeTaskDefinition(tagged.arn, scope),
        enricher.listTags(tagged.arn, scope),
      ]);
      return td && tags ? { ...td, tags } : undefined;
    }
  }
}

function canReadCurrent(tagged: TaggedRef, enricher: Enricher): boolean {
  if (tagged.kind === 'Cluster') return enricher.describeCluster !== undefined;
  if (tagged.kind === 'TaskDefinition') return enricher.listTags !== undefined;
  return true;
}

/** Every task definition with a task role gets the role's policies (cached per role for a bounded time). */
async function withTaskRoles(
  resources: Resource[],
  enricher: Enricher,
  attempt: Attempt,
  notes: string[],
): Promise<void> {
  if (!enricher.rolePolicies) return;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    if (r.kind !== 'TaskDefinition' || !r.taskRoleArn || r.taskRole) continue;
    const roleArn = r.taskRoleArn;
    const taskRole = await attempt(() =>
      enricher.rolePolicies!(roleArn, { account: r.account, region: r.region }),
    );
    if (!taskRole) continue;
    if (!taskRole.exists)
      notes.push(`task role ${roleArn} of ${r.arn} does not exist: its policies were not checked`);
    resources[i] = { ...r, taskRole } satisfies TaskDefinitionResource;
  }
}

/** The security groups the event's services, task sets and tasks name, each with the workloads using it. */
async function withSecurityGroups(
  resources: Resource[],
  enricher: Enricher,
  attempt: Attempt,
  eniGroups: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  if (!enricher.securityGroups) return;
  const users = new Map<
    string,
    { scope: ResourceScope; ids: Set<string>; by: Map<string, SecurityGroupUser[]> }
  >();
  for (const r of resources) {
    if (r.kind !== 'Service' && r.kind !== 'TaskSet' && r.kind !== 'Task') continue;
    const ids = [...new Set([...(r.network?.securityGroups ?? []), ...(eniGroups.get(r.arn) ?? [])])];
    if (!ids.length) continue;
    const publicIp =
      r.network?.assignPublicIp === 'ENABLED' || (r.kind === 'Task' && (r.publicIps?.length ?? 0) > 0);
    const key = `${r.account}/${r.region}`;
    let u = users.get(key);
    if (!u)
      users.set(
        key,
        (u = { scope: { account: r.account, region: r.region }, ids: new Set(), by: new Map() }),
      );
    for (const id of ids) {
      u.ids.add(id);
      const list = u.by.get(id) ?? [];
      list.push({ arn: r.arn, publicIp });
      u.by.set(id, list);
    }
  }
  for (const u of users.values()) {
    const groups = await attempt(() => enricher.securityGroups!([...u.ids], u.scope));
    for (const g of groups ?? []) resources.push({ ...g, usedBy: u.by.get(g.groupId) ?? [] });
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
