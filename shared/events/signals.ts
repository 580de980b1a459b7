/** Non-resource inputs that rules evaluate: throttling and operational events. */
import type { ImageVulnerability, VulnerabilitySeverity } from '../model/running';

export interface EcsThrottleSignal {
  readonly kind: 'ecsThrottle';
  readonly eventName: string;
  /** Service ARN from resources[0], else the cluster ARN. */
  readonly resourceArn: string;
  readonly reason?: string;
}

export interface ApiThrottleSignal {
  readonly kind: 'apiThrottle';
  readonly eventSource: string;
  readonly eventName: string;
  readonly errorCode: string;
  /** Caller principal ARN (the assumed role's issuer when there is one). */
  readonly principal: string;
}

export interface DeploymentFailedSignal {
  readonly kind: 'deploymentFailed';
  readonly resourceArn: string;
  readonly deploymentId?: string;
  readonly reason?: string;
}

export interface PlacementFailureSignal {
  readonly kind: 'placementFailure';
  readonly resourceArn: string;
  readonly reason?: string;
}

/** A successful CloudTrail `ExecuteCommand`: someone opened a command session in a container. */
export interface ExecSessionSignal {
  readonly kind: 'execSession';
  readonly taskArn: string;
  /** `userIdentity.arn`; undefined when the record does not show it. */
  readonly caller?: string;
  readonly container?: string;
  readonly interactive?: boolean;
  /**
   * The program the command runs (its first word, path kept), never its arguments: they may hold
   * secrets, so they never leave normalization.
   */
  readonly program?: string;
}

/** A successful ECS write call (the API list of ops-change-outside-pipeline), one per resource it changed. */
export interface EcsWriteSignal {
  readonly kind: 'ecsWrite';
  readonly eventName: string;
  readonly resourceType: string;
  readonly resourceArn: string;
  /** `userIdentity.arn`, `userIdentity.type`, the session issuer's role ARN and `invokedBy`, as recorded. */
  readonly callerArn?: string;
  readonly callerType?: string;
  readonly callerRoleArn?: string;
  readonly invokedBy?: string;
}

/** An `ECS Task State Change` with `lastStatus` STOPPED and the reasons it shows. */
export interface TaskStoppedSignal {
  readonly kind: 'taskStopped';
  /** The task's service (group `service:<name>` in the task's cluster), else the task. */
  readonly resourceArn: string;
  readonly resourceType: 'AWS::ECS::Service' | 'AWS::ECS::Task';
  readonly taskArn: string;
  readonly stoppedReason?: string;
  readonly containers: readonly { readonly name: string; readonly reason?: string }[];
}

/**
 * A scanned image digest that runs in a service (or a standalone task): what the scans say and which of
 * the owner's tasks run it (the running inventory, docs/running.md). One per owner and digest.
 */
export interface VulnerableImageRunningSignal {
  readonly kind: 'vulnerableImageRunning';
  /** The service, or the task when it is standalone. */
  readonly resourceArn: string;
  readonly resourceType: 'AWS::ECS::Service' | 'AWS::ECS::Task';
  readonly resourceName?: string;
  readonly repository: string;
  readonly digest: string;
  /** The image as a task names it (`<registry>/<repository>:<tag>`). */
  readonly image?: string;
  readonly counts: Readonly<Partial<Record<VulnerabilitySeverity, number>>>;
  /** Active Inspector findings (basic scanning reports counts only). */
  readonly vulnerabilities: readonly ImageVulnerability[];
  readonly tasks: readonly { readonly taskArn: string; readonly containers: readonly string[] }[];
  /** The owner's tags when the inventory knows them (the team tag routes the finding). */
  readonly tags?: Readonly<Record<string, string>>;
}

export type Signal =
  | EcsThrottleSignal
  | ApiThrottleSignal
  | DeploymentFailedSignal
  | PlacementFailureSignal
  | ExecSessionSignal
  | EcsWriteSignal
  | TaskStoppedSignal
  | VulnerableImageRunningSignal;
export type SignalKind = Signal['kind'];
export type SignalOfKind<K extends SignalKind> = Extract<Signal, { kind: K }>;

/** Every CloudTrail throttling error code (docs/events.md, "Throttling"). Exact match: EC2's `Client.RequestLimitExceeded` included. */
export const THROTTLING_ERROR_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'Client.RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

export const ECS_THROTTLE_EVENT_NAMES: ReadonlySet<string> = new Set([
  'ECS_OPERATION_THROTTLED',
  'SERVICE_DISCOVERY_OPERATION_THROTTLED',
]);
