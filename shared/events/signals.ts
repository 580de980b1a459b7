/** Non-resource inputs that rules evaluate: throttling and operational events. */

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

export type Signal = EcsThrottleSignal | ApiThrottleSignal | DeploymentFailedSignal | PlacementFailureSignal;
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
