/**
 * Every remediation action, by name, with its metadata. The single list the Remediator, the docs
 * (docs/remediation.md, rendered by ./docs.ts) and the member-account role's permissions are checked
 * against. Rules name their action in `remediation.action` (shared/rules/*.ts).
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

/** Every IAM action any remediation needs (sorted, unique): what the member-account role grants. */
export function remediationIamPermissions(): string[] {
  return [...new Set(ACTIONS.flatMap((a) => a.meta.iamPermissions))].sort();
}
