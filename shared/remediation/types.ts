/**
 * The contract of a remediation action: metadata (the registry and docs/remediation.md read it) plus
 * three steps the Remediator drives: `read` the current state, `apply` the change, `read` again to verify.
 * An action never decides on policy (mode, dry-run, budget, protect tag, exemptions): the Remediator does.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Resource } from '../model/resources';
import type { ParamSpec } from '../rules/types';
import type { LiveAccess } from './live-state';

export type Risk = 'low' | 'medium' | 'high';

export interface ActionMeta {
  /**
   * The name rules declare in `remediation.action` (shared/rules/*.ts): the one place the rule<->action
   * link is written. The rules an action fixes are derived from it (registry.ts `rulesOf`).
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

/** The resource an action works on. */
export interface ActionTarget {
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  /** Services and tasks: the cluster, when known (else taken from the ARN, else `default`). */
  readonly clusterArn?: string;
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

export interface ActionContext<P = unknown> {
  readonly ecs: ECSClient;
  /** The clients the Remediator's verification step reads the live state with. */
  readonly live: LiveAccess;
  /** This action's parameters: its defaults, the policy's values over them. */
  readonly params: P;
  /** Text for fields such as StopTask's `reason` (names the guardrail and the finding). */
  readonly reasonText: string;
}

/** What `read` saw. `state` is the audit snapshot: only the fields the action is about, never secrets. */
export interface Observed {
  readonly state: Readonly<Record<string, unknown>>;
  /** The resource's tags as AWS holds them now (the protect tag and exemptions are read from these). */
  readonly tags: Readonly<Record<string, string>>;
  readonly compliant: boolean;
  /**
   * The same reading normalized as the rules read it (shared/events/ecs-resources.ts builders): the
   * Remediator's verification step evaluates the finding's rule on it instead of reading again.
   */
  readonly live?: Resource;
  /** Set when the action must not act on this resource, with why (e.g. a service's task). */
  readonly notApplicable?: string;
  /** Human-readable description of the change `apply` would make (dry-run reports it). */
  readonly plan: string;
}

export interface Applied {
  /** The write calls made, e.g. `ecs:UpdateService`. */
  readonly calls: readonly string[];
}

export interface RemediationAction<P = unknown> {
  readonly meta: ActionMeta;
  readonly params?: ActionParamSpec<P>;
  /** `undefined` when the resource no longer exists. Throws on AWS errors (denied, throttled...). */
  read(ctx: ActionContext<P>, target: ActionTarget): Promise<Observed | undefined>;
  apply(ctx: ActionContext<P>, target: ActionTarget, before: Observed): Promise<Applied>;
  /** Checks beyond `compliant` on the state read after the change: the problem, or undefined. */
  verify?(before: Observed, after: Observed): string | undefined;
  /**
   * Further targets to handle once the resource is compliant (deregister-task-definition: the standalone
   * tasks still running the revision, handled by `stop-task` through the same safety checks).
   */
  followUps?(
    ctx: ActionContext<P>,
    target: ActionTarget,
  ): Promise<{ readonly action: string; readonly targets: readonly ActionTarget[] }>;
}

/** Erase the precise parameter type for the registry (the Remediator passes each action its own). */
export function defineAction<P>(a: RemediationAction<P>): RemediationAction {
  return a as unknown as RemediationAction;
}

/** The SDK, loaded on an action's first call: the registry (read by the policy loader) stays light. */
export const ecsSdk = () => import('@aws-sdk/client-ecs');
