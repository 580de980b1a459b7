/**
 * The engine's Enricher backed by the AWS SDK (docs/enrichment.md): DescribeTaskDefinition (cached per
 * revision), EC2 DescribeNetworkInterfaces (task ENI public IPs) and DescribeServices. Failures never
 * crash a batch: they surface as EnrichmentError, which the engine reports as "incomplete".
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { TtlCache } from '../base/ttl-cache';
import { EnrichmentError, type Enricher, type ResourceScope } from '../engine/enrich';
import type {
  ClusterResource,
  SecurityGroupResource,
  ServiceResource,
  Tags,
  TaskDefinitionResource,
  TaskRolePolicies,
} from '../model/resources';
import { ClientPool, defaultClientFactory, type ClientFactory } from './clients';
import { guarded, isAuthFailure } from './errors';
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

/** `arn:aws:ecs:eu-west-1:111122223333:...` -> that account and region, else the event's. */
function scopeOfArn(arn: string, fallback: ResourceScope): ResourceScope {
  const [prefix, , , region, account] = arn.split(':');
  return prefix === 'arn' && region && account && /^\d{12}$/.test(account) ? { account, region } : fallback;
}

/** `arn:aws:iam::111122223333:role/x` -> that account (IAM ARNs have no region: the event's is kept). */
function scopeOfIamArn(arn: string, fallback: ResourceScope): ResourceScope {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? { account, region: fallback.region } : fallback;
}

export class AwsEnricher implements Enricher {
  private readonly pool: ClientPool;
  private readonly taskDefinitions: TaskDefinitionCache;
  private readonly blocked = new Map<string, { code: string; until: number }>();
  private readonly authFailureCooldownMs: number;
  private readonly now: () => number;
  /** Per role ARN. */
  readonly roleCache: TtlCache<TaskRolePolicies>;
  /** Per account, region and group id; `null`: the group does not exist. */
  readonly securityGroupCache: TtlCache<SecurityGroupResource | null>;

  constructor(options: AwsEnricherOptions = {}) {
    this.now = options.now ?? Date.now;
    const factory =
      options.clientFactory ??
      defaultClientFactory(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {});
    this.pool = new ClientPool(factory, options.clients, defaultClientFactory());
    const ttlMs = options.mutableTtlMs ?? DEFAULT_MUTABLE_TTL_MS;
    this.roleCache = new TtlCache({ ttlMs, now: this.now });
    this.securityGroupCache = new TtlCache({ ttlMs, maxEntries: 5_000, now: this.now });
    this.taskDefinitions = new TaskDefinitionCache({ now: this.now, ...options.taskDefinitionCache });
    this.authFailureCooldownMs = options.authFailureCooldownMs ?? 60_000;
  }

  describeTaskDefinition(arn: string, scope: ResourceScope): Promise<TaskDefinitionResource | undefined> {
    const s = scopeOfArn(arn, scope);
    return this.taskDefinitions.get(arn, () =>
      this.call('ecs:DescribeTaskDefinition', arn, s, async () =>
        describeTaskDefinition(await this.ecs(s), arn, s),
      ),
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

  describeService(
    arn: string,
    clusterArn: string,
    scope: ResourceScope,
  ): Promise<ServiceResource | undefined> {
    const s = scopeOfArn(arn, scope);
    return this.call('ecs:DescribeServices', arn, s, async () =>
      describeService(await this.ecs(s), arn, clusterArn, s),
    );
  }

  rolePolicies(roleArn: string, scope: ResourceScope): Promise<TaskRolePolicies> {
    // The role's own account (a task role of another account is read through that account's clients).
    const s = scopeOfIamArn(roleArn, scope);
    return this.roleCache.get(roleArn, () =>
      this.call('iam:ListRolePolicies', roleArn, s, async () => {
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

  listTags(arn: string, scope: ResourceScope): Promise<Tags | undefined> {
    const s = scopeOfArn(arn, scope);
    return this.call('ecs:ListTagsForResource', arn, s, async () => {
      const { listTags } = await import('./ecs-tags');
      return listTags(await this.ecs(s), arn);
    });
  }

  describeCluster(arn: string, scope: ResourceScope): Promise<ClusterResource | undefined> {
    const s = scopeOfArn(arn, scope);
    return this.call('ecs:DescribeClusters', arn, s, async () => {
      const { describeCluster } = await import('./ecs-tags');
      return describeCluster(await this.ecs(s), arn, s);
    });
  }

  /** Clients, with a failure to create one (e.g. a future cross-account role) reported as EnrichmentError. */
  private ecs(scope: ResourceScope): Promise<ECSClient> {
    return guarded('ecs:client', `${scope.account}/${scope.region}`, () => this.pool.ecs(scope));
  }

  private ec2(scope: ResourceScope): Promise<EC2Client> {
    return guarded('ec2:client', `${scope.account}/${scope.region}`, () => this.pool.ec2(scope));
  }

  /** Fail fast while a recent authentication failure blocks the scope; remember new ones. */
  private async call<T>(
    operation: string,
    subject: string,
    scope: ResourceScope,
    run: () => Promise<T>,
  ): Promise<T> {
    const key = `${scope.account}/${scope.region}`;
    const blocked = this.blocked.get(key);
    if (blocked && blocked.until > this.now()) {
      throw new EnrichmentError(
        operation,
        blocked.code,
        false,
        `${operation} ${subject}: skipped: ${blocked.code} in ${key} less than ${Math.ceil(this.authFailureCooldownMs / 1000)} s ago`,
      );
    }
    try {
      return await run();
    } catch (err) {
      if (err instanceof EnrichmentError && isAuthFailure(err.code) && this.authFailureCooldownMs > 0) {
        this.blocked.set(key, { code: err.code, until: this.now() + this.authFailureCooldownMs });
      }
      throw err;
    }
  }
}

/** The Enricher for `guardrail evaluate --enrich` and the Lambdas. Creates no client until one is needed. */
export async function createAwsEnricher(options: AwsEnricherOptions = {}): Promise<Enricher> {
  return new AwsEnricher(options);
}
