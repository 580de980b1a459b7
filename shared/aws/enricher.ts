/**
 * The engine's Enricher backed by the AWS SDK (docs/enrichment.md): DescribeTaskDefinition (cached per
 * revision), EC2 DescribeNetworkInterfaces (task ENI public IPs) and DescribeServices. Failures never
 * crash a batch: they surface as EnrichmentError, which the engine reports as "incomplete".
 *
 * Every read happens in the event's account: the home account with the ambient credentials, a member
 * account through its read role (`credentials`, one CrossAccountCredentials for that role). A resource
 * ARN naming another account than the event's is not read at all (an event cannot make the guardrail
 * read a third account). A member account whose role cannot be assumed gives the incomplete reason
 * "no access to account X (role Y)", counted in the `EnrichmentNoAccess` metric (dimension `account`).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { TtlCache } from '../base/ttl-cache';
import { EnrichmentError, type Enricher, type ResourceScope } from '../engine/enrich';
import type { Logger } from '../model/logger';
import { noMetrics, type Metrics } from '../model/metrics';
import type {
  ClusterResource,
  SecurityGroupResource,
  ServiceResource,
  Tags,
  TaskDefinitionResource,
  TaskRolePolicies,
} from '../model/resources';
import type { CredentialsSource } from './client-pool';
import type { OrganizationPolicy } from '../policy/types';
import { ClientPool, defaultClientFactory, type ClientFactory } from './clients';
import { memberRoleCredentials } from './credentials';
import { guarded, isAuthFailure, NO_ACCESS } from './errors';
import { describeService } from './services';
import {
  describeTaskDefinition,
  TaskDefinitionCache,
  type TaskDefinitionCacheOptions,
} from './task-definitions';

export { EnrichmentError } from '../engine/enrich';
export type { ClientFactory } from './clients';

export interface AwsEnricherOptions {
  /** Clients used for every account and region (tests). Kinds not given come from the factory. */
  readonly clients?: { readonly ecs?: ECSClient; readonly ec2?: EC2Client; readonly iam?: IAMClient };
  /** Creates clients per (account, region); default: ambient credentials, adaptive retries. */
  readonly clientFactory?: ClientFactory;
  /** Attempts per call for the default factory's clients (default 5). */
  readonly maxAttempts?: number;
  /**
   * The default factory's credentials per account: a CrossAccountCredentials for the member accounts'
   * read role (createReadCredentials). Without it every account is read with the ambient credentials.
   */
  readonly credentials?: CredentialsSource;
  /** `EnrichmentNoAccess` (dimension `account`) per read refused for lack of access. */
  readonly metrics?: Metrics;
  readonly logger?: Pick<Logger, 'warn'>;
  readonly taskDefinitionCache?: TaskDefinitionCacheOptions;
  /**
   * After a credential/authentication failure (no credentials, expired or unknown token, bad signature)
   * calls for that (account, region) fail fast for this long, in ms (default 60,000; 0: never).
   */
  readonly authFailureCooldownMs?: number;
  /**
   * How long a task role's policies and a security group are served from memory, in ms (default
   * 300,000: 5 minutes). Both are mutable: a policy or a rule changed meanwhile is seen after at most this
   * long; a longer time saves IAM and EC2 calls on busy clusters. 0: read on every event.
   */
  readonly mutableTtlMs?: number;
  readonly now?: () => number;
}

/** Default time a role's policies and a security group are cached (docs/enrichment.md). */
export const DEFAULT_MUTABLE_TTL_MS = 5 * 60_000;

/**
 * `arn:aws:ecs:eu-west-1:111122223333:...` -> that region, else the event's. The account must be the
 * event's: ECS resources never reference another account's task definition or service, so an ARN that
 * names one is an event lying about its resource, and reading it would use another account's role.
 */
function scopeOfArn(operation: string, arn: string, event: ResourceScope): ResourceScope {
  const [prefix, , , region, account] = arn.split(':');
  if (prefix !== 'arn' || !region || !account || !/^\d{12}$/.test(account)) return event;
  if (account !== event.account)
    throw new EnrichmentError(
      operation,
      'AccountMismatch',
      false,
      `${operation} ${arn}: names account ${account}, the event is from account ${event.account}: not read`,
    );
  return { account, region };
}

/**
 * `arn:aws:iam::111122223333:role/x` -> the event's scope. A task role lives in the task definition's
 * account (ECS passes no role of another account), so a role of another account is, as above, an event
 * lying about its resource: not read.
 */
function scopeOfIamArn(operation: string, arn: string, event: ResourceScope): ResourceScope {
  const account = arn.split(':')[4];
  if (account && /^\d{12}$/.test(account) && account !== event.account)
    throw new EnrichmentError(
      operation,
      'AccountMismatch',
      false,
      `${operation} ${arn}: names account ${account}, the event is from account ${event.account}: not read`,
    );
  return event;
}

/** `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-iso-east-1`, `eu-isoe-west-1`, ... */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export class AwsEnricher implements Enricher {
  private readonly pool: ClientPool;
  private readonly taskDefinitions: TaskDefinitionCache;
  private readonly blocked = new Map<string, { code: string; message: string; until: number }>();
  private readonly authFailureCooldownMs: number;
  private readonly now: () => number;
  private readonly metrics: Metrics;
  /** Per role ARN. */
  readonly roleCache: TtlCache<TaskRolePolicies>;
  /** Per account, region and group id; `null`: the group does not exist. */
  readonly securityGroupCache: TtlCache<SecurityGroupResource | null>;

  constructor(private readonly options: AwsEnricherOptions = {}) {
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics ?? noMetrics;
    const defaults = defaultClientFactory({
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    // A factory without an IAM client (tests) gets the default one, with the same credentials per account.
    this.pool = new ClientPool(options.clientFactory ?? defaults, options.clients, defaults);
    const ttlMs = options.mutableTtlMs ?? DEFAULT_MUTABLE_TTL_MS;
    this.roleCache = new TtlCache({ ttlMs, now: this.now });
    this.securityGroupCache = new TtlCache({ ttlMs, maxEntries: 5_000, now: this.now });
    this.taskDefinitions = new TaskDefinitionCache({ now: this.now, ...options.taskDefinitionCache });
    this.authFailureCooldownMs = options.authFailureCooldownMs ?? 60_000;
  }

  async describeTaskDefinition(
    arn: string,
    scope: ResourceScope,
  ): Promise<TaskDefinitionResource | undefined> {
    const op = 'ecs:DescribeTaskDefinition';
    const s = scopeOfArn(op, arn, scope);
    // The cache is keyed by the full ARN, which holds the account and region: never by family alone.
    return this.taskDefinitions.get(arn, () =>
      this.call(op, arn, s, async () => describeTaskDefinition(await this.ecs(s), arn, s)),
    );
  }

  publicIps(eniIds: readonly string[], scope: ResourceScope): Promise<string[]> {
    if (!eniIds.length) return Promise.resolve([]);
    return this.call('ec2:DescribeNetworkInterfaces', eniIds.join(','), scope, async () => {
      const ec2 = await this.ec2(scope);
      const { publicIps } = await import('./network-interfaces');
      return publicIps(ec2, eniIds);
    });
  }

  async describeService(
    arn: string,
    clusterArn: string,
    scope: ResourceScope,
  ): Promise<ServiceResource | undefined> {
    const op = 'ecs:DescribeServices';
    const s = scopeOfArn(op, arn, scope);
    scopeOfArn(op, clusterArn, scope);
    return this.call(op, arn, s, async () => describeService(await this.ecs(s), arn, clusterArn, s));
  }

  taskNetwork(
    eniIds: readonly string[],
    scope: ResourceScope,
  ): Promise<{ publicIps: string[]; securityGroups: string[] }> {
    if (!eniIds.length) return Promise.resolve({ publicIps: [], securityGroups: [] });
    return this.call('ec2:DescribeNetworkInterfaces', eniIds.join(','), scope, async () => {
      const ec2 = await this.ec2(scope);
      const { taskNetwork } = await import('./network-interfaces');
      return taskNetwork(ec2, eniIds);
    });
  }

  async rolePolicies(roleArn: string, scope: ResourceScope): Promise<TaskRolePolicies> {
    const op = 'iam:ListRolePolicies';
    const s = scopeOfIamArn(op, roleArn, scope);
    // Keyed by the role ARN, which holds the account.
    return this.roleCache.get(roleArn, () =>
      this.call(op, roleArn, s, async () => {
        const iam = await guarded('iam:client', `${s.account}/${s.region}`, () => this.pool.iam(s));
        const { readRolePolicies } = await import('./iam-role-policies');
        return readRolePolicies(iam, roleArn);
      }),
    );
  }

  async securityGroups(groupIds: readonly string[], scope: ResourceScope): Promise<SecurityGroupResource[]> {
    if (!groupIds.length) return [];
    const prefix = `${scope.account}/${scope.region}/`;
    const found = await this.securityGroupCache.getMany(
      groupIds.map((id) => prefix + id),
      (missing) =>
        this.call('ec2:DescribeSecurityGroups', missing.join(','), scope, async () => {
          const ec2 = await this.ec2(scope);
          const { describeSecurityGroups } = await import('./security-groups');
          const ids = missing.map((k) => k.slice(prefix.length));
          const groups = await describeSecurityGroups(ec2, ids, scope);
          return new Map([...groups].map(([id, g]) => [prefix + id, g]));
        }),
      null,
    );
    return [...found.values()].filter((g): g is SecurityGroupResource => g !== null);
  }

  async listTags(arn: string, scope: ResourceScope): Promise<Tags | undefined> {
    const op = 'ecs:ListTagsForResource';
    const s = scopeOfArn(op, arn, scope);
    return this.call(op, arn, s, async () => {
      const { listTags } = await import('./ecs-tags');
      return listTags(await this.ecs(s), arn);
    });
  }

  async describeCluster(arn: string, scope: ResourceScope): Promise<ClusterResource | undefined> {
    const op = 'ecs:DescribeClusters';
    const s = scopeOfArn(op, arn, scope);
    return this.call(op, arn, s, async () => {
      const { describeCluster } = await import('./ecs-tags');
      return describeCluster(await this.ecs(s), arn, s);
    });
  }

  /** Clients, with a failure to create one (e.g. the read role refused) reported as EnrichmentError. */
  private ecs(scope: ResourceScope): Promise<ECSClient> {
    return guarded('ecs:client', `${scope.account}/${scope.region}`, () => this.pool.ecs(scope));
  }

  private ec2(scope: ResourceScope): Promise<EC2Client> {
    return guarded('ec2:client', `${scope.account}/${scope.region}`, () => this.pool.ec2(scope));
  }

  /**
   * Fail fast while a recent authentication failure or access refusal blocks the scope; remember new
   * ones. A refusal of the account's read role is counted per read (EnrichmentNoAccess).
   */
  private async call<T>(
    operation: string,
    subject: string,
    scope: ResourceScope,
    run: () => Promise<T>,
  ): Promise<T> {
    // The region ends up in the endpoint's host name: a made-up one is never used (nor echoed).
    if (!AWS_REGION.test(scope.region))
      throw new EnrichmentError(
        operation,
        'InvalidRegion',
        false,
        `${operation}: the region is not an AWS region name: not read`,
      );
    const key = `${scope.account}/${scope.region}`;
    const blocked = this.blocked.get(key);
    if (blocked && blocked.until > this.now()) {
      const ago = `less than ${Math.ceil(this.authFailureCooldownMs / 1000)} s ago`;
      if (blocked.code === NO_ACCESS) {
        this.metrics.countWith('EnrichmentNoAccess', { account: scope.account });
        throw new EnrichmentError(operation, NO_ACCESS, false, `${blocked.message} (refused ${ago})`);
      }
      throw new EnrichmentError(
        operation,
        blocked.code,
        false,
        `${operation} ${subject}: skipped: ${blocked.code} in ${key} ${ago}`,
      );
    }
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof EnrichmentError)) throw err;
      if (err.code === NO_ACCESS) {
        this.metrics.countWith('EnrichmentNoAccess', { account: scope.account });
        this.options.logger?.warn('enrichment: no access to the account', {
          account: scope.account,
          region: scope.region,
          operation,
          reason: err.message,
        });
      }
      if (
        (isAuthFailure(err.code) || (err.code === NO_ACCESS && !err.retryable)) &&
        this.authFailureCooldownMs > 0
      ) {
        this.blocked.set(key, {
          code: err.code,
          message: err.message,
          until: this.now() + this.authFailureCooldownMs,
        });
      }
      throw err;
    }
  }
}

/**
 * The Enricher for `guardrail evaluate --enrich` and the Lambdas. Creates no client until one is needed.
 * With the policy's `organization` section, member accounts are read through their read role
 * (`organization.readRoleName`); the home account with the ambient credentials.
 */
export async function createAwsEnricher(
  options: AwsEnricherOptions & { readonly organization?: OrganizationPolicy } = {},
): Promise<Enricher> {
  const { organization, ...rest } = options;
  const credentials =
    rest.credentials ?? (organization ? memberRoleCredentials('read', organization) : undefined);
  return new AwsEnricher({ ...rest, ...(credentials ? { credentials } : {}) });
}
