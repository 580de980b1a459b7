/**
 * SDK clients for a sweep: the `sweep` retry profile and timeouts of shared/aws/client-pool.ts, ambient
 * credentials; AWS_MAX_ATTEMPTS (the CLI's documented knob) overrides the attempts.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  awsClientConfig,
  ClientCache,
  providerFor,
  RETRY_PROFILES,
  type ClientOptions,
  type CredentialsSource,
} from '../aws/client-pool';
import { CallCounter } from './call-counter';
import type { SweepClients } from './types';

export interface SweepClientOptions {
  /** Default: the SDK's region resolution (AWS_REGION, profile). */
  readonly region?: string;
  /**
   * Attempts per call, first try included. Default: AWS_MAX_ATTEMPTS when set, else 8 (a sweep is
   * not latency-sensitive: it prefers waiting out throttling to missing part of the estate).
   */
  readonly maxAttempts?: number;
  /** Socket timeout per HTTP request in ms (default 20 s). */
  readonly requestTimeoutMs?: number;
  /** Default: ambient. A member account's read role: `providerFor(source, account, region)` (shared/aws/client-pool.ts). */
  readonly credentials?: ClientOptions['credentials'];
}

export const DEFAULT_SWEEP_MAX_ATTEMPTS = RETRY_PROFILES.sweep.maxAttempts;

export function resolveMaxAttempts(explicit?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) return explicit;
  const fromEnv = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : DEFAULT_SWEEP_MAX_ATTEMPTS;
}

export function sweepClientConfig(options: SweepClientOptions = {}) {
  return awsClientConfig('sweep', {
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: resolveMaxAttempts(options.maxAttempts),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}

export function createSweepClients(options: SweepClientOptions = {}): SweepClients {
  const config = sweepClientConfig(options);
  return {
    ecs: new ECSClient(config),
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
    guardDuty: new GuardDutyClient(config),
  };
}

/** One pair's clients, the counter of their calls, and the role they act through (none: ambient). */
export interface PairClients {
  readonly clients: SweepClients;
  readonly counter: CallCounter;
  readonly roleArn?: string;
}

export interface SweepClientPoolOptions extends Omit<SweepClientOptions, 'region' | 'credentials'> {
  /** The member read role's credentials (CrossAccountCredentials); the home account gets ambient ones. */
  readonly credentials: CredentialsSource;
}

/**
 * The sweep's clients per (account, region), purpose `sweep`, made once (a container's later runs reuse
 * them): the credentials provider renews the assumed role before it expires. A pair whose role cannot be
 * assumed is not remembered, so the next run tries again.
 */
export class SweepClientPool {
  private readonly made = new ClientCache<PairClients>();

  constructor(private readonly options: SweepClientPoolOptions) {}

  get(account: string, region: string): Promise<PairClients> {
    return this.made.get(`sweep/${account}/${region}`, async () => {
      const assumed = await providerFor(this.options.credentials, account, region);
      const { credentials: _c, ...rest } = this.options;
      const clients = createSweepClients({
        ...rest,
        region,
        ...(assumed ? { credentials: assumed.provider } : {}),
      });
      const counter = new CallCounter();
      counter.attach(clients.ecs);
      counter.attach(clients.ec2);
      if (clients.guardDuty) counter.attach(clients.guardDuty);
      return { clients, counter, ...(assumed ? { roleArn: assumed.roleArn } : {}) };
    });
  }
}
