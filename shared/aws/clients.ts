/**
 * SDK clients for enrichment: one per (account, region), created on first use. The ECS client is
 * loaded with this module; the EC2 SDK only when an ENI lookup needs it (it is the heavier package and
 * CloudTrail-only handlers never use it).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ResourceScope } from '../engine/enrich';
import { awsClientConfig, ClientCache, providerFor, RETRY_PROFILES } from './client-pool';
import type { CredentialsSource } from './client-pool';

/** Creates the clients for one (account, region). Called at most once per pair and client kind. */
export interface ClientFactory {
  ecs(scope: ResourceScope): ECSClient | Promise<ECSClient>;
  ec2(scope: ResourceScope): EC2Client | Promise<EC2Client>;
  /** IAM (task role policies); factories without it get the default one's. */
  iam?(scope: ResourceScope): IAMClient | Promise<IAMClient>;
}

/** Attempts per call (first try included) for the default clients. */
export const DEFAULT_MAX_ATTEMPTS = RETRY_PROFILES.enrich.maxAttempts;

/**
 * Ambient credentials (the Lambda role, or the CLI user's profile), one client per region, the `enrich`
 * retry profile (client-pool.ts). The account is ignored until a member-account read role exists: a
 * factory that assumes one receives the scope's account.
 */
export function defaultClientFactory(
  options: { maxAttempts?: number; credentials?: CredentialsSource } = {},
): ClientFactory {
  const config = async (scope: ResourceScope) => {
    const assumed = options.credentials
      ? await providerFor(options.credentials, scope.account, scope.region)
      : undefined;
    return awsClientConfig('enrich', {
      region: scope.region,
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(assumed ? { credentials: assumed.provider } : {}),
    });
  };
  return {
    ecs: async (scope) => new ECSClient(await config(scope)),
    // A relative import, so bundles turn it into a lazy require() of the CJS build (an `import()` of the
    // package itself would load its ESM build next to the CJS one).
    ec2: async (scope) => (await import('./network-interfaces')).createEc2Client(await config(scope)),
    // IAM is global; the region only picks the partition's endpoint. Credentials per account, as above.
    iam: async (scope) => (await import('./iam-role-policies')).createIamClient(await config(scope)),
  };
}

/** Memoizes a factory per (account, region) and client kind; a factory failure is not remembered. */
export class ClientPool {
  private readonly clients = new ClientCache<ECSClient | EC2Client | IAMClient>();

  constructor(
    private readonly factory: ClientFactory,
    private readonly fixed: {
      readonly ecs?: ECSClient;
      readonly ec2?: EC2Client;
      readonly iam?: IAMClient;
    } = {},
    private readonly fallback: ClientFactory = factory,
  ) {}

  ecs(scope: ResourceScope): Promise<ECSClient> {
    if (this.fixed.ecs) return Promise.resolve(this.fixed.ecs);
    return this.clients.get(`ecs/${scope.account}/${scope.region}`, () => this.factory.ecs(scope));
  }

  ec2(scope: ResourceScope): Promise<EC2Client> {
    if (this.fixed.ec2) return Promise.resolve(this.fixed.ec2);
    return this.clients.get(`ec2/${scope.account}/${scope.region}`, () => this.factory.ec2(scope));
  }

  iam(scope: ResourceScope): Promise<IAMClient> {
    if (this.fixed.iam) return Promise.resolve(this.fixed.iam);
    const factory = this.factory.iam ? this.factory : this.fallback;
    return this.clients.get(`iam/${scope.account}/${scope.region}`, () => {
      if (!factory.iam) throw new Error('no IAM client factory');
      return factory.iam(scope);
    });
  }
}
