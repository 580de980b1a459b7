/**
 * The engine's Enricher backed by the AWS SDK (docs/enrichment.md): DescribeTaskDefinition (cached per
 * revision), EC2 DescribeNetworkInterfaces (task ENI public IPs) and DescribeServices. Failures never
 * crash a batch: they surface as EnrichmentError, which the engine reports as "incomplete".
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { EnrichmentError, type Enricher, type ResourceScope } from '../engine/enrich';
import type { ServiceResource, TaskDefinitionResource } from '../model/resources';
import { ClientPool, defaultClientFactory, type ClientFactory } from './clients';
import { guarded, isAuthFailure } from './errors';
import {
  AccountSettingCache,
  effectiveAccountSetting,
  type AccountSettingCacheOptions,
} from './account-settings';
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
  readonly taskDefinitionCache?: TaskDefinitionCacheOptions;
  /** Account settings (the ECS.12 account default) are kept this long per account and region. */
  readonly accountSettingCache?: AccountSettingCacheOptions;
  /**
   * After a credential/authentication failure (no credentials, expired or unknown token, bad signature)
   * calls for that (account, region) fail fast for this long, in ms (default 60,000; 0: never).
   */
  readonly authFailureCooldownMs?: number;
  readonly now?: () => number;
}

/** `arn:aws:ecs:eu-west-1:111122223333:...` -> that account and region, else the event's. */
function scopeOfArn(arn: string, fallback: ResourceScope): ResourceScope {
  const [prefix, , , region, account] = arn.split(':');
  return prefix === 'arn' && region && account && /^\d{12}$/.test(account) ? { account, region } : fallback;
}

export class AwsEnricher implements Enricher {
  private readonly pool: ClientPool;
  private readonly taskDefinitions: TaskDefinitionCache;
  private readonly accountSettings: AccountSettingCache;
  private readonly blocked = new Map<string, { code: string; until: number }>();
  private readonly authFailureCooldownMs: number;
  private readonly now: () => number;

  constructor(options: AwsEnricherOptions = {}) {
    this.now = options.now ?? Date.now;
    const factory =
      options.clientFactory ??
      defaultClientFactory(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {});
    this.pool = new ClientPool(factory, options.clients);
    this.taskDefinitions = new TaskDefinitionCache({ now: this.now, ...options.taskDefinitionCache });
    this.accountSettings = new AccountSettingCache({ now: this.now, ...options.accountSettingCache });
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

  accountSetting(name: string, scope: ResourceScope): Promise<string> {
    return this.accountSettings.get(name, scope, () =>
      this.call('ecs:ListAccountSettings', name, scope, async () =>
        effectiveAccountSetting(await this.ecs(scope), name, scope),
      ),
    );
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
