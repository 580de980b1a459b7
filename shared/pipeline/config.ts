/**
 * The Lambdas' configuration, from the environment (the contract with serverless.yml):
 * GUARDRAIL_TABLE, GUARDRAIL_OUTBOX_QUEUE_URL, GUARDRAIL_POLICY_FILE (default `guardrail.policy.yml`
 * resolved against LAMBDA_TASK_ROOT or the working directory), GUARDRAIL_ENRICH (default true),
 * GUARDRAIL_ROLE_ARNS (optional, comma-separated: the execution roles of the functions that remediate;
 * added to the policy's `remediation.guardrailRoleArns` so their own changes never trigger remediation).
 * A missing variable or an invalid policy is a deployment error: it fails loudly, never falls back.
 * Only an absent policy file falls back to the default policy (every rule in notify mode), and says so.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_POLICY, DEFAULT_REMEDIATION_POLICY, loadPolicyFileLazily } from '../policy/document';
import type { Policy } from '../policy/types';
import type { PipelineLogger } from './types';
import { GuardrailError } from '../errors';

export const DEFAULT_POLICY_FILE = 'guardrail.policy.yml';

export class ConfigError extends GuardrailError {
  override readonly name = 'ConfigError';
}

export interface LambdaConfig {
  readonly tableName: string;
  readonly outboxQueueUrl: string;
  /** Absolute path of the policy file. */
  readonly policyFile: string;
  readonly enrich: boolean;
  /** The guardrail's own execution roles (GUARDRAIL_ROLE_ARNS): never remediate what they caused. */
  readonly guardrailRoleArns: readonly string[];
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
    guardrailRoleArns: parseRoleArns(env.GUARDRAIL_ROLE_ARNS),
  };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** GUARDRAIL_ROLE_ARNS: comma-separated IAM role ARNs (empty or unset: none). */
export function parseRoleArns(value: string | undefined): string[] {
  const arns = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const arn of arns)
    if (!ROLE_ARN.test(arn))
      throw new ConfigError('environment variable GUARDRAIL_ROLE_ARNS must be comma-separated IAM role ARNs');
  return arns;
}

/** Does any rule of the policy remediate? (Otherwise the remediation code and its SDKs are never loaded.) */
export function policyRemediates(policy: Policy): boolean {
  return Object.values(policy.rules).some((r) => r.mode === 'remediate');
}

/** The policy with the deployment's own roles added to `remediation.guardrailRoleArns`. */
export function withGuardrailRoles(policy: Policy, roleArns: readonly string[]): Policy {
  if (roleArns.length === 0) return policy;
  const remediation = policy.remediation ?? DEFAULT_REMEDIATION_POLICY;
  const merged = [...new Set([...remediation.guardrailRoleArns, ...roleArns])];
  return { ...policy, remediation: { ...remediation, guardrailRoleArns: merged } };
}

/**
 * The policy file, or DEFAULT_POLICY when there is none (logged). An invalid file throws PolicyError.
 * Async so that only a YAML file loads the YAML parser: the packaged policy is JSON (serverless.yml).
 */
export async function loadPolicy(
  path: string,
  logger: Pick<PipelineLogger, 'info' | 'warn'>,
): Promise<Policy> {
  if (!existsSync(path)) {
    logger.warn('policy file not found: using the default policy (every rule in notify mode)', {
      policyFile: path,
    });
    return DEFAULT_POLICY;
  }
  const policy = await loadPolicyFileLazily(path);
  logger.info('policy loaded', { policyFile: path, dryRun: policy.dryRun });
  return policy;
}
