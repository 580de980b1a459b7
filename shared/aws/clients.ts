/**
 * SDK clients for enrichment: one per (account, region) and kind, created on first use, with the
 * account's credentials (the member account's read role, or the ambient ones for the home account). The
 * ECS client is loaded with this module; the EC2 SDK only when an ENI lookup needs it (it is the heavier
 * package and CloudTrail-only handlers never use it).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ResourceScope } from '../engine/enrich';
import { awsClientConfig, ClientCache, providerFor, RETRY_PROFILES } from './client-pool';
import type { CredentialsSource } from './client-pool';

/** Creates the clients for one (account, region). Called at most once per pair and client kind. */
export interface ClientFactory {
  ecs(scope: ResourceScope): ECSClient | Promise<ECSClient>;
  ec2(scope: ResourceScope): EC2Client | Promise<EC2Client>;
}

/** Attempts per call (first try included) for the default clients. */
export const DEFAULT_MAX_ATTEMPTS = RETRY_PROFILES.enrich.maxAttempts;

export interface EnrichClientOptions {
  readonly maxAttempts?: number;
  /**
   * Credentials per account: the home account's are the ambient ones, a member account's come from its
   * read role (shared/aws/credentials.ts). Without a source every account is read with the ambient
   * credentials (a single-account deployment, tests).
   */
  readonly credentials?: CredentialsSource;
}

/**
 * The configuration of one enrichment client for a scope: the `enrich` retry profile (client-pool.ts),
 * the scope's region, and the scope's account's credentials. Every client kind enrichment reads with
 * (ECS, EC2, and any later one) is built on it, so a read always happens in the event's account.
 * Throws AccountAccessError when the account's role cannot be assumed.
 */
export async function enrichClientConfig(scope: ResourceScope, options: EnrichClientOptions = {}) {
  const assumed = options.credentials
    ? await providerFor(options.credentials, scope.account, scope.region)
    : undefined;
  return awsClientConfig('enrich', {
    region: scope.region,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(assumed ? { credentials: assumed.provider } : {}),
  });
}

/** One client per (account, region) and kind, each with that account's credentials (enrichClientConfig). */
export function defaultClientFactory(options: EnrichClientOptions = {}): ClientFactory {
  return {
    ecs: async (scope) => new ECSClient(await enrichClientConfig(scope, options)),
    // A relative import, so bundles turn it into a lazy require() of the CJS build (an `import()` of the
    // package itself would load its ESM build next to the CJS one).
    ec2: async (scope) =>
      (await import('./network-interfaces')).createEc2Client(await enrichClientConfig(scope, options)),
  };
}

/** Memoizes a factory per (account, region) and client kind; a factory failure is not remembered. */
export class ClientPool {
  private readonly clients = new ClientCache<ECSClient | EC2Client>();

  constructor(
    private readonly factory: ClientFactory,
    private readonly fixed: { readonly ecs?: ECSClient; readonly ec2?: EC2Client } = {},
  ) {}

  ecs(scope: ResourceScope): Promise<ECSClient> {
    if (this.fixed.ecs) return Promise.resolve(this.fixed.ecs);
    return this.clients.get(`ecs/enrich/${scope.account}/${scope.region}`, () => this.factory.ecs(scope));
  }

  ec2(scope: ResourceScope): Promise<EC2Client> {
    if (this.fixed.ec2) return Promise.resolve(this.fixed.ec2);
    return this.clients.get(`ec2/enrich/${scope.account}/${scope.region}`, () => this.factory.ec2(scope));
  }
}
