/** Every rule the product ships, by id. The one list the engine, policy and docs read. */
import { infrastructureRules } from './infrastructure';
import { signalRules } from './signals';
import { taskDefinitionRules } from './task-definition';
import type { Rule } from './types';
import { workloadRules } from './workloads';

export const RULES: readonly Rule[] = [
  ...taskDefinitionRules,
  ...workloadRules,
  ...infrastructureRules,
  ...signalRules,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

export function getRule(id: string): Rule | undefined {
  return RULES_BY_ID.get(id);
}
