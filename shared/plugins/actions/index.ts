/**
 * Every remediation action's declaration, by name: what the policy loader validates
 * `remediation.actions.<name>` against. The implementations are registered by name in
 * shared/remediation/registry.ts (a missing one is a type error there).
 */
import type { ActionSpec } from '../action';
import { deregisterTaskDefinitionSpec } from './deregister-task-definition';
import { disableExecSpec } from './disable-exec';
import { disablePublicIpSpec } from './disable-public-ip';
import { enableContainerInsightsSpec } from './enable-container-insights';
import { stopTaskSpec } from './stop-task';

/** Erase the precise parameter type for the registry (the policy only reads the schema and defaults). */
const erase = <P>(a: ActionSpec<P>): ActionSpec => a as unknown as ActionSpec;

const REGISTRY = {
  'deregister-task-definition': erase(deregisterTaskDefinitionSpec),
  'stop-task': erase(stopTaskSpec),
  'disable-public-ip': erase(disablePublicIpSpec),
  'disable-exec': erase(disableExecSpec),
  'enable-container-insights': erase(enableContainerInsightsSpec),
} as const;

/** The name of a declared action. */
export type ActionName = keyof typeof REGISTRY;

export const ACTION_SPECS: readonly ActionSpec[] = Object.values(REGISTRY);

export const ACTION_SPECS_BY_NAME: ReadonlyMap<string, ActionSpec> = new Map(
  ACTION_SPECS.map((a) => [a.meta.name, a]),
);

/** Every action's parameters at their defaults (the policy's `remediation.actions` when it sets none). */
export function defaultActionParams(): Record<string, unknown> {
  return Object.fromEntries(
    ACTION_SPECS.filter((a) => a.params).map((a) => [a.meta.name, a.params!.defaults]),
  );
}
