/**
 * The Lambdas' configuration, from the environment (the contract with serverless.yml):
 * GUARDRAIL_TABLE, GUARDRAIL_OUTBOX_QUEUE_URL, GUARDRAIL_POLICY_FILE (default `guardrail.policy.yml`
 * resolved against LAMBDA_TASK_ROOT or the working directory), GUARDRAIL_ENRICH (default true).
 * A missing variable or an invalid policy is a deployment error: it fails loudly, never falls back.
 * Only an absent policy file falls back to the default policy (every rule in notify mode), and says so.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_POLICY, loadPolicyFile } from '../policy/load';
import type { Policy } from '../policy/types';
import type { PipelineLogger } from './types';

export const DEFAULT_POLICY_FILE = 'guardrail.policy.yml';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LambdaConfig {
  readonly tableName: string;
  readonly outboxQueueUrl: string;
  /** Absolute path of the policy file. */
  readonly policyFile: string;
  readonly enrich: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(`environment variable ${name} is not set`);
  return v;
}

export function parseFlag(value: string | undefined, name: string, fallback: boolean): boolean {
  const v = value?.trim().toLowerCase();
  if (!v) return fallback;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`environment variable ${name} must be true or false`);
}

export function resolvePolicyFile(env: Env, cwd: string = process.cwd()): string {
  const file = env.GUARDRAIL_POLICY_FILE?.trim() || DEFAULT_POLICY_FILE;
  return isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT?.trim() || cwd, file);
}

export function readConfig(env: Env = process.env): LambdaConfig {
  return {
    tableName: required(env, 'GUARDRAIL_TABLE'),
    outboxQueueUrl: required(env, 'GUARDRAIL_OUTBOX_QUEUE_URL'),
    policyFile: resolvePolicyFile(env),
    enrich: parseFlag(env.GUARDRAIL_ENRICH, 'GUARDRAIL_ENRICH', true),
  };
}

/** The policy file, or DEFAULT_POLICY when there is none (logged). An invalid file throws PolicyError. */
export function loadPolicy(path: string, logger: Pick<PipelineLogger, 'info' | 'warn'>): Policy {
  if (!existsSync(path)) {
    logger.warn('policy file not found: using the default policy (every rule in notify mode)', {
      policyFile: path,
    });
    return DEFAULT_POLICY;
  }
  const policy = loadPolicyFile(path);
  logger.info('policy loaded', { policyFile: path, dryRun: policy.dryRun });
  return policy;
}
