/**
 * SDK clients for enrichment: one per (account, region), created on first use. The ECS client is
 * loaded with this module; the EC2 SDK only when an ENI lookup needs it (it is the heavier package and
 * CloudTrail-only handlers never use it).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ResourceScope } from '../engine/enrich';

/** Creates the clients for one (account, region). Called at most once per pair and client kind. */
export interface ClientFactory {
  ecs(scope: ResourceScope): ECSClient | Promise<ECSClient>;
  ec2(scope: ResourceScope): EC2Client | Promise<EC2Client>;
}

/** Attempts per call (first try included) for the default clients. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Ambient credentials (the Lambda role, or the CLI user's profile), one client per region, adaptive
 * retries: exponential backoff with jitter plus a client-side rate limiter that slows down when AWS
 * throttles us. No endpoint is set: the SDK honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ECS / _EC2.
 * The account is ignored until cross-account credentials exist.
 */
export function defaultClientFactory(options: { maxAttempts?: number } = {}): ClientFactory {
  const config = (scope: ResourceScope) => ({
    region: scope.region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  });
  return {
    ecs: (scope) => new ECSClient(config(scope)),
    // A relative import, so bundles turn it into a lazy require() of the CJS build (an `import()` of the
    // package itself would load its ESM build next to the CJS one).
    ec2: async (scope) => (await import('./network-interfaces')).createEc2Client(config(scope)),
  };
}

/** Memoizes a factory per (account, region) and client kind; a factory failure is not remembered. */
export class ClientPool {
  private readonly clients = new Map<string, Promise<ECSClient | EC2Client>>();

  constructor(
    private readonly factory: ClientFactory,
    private readonly fixed: { readonly ecs?: ECSClient; readonly ec2?: EC2Client } = {},
  ) {}

  ecs(scope: ResourceScope): Promise<ECSClient> {
    if (this.fixed.ecs) return Promise.resolve(this.fixed.ecs);
    return this.memo(`ecs/${scope.account}/${scope.region}`, () => this.factory.ecs(scope));
  }

  ec2(scope: ResourceScope): Promise<EC2Client> {
    if (this.fixed.ec2) return Promise.resolve(this.fixed.ec2);
    return this.memo(`ec2/${scope.account}/${scope.region}`, () => this.factory.ec2(scope));
  }

  private memo<C extends ECSClient | EC2Client>(key: string, create: () => C | Promise<C>): Promise<C> {
    const known = this.clients.get(key) as Promise<C> | undefined;
    if (known) return known;
    const client = (async () => create())();
    this.clients.set(key, client);
    client.catch(() => this.clients.delete(key));
    return client;
  }
}
