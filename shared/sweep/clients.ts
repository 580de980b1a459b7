/**
 * SDK clients for a sweep: adaptive retries (exponential backoff with jitter plus a client-side rate
 * limiter that slows down when AWS throttles), a bounded request timeout, no endpoint (the SDK honours
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ECS / _EC2), ambient credentials.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
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
}

export const DEFAULT_SWEEP_MAX_ATTEMPTS = 8;

export function resolveMaxAttempts(explicit?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) return explicit;
  const fromEnv = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : DEFAULT_SWEEP_MAX_ATTEMPTS;
}

export function sweepClientConfig(options: SweepClientOptions = {}) {
  return {
    ...(options.region ? { region: options.region } : {}),
    retryMode: 'adaptive',
    maxAttempts: resolveMaxAttempts(options.maxAttempts),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 20_000 },
  };
}

export function createSweepClients(options: SweepClientOptions = {}): SweepClients {
  const config = sweepClientConfig(options);
  return { ecs: new ECSClient(config), ec2: new EC2Client(config) };
}
