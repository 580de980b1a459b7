/**
 * What the policy, the docs and the member-account role know of a remediation action: its declaration
 * (metadata, parameters). It lives below the policy (which validates `remediation.actions.<name>` from
 * it); the implementation (shared/remediation/<name>.ts) spreads its declaration into its
 * `RemediationAction` and adds read/apply/verify, so nothing is written twice.
 */
import type { ParamSpec } from '../rules/types';

export type Risk = 'low' | 'medium' | 'high';

export interface ActionMeta {
  /**
   * The name rules declare in `remediation.action` (shared/rules/*.ts): the one place the rule<->action
   * link is written. The rules an action fixes are derived from it (remediation/registry.ts `rulesOf`).
   */
  readonly name: string;
  readonly title: string;
  /** The action its `followUps` hand targets to (its rules are then that action's rules too). */
  readonly followUp?: string;
  /** The resource type it changes (CloudFormation style). */
  readonly resourceType: string;
  /** What it does, in one or two sentences. */
  readonly summary: string;
  /** Read calls, in order (before and after the change). */
  readonly readCalls: readonly string[];
  /** The calls that change something. */
  readonly writeCalls: readonly string[];
  /** IAM actions the remediation role needs (infra/member-account.yml grants exactly these). */
  readonly iamPermissions: readonly string[];
  readonly risk: Risk;
  /** What can go wrong for the workload when the action runs. */
  readonly riskNote: string;
  /** When the action refuses to act (reported as `skipped` with the reason). */
  readonly skipsWhen: readonly string[];
}

/**
 * An action's parameters: a schema and defaults, as for rules. The policy sets them under
 * `remediation.actions.<action>` (validated from the registry at load, unknown keys refused).
 */
export interface ActionParamSpec<P> extends ParamSpec<P> {
  /** Parameters also accepted directly under `remediation:` (deprecated spelling from before the registry). */
  readonly legacyKeys?: readonly (keyof P & string)[];
  /** One line per parameter for docs/remediation.md. */
  readonly docs: { readonly [K in keyof P & string]: string };
}

export interface ActionSpec<P = unknown> {
  readonly meta: ActionMeta;
  readonly params?: ActionParamSpec<P>;
}

/** Type-checks a declaration (the parameter type kept for the implementation). */
export function defineActionSpec<P = unknown>(a: ActionSpec<P>): ActionSpec<P> {
  return a;
}
