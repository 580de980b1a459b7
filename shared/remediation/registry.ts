/**
 * Every remediation action's implementation, by name (declarations: shared/plugins/actions). The list the Remediator,
 * the policy loader (`remediation.actions.<name>` parameters), the docs (docs/remediation.md) and the
 * member-account role's permissions are checked against. The rule<->action link is written once, by
 * the rule (`remediation.action` in shared/rules/*.ts); an action's rules are derived here.
 *
 * Actions load the ECS SDK on first use, so importing the registry stays light.
 */
import { ACTION_SPECS, type ActionName } from '../plugins/actions';
import { RULES } from '../rules/registry';
import { deregisterTaskDefinition } from './deregister-task-definition';
import { disableExec } from './disable-exec';
import { disablePublicIp } from './disable-public-ip';
import { enableContainerInsights } from './enable-container-insights';
import { stopTask } from './stop-task';
import type { RemediationAction } from './types';

/** Each declared action's implementation, by name (shared/plugins/actions: a missing one does not compile). */
const IMPLEMENTATIONS: { readonly [N in ActionName]: RemediationAction } = {
  'deregister-task-definition': deregisterTaskDefinition,
  'stop-task': stopTask,
  'disable-public-ip': disablePublicIp,
  'disable-exec': disableExec,
  'enable-container-insights': enableContainerInsights,
};

/** In the order of the declarations. */
export const ACTIONS: readonly RemediationAction[] = ACTION_SPECS.map(
  (s) => IMPLEMENTATIONS[s.meta.name as ActionName],
);

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

/** Every IAM action any remediation needs (sorted, unique): what the member-account role grants. */
export function remediationIamPermissions(): string[] {
  return [...new Set(ACTIONS.flatMap((a) => a.meta.iamPermissions))].sort();
}
