/**
 * Small builders of raw EventBridge events for the engine, policy, CLI and robustness tests. Each returns a
 * plain JSON value, exactly what `evaluateRaw` or the CLI would read from a file.
 */
import { evaluateRaw, type EventResult } from '../../../shared/engine/run';
import { MemoryWindowCounter, type WindowCounter } from '../../../shared/engine/windows';
import type { Finding } from '../../../shared/model/finding';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import type { Policy } from '../../../shared/policy/types';
import { loadFixture } from '../../helpers/fixtures';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A corpus event by file name (test/helpers/fixtures.ts). */
export function fixture(name: string): Record<string, Json> {
  return loadFixture<Record<string, Json>>(name);
}

export interface ContainerSpec {
  name: string;
  image?: string;
  privileged?: boolean;
  user?: string;
  readonlyRootFilesystem?: boolean;
  environment?: { name: string; value: string }[];
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
  [k: string]: Json | undefined;
}

/** A compliant container: non-root, read-only root fs, logging, pinned ECR image. */
export function okContainer(name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name,
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}:1.0.0`,
    user: '1000',
    readonlyRootFilesystem: true,
    logConfiguration: { logDriver: 'awslogs' },
    ...extra,
  };
}

let seq = 0;
const nextId = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

/** CloudTrail RegisterTaskDefinition with the definition in requestParameters (and its ARN in the response). */
export function registerTd(opts: {
  family?: string;
  revision?: number;
  containers: ContainerSpec[];
  tags?: Record<string, string>;
  time?: string;
  id?: string;
  extra?: Record<string, Json>;
}): Record<string, Json> {
  const family = opts.family ?? 'web';
  const revision = opts.revision ?? 1;
  const time = opts.time ?? '2026-03-02T08:00:00Z';
  const id = opts.id ?? nextId();
  const requestParameters: Record<string, Json> = {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: opts.containers as unknown as Json[],
    ...(opts.tags ? { tags: Object.entries(opts.tags).map(([key, value]) => ({ key, value })) } : {}),
    ...(opts.extra ?? {}),
  };
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DeployRole/jane`,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/DeployRole` } },
      },
      eventTime: time,
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RegisterTaskDefinition',
      awsRegion: REGION,
      eventID: id,
      recipientAccountId: ACCOUNT,
      requestParameters,
      responseElements: {
        taskDefinition: {
          taskDefinitionArn: tdArn(family, revision),
          family,
          revision,
        },
      },
    },
  };
}

export const tdArn = (family: string, revision: number): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
export const serviceArn = (name: string, cluster = 'prod'): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;

/** `ECS Service Action` throttling event (throttle-ecs-operation). */
export function ecsThrottle(
  time: string,
  opts: { service?: string; eventName?: string; id?: string } = {},
): Record<string, Json> {
  return {
    version: '0',
    id: opts.id ?? nextId(),
    'detail-type': 'ECS Service Action',
    source: 'aws.ecs',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [opts.service ?? serviceArn('checkout-api')],
    detail: {
      eventType: 'ERROR',
      eventName: opts.eventName ?? 'ECS_OPERATION_THROTTLED',
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
    },
  };
}

/** CloudTrail event with a throttling error code (throttle-api-calls). */
export function apiThrottle(
  time: string,
  opts: {
    role?: string;
    eventSource?: string;
    eventName?: string;
    errorCode?: string;
    envelopeTime?: string;
  } = {},
): Record<string, Json> {
  const id = nextId();
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: opts.envelopeTime ?? time,
    region: REGION,
    resources: [],
    detail: {
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${opts.role ?? 'deployer'}/session`,
        sessionContext: {
          sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/${opts.role ?? 'deployer'}` },
        },
      },
      eventTime: time,
      eventSource: opts.eventSource ?? 'ecs.amazonaws.com',
      eventName: opts.eventName ?? 'DescribeServices',
      awsRegion: REGION,
      eventID: id,
      recipientAccountId: ACCOUNT,
      errorCode: opts.errorCode ?? 'ThrottlingException',
      errorMessage: 'Rate exceeded',
      requestParameters: null,
      responseElements: null,
    },
  };
}

/** CloudTrail CreateService whose response shows the resulting service. */
export function createService(opts: {
  name: string;
  assignPublicIp?: 'ENABLED' | 'DISABLED';
  enableExecuteCommand?: boolean;
  tags?: Record<string, string>;
}): Record<string, Json> {
  const id = nextId();
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-03-02T08:05:02Z',
    region: REGION,
    resources: [],
    detail: {
      eventTime: '2026-03-02T08:05:02Z',
      eventSource: 'ecs.amazonaws.com',
      eventName: 'CreateService',
      awsRegion: REGION,
      eventID: id,
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
      requestParameters: { serviceName: opts.name, cluster: 'prod' },
      responseElements: {
        service: {
          serviceArn: serviceArn(opts.name),
          serviceName: opts.name,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
          launchType: 'FARGATE',
          platformVersion: 'LATEST',
          enableExecuteCommand: opts.enableExecuteCommand ?? false,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: ['subnet-0a1b2c3d'],
              securityGroups: ['sg-0123'],
              assignPublicIp: opts.assignPublicIp ?? 'DISABLED',
            },
          },
          ...(opts.tags ? { tags: Object.entries(opts.tags).map(([key, value]) => ({ key, value })) } : {}),
        },
      },
    },
  };
}

/** Engine dependencies with a fresh in-memory window counter. */
export function deps(policy: Policy = DEFAULT_POLICY, now = new Date('2026-06-01T00:00:00Z')) {
  const counter: WindowCounter = new MemoryWindowCounter();
  return { policy, counter, now: () => now };
}

export const policyOf = (yaml: string): Policy => parsePolicy(yaml, 'test-policy.yml');

export async function findingsOf(
  raw: unknown,
  policy: Policy = DEFAULT_POLICY,
  now?: Date,
): Promise<Finding[]> {
  return (await evaluateRaw(raw, deps(policy, now))).findings;
}

export function byRule(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

export function one(findings: readonly Finding[], ruleId: string): Finding {
  const hits = byRule(findings, ruleId);
  if (hits.length !== 1) throw new Error(`expected one ${ruleId} finding, got ${hits.length}`);
  return hits[0]!;
}

export type { EventResult };
