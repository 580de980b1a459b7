/**
 * The contract of a remediation action: metadata (the registry and docs/remediation.md read it) plus
 * three steps the Remediator drives: `read` the current state, `apply` the change, `read` again to verify.
 * An action never decides on policy (mode, dry-run, budget, protect tag, exemptions): the Remediator does.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Resource } from '../model/resources';
import type { LiveAccess } from './live-state';

export type Risk = 'low' | 'medium' | 'high';

export interface ActionMeta {
  /** The name rules declare in `remediation.action` (shared/rules/*.ts). */
  readonly name: string;
  readonly title: string;
  /** The rules whose findings this action fixes. */
  readonly rules: readonly string[];
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

/** Settings an action may read (resolved from the policy and the Remediator's options). */
export interface ActionSettings {
  /** td-privileged: deregister even when an ACTIVE service still uses the revision. */
  readonly deregisterInUse: boolean;
  /** td-privileged: after deregistering, stop the standalone tasks still running the revision. */
  readonly stopStandaloneTasks: boolean;
  /** enable-container-insights: the API that writes the cluster setting. */
  readonly containerInsightsApi: 'UpdateClusterSettings' | 'UpdateCluster';
  /** enable-container-insights: the value written (`enabled` or `enhanced`). */
  readonly containerInsightsValue: 'enabled' | 'enhanced';
}

export interface ActionContext {
  readonly ecs: ECSClient;
  /** The clients the Remediator's verification step reads the live state with. */
  readonly live: LiveAccess;
  readonly settings: ActionSettings;
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

export interface RemediationAction {
  readonly meta: ActionMeta;
  /** `undefined` when the resource no longer exists. Throws on AWS errors (denied, throttled...). */
  read(ctx: ActionContext, target: ActionTarget): Promise<Observed | undefined>;
  apply(ctx: ActionContext, target: ActionTarget, before: Observed): Promise<Applied>;
  /** Checks beyond `compliant` on the state read after the change: the problem, or undefined. */
  verify?(before: Observed, after: Observed): string | undefined;
  /**
   * Further targets to handle once the resource is compliant (deregister-task-definition: the standalone
   * tasks still running the revision, handled by `stop-task` through the same safety checks).
   */
  followUps?(
    ctx: ActionContext,
    target: ActionTarget,
  ): Promise<{ readonly action: string; readonly targets: readonly ActionTarget[] }>;
}
