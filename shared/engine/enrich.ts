/**
 * Enrichment: fill in what an event lacks (a task's task definition and public IP, a truncated
 * registration, a service whose network configuration the event does not show). The engine only sees
 * this interface; `shared/aws/enricher.ts` implements it with the AWS SDK and caches.
 */
import type { NormalizedEvent } from '../events/normalize';
import type {
  ClusterResource,
  Resource,
  ServiceResource,
  TaskDefinitionResource,
  TaskResource,
} from '../model/resources';
import { GuardrailError } from '../base/errors';

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
  for (const r of n.resources) {
    if (r.kind === 'Task' && r.eniIds.length && r.lastStatus !== 'STOPPED' && r.publicIps === undefined) {
      const publicIps = await attempt(() => enricher.publicIps(r.eniIds, scope));
      resources.push(publicIps ? ({ ...r, publicIps } satisfies TaskResource) : r);
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
  const { incomplete: before, ...rest } = n;
  const failed = failures.length
    ? `enrichment failed: ${failures.map((f) => f.message).join('; ')}`
    : undefined;
  const still = before && !completed ? before : undefined;
  const incomplete =
    still && failed
      ? { ...still, reason: `${still.reason}; ${failed}` }
      : (still ?? (failed ? { reason: failed } : undefined));
  return {
    ...rest,
    resources,
    ...(incomplete ? { incomplete } : {}),
    ...(failures.length ? { enrichmentFailures: failures } : {}),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
