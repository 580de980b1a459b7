/**
 * The contract of a remediation action: its declaration (shared/plugins/action.ts: metadata and
 * parameters, which the policy and docs/remediation.md read) plus three steps the Remediator drives: `read` the current state, `apply` the change, `read` again to verify.
 * An action never decides on policy (mode, dry-run, budget, protect tag, exemptions): the Remediator does.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Resource } from '../model/resources';
import type { ActionSpec } from '../plugins/action';
import type { LiveAccess } from './live-state';

import type { GuardDutyFindingRef } from '../aws/guardduty-findings';

/** The resource an action works on. */
export interface ActionTarget {
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  /** Services and tasks: the cluster, when known (else taken from the ARN, else `default`). */
  readonly clusterArn?: string;
  /** A task a GuardDuty finding named (runtime-threat-in-task): the finding verification asks GuardDuty for. */
  readonly guardDutyFinding?: GuardDutyFindingRef;
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

/** An action: its declaration (shared/plugins/actions/<name>.ts, spread in) plus the three steps. */
export interface RemediationAction<P = unknown> extends ActionSpec<P> {
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

export type { ActionMeta, ActionParamSpec, Risk } from '../plugins/action';
