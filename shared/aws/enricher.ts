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
import { EnrichmentError, type Enricher, type ResourceScope } from '../engine/enrich';
import type { Logger } from '../model/logger';
import { noMetrics, type Metrics } from '../model/metrics';
import type { ServiceResource, TaskDefinitionResource } from '../model/resources';
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
  readonly clients?: { readonly ecs?: ECSClient; readonly ec2?: EC2Client };
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
  readonly now?: () => number;
}

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

/** `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-iso-east-1`, `eu-isoe-west-1`, ... */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export class AwsEnricher implements Enricher {
  private readonly pool: ClientPool;
  private readonly taskDefinitions: TaskDefinitionCache;
  private readonly blocked = new Map<string, { code: string; message: string; until: number }>();
  private readonly authFailureCooldownMs: number;
  private readonly now: () => number;
  private readonly metrics: Metrics;

  constructor(private readonly options: AwsEnricherOptions = {}) {
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics ?? noMetrics;
    const factory =
      options.clientFactory ??
      defaultClientFactory({
        ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
    this.pool = new ClientPool(factory, options.clients);
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
