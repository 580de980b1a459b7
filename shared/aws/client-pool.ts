/**
 * Every SDK client the guardrail makes for ECS and EC2 (enrichment, the sweep, remediation) is configured
 * here: one retry profile per purpose and HTTP timeouts that fire. No endpoint is set: the SDK honours
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ECS / _EC2 (tests point them at moto). No SDK import, so the
 * module costs nothing at cold start.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export type ClientPurpose = 'enrich' | 'sweep' | 'remediate' | 'backfill';

/**
 * - enrich: a Lambda waits on it, so few attempts; adaptive (backoff with jitter plus a client-side rate
 *   limiter that slows down when AWS throttles us).
 * - sweep: not latency-sensitive: it prefers waiting out throttling to missing part of the estate.
 * - backfill: S3 reads of log objects and the Step Functions calls of `guardrail backfill`.
 * - remediate: bounded: a throttled or denied change fails after one retry, is recorded as `failed`, and
 *   is never looped on.
 */
export const RETRY_PROFILES: Readonly<
  Record<ClientPurpose, { readonly retryMode: string; readonly maxAttempts: number }>
> = {
  enrich: { retryMode: 'adaptive', maxAttempts: 5 },
  sweep: { retryMode: 'adaptive', maxAttempts: 8 },
  remediate: { retryMode: 'standard', maxAttempts: 2 },
  // Reading CloudTrail objects (S3) and starting/following a backfill (Step Functions): a batch that
  // still fails is retried whole by the state machine, so the SDK retries a moderate number of times.
  backfill: { retryMode: 'standard', maxAttempts: 5 },
};

/**
 * Per attempt. `throwOnRequestTimeout` is required: without it @smithy/node-http-handler 4.x only logs a
 * warning when `requestTimeout` passes and keeps waiting.
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export interface ClientOptions {
  /** Default: the SDK's region resolution (AWS_REGION, profile). */
  readonly region?: string;
  /** Attempts per call, first try included (default: the purpose's profile). */
  readonly maxAttempts?: number;
  /** Socket inactivity per HTTP request before it fails with TimeoutError (default 20 s). */
  readonly requestTimeoutMs?: number;
  /** Default: the ambient credentials (the Lambda role, or the CLI user's profile). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** The configuration of one ECS, EC2 or STS client for a purpose (`requestHandler` takes NodeHttpHandler options). */
export function awsClientConfig(purpose: ClientPurpose, options: ClientOptions = {}) {
  const profile = RETRY_PROFILES[purpose];
  return {
    ...(options.region ? { region: options.region } : {}),
    retryMode: profile.retryMode,
    maxAttempts: options.maxAttempts ?? profile.maxAttempts,
    requestHandler: {
      connectionTimeout: DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true as const,
    },
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/** Clients (or anything costly to make) created once per key, e.g. `ecs/<purpose>/<account>/<region>`; a failed creation is not remembered. */
export class ClientCache<T> {
  private readonly made = new Map<string, Promise<T>>();

  get<C extends T>(key: string, create: () => C | Promise<C>): Promise<C> {
    const known = this.made.get(key) as Promise<C> | undefined;
    if (known) return known;
    const made = (async () => create())();
    this.made.set(key, made);
    made.catch(() => {
      if (this.made.get(key) === made) this.made.delete(key);
    });
    return made;
  }

  clear(): void {
    this.made.clear();
  }
}

export interface AssumedCredentials extends AwsCredentialIdentity {
  /** The role the credentials belong to (audit: who acted). */
  readonly roleArn: string;
}

/** Credentials for an account: undefined means the ambient credentials (the home account). */
export interface CredentialsSource {
  credentialsFor(account: string, region: string): Promise<AssumedCredentials | undefined>;
}

/**
 * The SDK credentials provider for one (account, region), or undefined for the ambient credentials. The
 * provider is asked again whenever the SDK sees the identity expire; the source's cache renews it.
 */
export async function providerFor(
  source: CredentialsSource,
  account: string,
  region: string,
): Promise<{ readonly roleArn: string; readonly provider: AwsCredentialIdentityProvider } | undefined> {
  const first = await source.credentialsFor(account, region);
  if (!first) return undefined;
  return {
    roleArn: first.roleArn,
    provider: async () => (await source.credentialsFor(account, region)) ?? first,
  };
}
