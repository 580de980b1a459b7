/**
 * Every remediation action, by name, with its metadata and parameters. The single list the Remediator,
 * the policy loader (`remediation.actions.<name>` parameters), the docs (docs/remediation.md) and the
 * member-account role's permissions are checked against. The rule<->action link is written once, by
 * the rule (`remediation.action` in shared/rules/*.ts); an action's rules are derived here.
 *
 * Light on purpose (the policy loader imports it at cold start): actions load the ECS SDK on first use.
 */
import { RULES } from '../rules/registry';
import { deregisterTaskDefinition } from './deregister-task-definition';
import { disableExec } from './disable-exec';
import { disablePublicIp } from './disable-public-ip';
import { enableContainerInsights } from './enable-container-insights';
import { stopTask } from './stop-task';
import type { RemediationAction } from './types';

export const ACTIONS: readonly RemediationAction[] = [
  deregisterTaskDefinition,
  stopTask,
  disablePublicIp,
  disableExec,
  enableContainerInsights,
];

export const ACTIONS_BY_NAME: ReadonlyMap<string, RemediationAction> = new Map(
  ACTIONS.map((a) => [a.meta.name, a]),
);

/** The action a rule's findings are remediated with (from the rule registry), if any. */
export function actionForRule(ruleId: string): RemediationAction | undefined {
  const name = RULES.find((r) => r.id === ruleId)?.remediation?.action;
  return name ? ACTIONS_BY_NAME.get(name) : undefined;
}

/**
 * The rules whose findings an action fixes: the rules that name it, then the rules of the actions that
 * hand it their follow-up targets (stop-task also runs for td-privileged, after deregistering).
 */
export function rulesOf(actionName: string): string[] {
  const direct = RULES.filter((r) => r.remediation?.action === actionName).map((r) => r.id);
  const via = ACTIONS.filter((a) => a.meta.followUp === actionName).flatMap((a) => rulesOf(a.meta.name));
  return [...new Set([...direct, ...via])];
}

/** Every action's parameters at their defaults (the policy's `remediation.actions` when it sets none). */
export function defaultActionParams(): Record<string, unknown> {
  return Object.fromEntries(ACTIONS.filter((a) => a.params).map((a) => [a.meta.name, a.params!.defaults]));
}

/** Every IAM action any remediation needs (sorted, unique): what the member-account role grants. */
export function remediationIamPermissions(): string[] {
  return [...new Set(ACTIONS.flatMap((a) => a.meta.iamPermissions))].sort();
}
