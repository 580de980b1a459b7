/** Throttling and operational rules: evaluated on signals, aggregated per key and time window. */
import * as v from 'valibot';
import { compileSecretPatterns, DEFAULT_SECRET_PATTERNS, redactText } from './secrets';
import { signalRule, type Rule } from './types';

const minutes = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1440));
const SECRETS = compileSecretPatterns(DEFAULT_SECRET_PATTERNS);
/** An ECS reason text as it may be shown: `: <reason>` with credentials redacted, or nothing. */
const reasonSuffix = (reason: string | undefined): string =>
  reason ? `: ${redactText(reason, SECRETS)}` : '';

const THROTTLE_ADVICE =
  'Retry with exponential backoff and jitter; when throttling is sustained, request a quota increase through AWS Support.';

export const signalRules: readonly Rule[] = [
  signalRule({
    family: 'signal',
    id: 'throttle-ecs-operation',
    title: 'ECS scheduler throttled',
    severity: 'medium',
    resourceType: 'AWS::ECS::Service',
    appliesTo: 'ecsThrottle',
    description:
      '`ECS Service Action` `ECS_OPERATION_THROTTLED` or `SERVICE_DISCOVERY_OPERATION_THROTTLED`: the first event of a window fires, later ones raise its count (key: account, region, service, event name).',
    advice: THROTTLE_ADVICE,
    controls: { seeds: ['Handle Amazon ECS throttling issues'] },
    params: { schema: v.object({ windowMinutes: minutes }), defaults: { windowMinutes: 15 } },
    check: (s, p) => ({
      resource: {
        type: s.resourceArn.includes(':service/') ? 'AWS::ECS::Service' : 'AWS::ECS::Cluster',
        arn: s.resourceArn,
      },
      evidence: [
        {
          path: 'detail.eventName',
          message: `${s.eventName === 'ECS_OPERATION_THROTTLED' ? 'ECS' : 'Cloud Map'} throttled the service scheduler (${s.eventName})${reasonSuffix(s.reason)}`,
        },
      ],
      window: { keyParts: [s.resourceArn, s.eventName], windowMs: p.windowMinutes * 60_000, threshold: 1 },
    }),
  }),
  signalRule({
    family: 'signal',
    id: 'throttle-api-calls',
    title: 'AWS API calls throttled',
    severity: 'medium',
    resourceType: 'AWS::IAM::Principal',
    appliesTo: 'apiThrottle',
    description:
      'CloudTrail events with a throttling `errorCode` (ECS, EC2 `Client.RequestLimitExceeded`, ELB, Cloud Map, Application Auto Scaling, ...): 10 or more in a 5-minute window per account, region, event source, API and caller; high at 10x the threshold.',
    advice: THROTTLE_ADVICE,
    controls: { seeds: ['Handle Amazon ECS throttling issues'] },
    params: {
      schema: v.object({
        threshold: v.pipe(v.number(), v.integer(), v.minValue(1)),
        windowMinutes: minutes,
        escalationFactor: v.pipe(v.number(), v.integer(), v.minValue(2)),
      }),
      defaults: { threshold: 10, windowMinutes: 5, escalationFactor: 10 },
    },
    check: (s, p) => ({
      resource: { type: 'AWS::IAM::Principal', arn: s.principal, name: `${s.eventSource} ${s.eventName}` },
      evidence: [
        {
          path: 'detail.errorCode',
          message: `${s.eventSource} ${s.eventName} called by ${s.principal} was throttled (${s.errorCode})`,
        },
      ],
      window: {
        keyParts: [s.eventSource, s.eventName, s.principal],
        windowMs: p.windowMinutes * 60_000,
        threshold: p.threshold,
        escalateAt: p.threshold * p.escalationFactor,
        escalatedSeverity: 'high',
      },
    }),
  }),
  signalRule({
    family: 'signal',
    id: 'ops-deployment-failed',
    title: 'Service deployment failed',
    severity: 'high',
    resourceType: 'AWS::ECS::Service',
    appliesTo: 'deploymentFailed',
    description: '`ECS Deployment State Change` with `eventName` `SERVICE_DEPLOYMENT_FAILED`.',
    advice:
      'Check the stopped tasks and the circuit breaker reason; the service rolled back or stopped deploying.',
    controls: {},
    check: (s) => ({
      resource: { type: 'AWS::ECS::Service', arn: s.resourceArn },
      evidence: [
        {
          path: 'detail.eventName',
          message: `deployment ${s.deploymentId ?? '(unknown id)'} failed${reasonSuffix(s.reason)}`,
        },
      ],
    }),
  }),
  signalRule({
    family: 'signal',
    id: 'ops-task-placement-failure',
    title: 'Tasks cannot be placed',
    severity: 'medium',
    resourceType: 'AWS::ECS::Service',
    appliesTo: 'placementFailure',
    description:
      '`ECS Service Action` `SERVICE_TASK_PLACEMENT_FAILURE`, aggregated like `throttle-ecs-operation` (first event of a 15-minute window).',
    advice: 'Add capacity (instances, capacity provider scaling) or relax placement constraints.',
    controls: {},
    params: { schema: v.object({ windowMinutes: minutes }), defaults: { windowMinutes: 15 } },
    check: (s, p) => ({
      resource: {
        type: s.resourceArn.includes(':service/') ? 'AWS::ECS::Service' : 'AWS::ECS::Cluster',
        arn: s.resourceArn,
      },
      evidence: [{ path: 'detail.reason', message: `task placement failed${reasonSuffix(s.reason)}` }],
      window: {
        keyParts: [s.resourceArn, 'SERVICE_TASK_PLACEMENT_FAILURE'],
        windowMs: p.windowMinutes * 60_000,
        threshold: 1,
      },
    }),
  }),
];
