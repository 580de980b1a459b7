/**
 * Loading the policy file for a deployment (the Lambdas; the CLI reads its `--policy` with loadPolicyFile).
 * An invalid policy is a deployment error: it throws PolicyError, never falls back. Only an absent policy
 * file falls back to the default policy (every rule in notify mode), and says so.
 */
import { existsSync } from 'node:fs';
import { modeRemediates } from '../model/finding';
import type { Logger } from '../model/logger';
import { DEFAULT_POLICY, DEFAULT_REMEDIATION_POLICY, loadPolicyFileLazily } from './document';
import type { Policy } from './types';

/**
 * Does any rule of the policy remediate, or wait for approval (its action is read and planned)? Otherwise
 * the remediation code and its SDKs are never loaded.
 */
export function policyRemediates(policy: Policy): boolean {
  return Object.values(policy.rules).some((r) => modeRemediates(r.mode));
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
export async function loadPolicy(path: string, logger: Pick<Logger, 'info' | 'warn'>): Promise<Policy> {
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
