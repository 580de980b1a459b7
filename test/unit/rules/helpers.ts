/**
 * Builders shared by the rule tests: normalized resources for direct `rule.check` calls, and raw
 * EventBridge events for end-to-end runs through `evaluateRaw` with the default policy.
 */
import { expect } from 'vitest';
import type { Enricher } from '../../../shared/engine/enrich';
import { evaluateRaw, type EngineDeps, type EventResult } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import type { Signal } from '../../../shared/events/signals';
import type { Evidence, Finding } from '../../../shared/model/finding';
import type {
  CapacityProviderResource,
  ClusterResource,
  ContainerDefinition,
  ContainerInstanceResource,
  Resource,
  SecurityGroupResource,
  ServiceResource,
  TaskDefinitionResource,
  TaskResource,
  TaskSetResource,
  TaskRolePolicies,
} from '../../../shared/model/resources';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { getRule } from '../../../shared/rules/registry';
import type { SignalOutcome } from '../../../shared/rules/types';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
export const ECR_IMAGE =
  '111122223333.dkr.ecr.us-west-2.amazonaws.com/checkout-api@sha256:3f1c2b7a9e0d4c6b8a7f5e3d1c9b0a8f7e6d5c4b3a29180716253443526170ff';

// ---------------------------------------------------------------- direct rule checks

/** The default parameters of a rule, as the default policy resolves them. */
export function defaultParams(ruleId: string): unknown {
  const rp = DEFAULT_POLICY.rules[ruleId];
  if (!rp) throw new Error(`no policy entry for ${ruleId}`);
  return rp.params;
}

/** `rule.check` on a resource, with the default params unless given. Asserts the rule applies to it. */
export function check(ruleId: string, resource: Resource, params?: unknown): Evidence[] {
  const rule = getRule(ruleId);
  if (!rule || rule.family !== 'resource') throw new Error(`${ruleId} is not a resource rule`);
  expect(rule.appliesTo).toBe(resource.kind);
  return rule.check(resource as never, params === undefined ? defaultParams(ruleId) : params);
}

export function checkSignal(ruleId: string, signal: Signal, params?: unknown): SignalOutcome | undefined {
  const rule = getRule(ruleId);
  if (!rule || rule.family !== 'signal') throw new Error(`${ruleId} is not a signal rule`);
  expect(rule.appliesTo).toBe(signal.kind);
  return rule.check(signal as never, params === undefined ? defaultParams(ruleId) : params);
}

/** Merge the default params of a rule with overrides (what a policy file would do). */
export function paramsWith(ruleId: string, overrides: Record<string, unknown>): unknown {
  return { ...(defaultParams(ruleId) as Record<string, unknown>), ...overrides };
}

/** A container that passes every task definition rule. */
export function container(over: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: 'app',
    image: ECR_IMAGE,
    user: '1000:1000',
    readonlyRootFilesystem: true,
    capabilitiesAdd: [],
    environment: [{ name: 'PORT', value: '8080' }],
    logDriver: 'awslogs',
    ...over,
  };
}

/** A task definition that passes every rule; override what the test is about. */
export function taskDefinition(over: Partial<TaskDefinitionResource> = {}): TaskDefinitionResource {
  return {
    kind: 'TaskDefinition',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout-api:42`,
    account: ACCOUNT,
    region: REGION,
    family: 'checkout-api',
    revision: 42,
    networkMode: 'awsvpc',
    osFamily: 'LINUX',
    requiresCompatibilities: ['FARGATE'],
    containers: [container()],
    volumes: [],
    ...over,
  };
}

export function service(over: Partial<ServiceResource> = {}): ServiceResource {
  return {
    kind: 'Service',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/checkout-api`,
    account: ACCOUNT,
    region: REGION,
    name: 'checkout-api',
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`,
    network: { subnets: ['subnet-0a1b2c3d4e5f60718'], assignPublicIp: 'DISABLED' },
    enableExecuteCommand: false,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    ...over,
  };
}

export function taskSet(over: Partial<TaskSetResource> = {}): TaskSetResource {
  return {
    kind: 'TaskSet',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-set/prod-cluster/checkout-api-ext/ecs-svc/1263455207218093611`,
    account: ACCOUNT,
    region: REGION,
    network: { subnets: ['subnet-0a1b2c3d4e5f60718'], assignPublicIp: 'DISABLED' },
    ...over,
  };
}

export function task(over: Partial<TaskResource> = {}): TaskResource {
  return {
    kind: 'Task',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/5c3a9e1f0b7d4e2a8c6b4d2f0e1a3c5b`,
    account: ACCOUNT,
    region: REGION,
    group: 'family:db-migrate',
    lastStatus: 'RUNNING',
    eniIds: [],
    ...over,
  };
}

export function cluster(over: Partial<ClusterResource> = {}): ClusterResource {
  return {
    kind: 'Cluster',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`,
    account: ACCOUNT,
    region: REGION,
    name: 'prod-cluster',
    settings: { containerInsights: 'enabled' },
    ...over,
  };
}

export function containerInstance(attributes: readonly string[]): ContainerInstanceResource {
  return {
    kind: 'ContainerInstance',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod-cluster/4d1c0b9a8f7e6d5c4b3a291807162534`,
    account: ACCOUNT,
    region: REGION,
    attributes,
  };
}

/** An Auto Scaling group capacity provider with managed termination protection (compliant). */
export function capacityProvider(over: Partial<CapacityProviderResource> = {}): CapacityProviderResource {
  return {
    kind: 'CapacityProvider',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/prod-asg-cp`,
    account: ACCOUNT,
    region: REGION,
    name: 'prod-asg-cp',
    autoScalingGroup: {
      arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9:autoScalingGroupName/prod-asg`,
      managedTerminationProtection: 'ENABLED',
    },
    ...over,
  };
}

// ---------------------------------------------------------------- raw events

let seq = 0;
/** Event ids are plain strings (EventBridge does not promise UUIDs); short ones keep the JSON readable. */
const nextId = (): string => `test-event-${++seq}`;

export interface CloudTrailInput {
  readonly eventName: string;
  readonly eventSource?: string;
  readonly requestParameters?: unknown;
  readonly responseElements?: unknown;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly eventTime?: string;
  /** The caller's role; the session name is fixed. */
  readonly role?: string;
  readonly readOnly?: boolean;
  /** The account and region of the call (default the helpers' ACCOUNT and REGION). */
  readonly account?: string;
  readonly region?: string;
}

/** An `AWS API Call via CloudTrail` event as EventBridge delivers it. */
export function cloudTrailEvent(input: CloudTrailInput): Record<string, unknown> {
  const account = input.account ?? ACCOUNT;
  const region = input.region ?? REGION;
  const eventSource = input.eventSource ?? 'ecs.amazonaws.com';
  const time = input.eventTime ?? '2026-03-02T08:03:40Z';
  const role = input.role ?? 'DeployRole';
  return {
    version: '0',
    id: nextId(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${eventSource.split('.')[0]}`,
    account,
    time,
    region,
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID1234567:session',
        arn: `arn:aws:sts::${account}:assumed-role/${role}/session`,
        accountId: account,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLEID1234567',
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
          attributes: { creationDate: '2026-03-02T07:58:10Z', mfaAuthenticated: 'false' },
        },
      },
      eventTime: time,
      eventSource,
      eventName: input.eventName,
      awsRegion: region,
      sourceIPAddress: '203.0.113.24',
      userAgent: 'aws-cli/2.27.0',
      ...(input.errorCode ? { errorCode: input.errorCode, errorMessage: input.errorMessage ?? 'error' } : {}),
      requestParameters: input.requestParameters ?? null,
      responseElements: input.responseElements === undefined ? null : input.responseElements,
      requestID: nextId(),
      eventID: nextId(),
      readOnly: input.readOnly ?? false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}

/** An ECS API container definition (the JSON of RegisterTaskDefinition), compliant by default. */
export function apiContainer(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'app',
    image: ECR_IMAGE,
    essential: true,
    user: '1000:1000',
    readonlyRootFilesystem: true,
    environment: [{ name: 'PORT', value: '8080' }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/checkout-api', 'awslogs-region': REGION },
    },
    ...over,
  };
}

/**
 * A successful RegisterTaskDefinition: the request is `def` (family `checkout-api`, awsvpc, Fargate,
 * one compliant container unless overridden) and the response echoes it with ARN and revision.
 */
export function registerTaskDefinitionEvent(
  def: Record<string, unknown> = {},
  opts: { revision?: number; eventTime?: string } = {},
): Record<string, unknown> {
  const request = {
    family: 'checkout-api',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    containerDefinitions: [apiContainer()],
    ...def,
  };
  const revision = opts.revision ?? 42;
  return cloudTrailEvent({
    eventName: 'RegisterTaskDefinition',
    ...(opts.eventTime ? { eventTime: opts.eventTime } : {}),
    requestParameters: request,
    responseElements: {
      taskDefinition: {
        ...request,
        taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${String(request.family)}:${revision}`,
        revision,
        status: 'ACTIVE',
        registeredAt: 'Mar 2, 2026 8:03:40 AM',
      },
      tags: [],
    },
  });
}

// ---------------------------------------------------------------- the engine

export interface Engine {
  readonly deps: EngineDeps;
  run(raw: unknown): Promise<EventResult>;
  /** Every finding of several events, in order (one shared window counter). */
  runAll(raws: readonly unknown[]): Promise<Finding[]>;
}

/** The engine as the CLI runs it: default policy, in-memory windows, optional enricher. */
export function engine(enricher?: Enricher): Engine {
  const deps: EngineDeps = {
    policy: DEFAULT_POLICY,
    counter: new MemoryWindowCounter(),
    now: () => new Date('2026-03-10T00:00:00Z'),
    ...(enricher ? { enricher } : {}),
  };
  return {
    deps,
    run: (raw) => evaluateRaw(raw, deps),
    async runAll(raws) {
      const out: Finding[] = [];
      for (const raw of raws) out.push(...(await evaluateRaw(raw, deps)).findings);
      return out;
    },
  };
}

/** One event through a fresh engine. */
export async function evaluateOne(raw: unknown, enricher?: Enricher): Promise<EventResult> {
  return engine(enricher).run(raw);
}

export function withRule(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

/** The single finding of `ruleId`, failing when there is not exactly one. */
export function only(findings: readonly Finding[], ruleId: string): Finding {
  const list = withRule(findings, ruleId);
  expect(list, `findings of ${ruleId}`).toHaveLength(1);
  return list[0]!;
}

export function ruleIds(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.ruleId))].sort();
}

/** An enricher stub: returns what the test gives it and records what it was asked. */
export function stubEnricher(opts: {
  taskDefinitions?: Record<string, TaskDefinitionResource>;
  publicIps?: readonly string[];
  services?: Record<string, ServiceResource>;
}): Enricher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    describeTaskDefinition(arn) {
      calls.push(`describeTaskDefinition ${arn}`);
      return Promise.resolve(opts.taskDefinitions?.[arn]);
    },
    publicIps(eniIds) {
      calls.push(`publicIps ${eniIds.join(',')}`);
      return Promise.resolve([...(opts.publicIps ?? [])]);
    },
    describeService(arn) {
      calls.push(`describeService ${arn}`);
      return Promise.resolve(opts.services?.[arn]);
    },
  };
}

// CloudTrail launches of services and standalone tasks, shared by the workload rules' tests.

export const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-0a1b2c3d4e5f60718'],
    securityGroups: ['sg-0123456789abcdef0'],
    assignPublicIp: 'DISABLED',
  },
};

/** A CreateService as CloudTrail records it, request only (the response is left out on purpose). */
export function createService(request: Record<string, unknown>, response?: Record<string, unknown>) {
  return cloudTrailEvent({
    eventName: 'CreateService',
    requestParameters: {
      cluster: 'prod-cluster',
      serviceName: 'checkout-api',
      taskDefinition: 'checkout-api:42',
      desiredCount: 2,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: NETWORK,
      enableExecuteCommand: false,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      ...request,
    },
    ...(response ? { responseElements: response } : {}),
  });
}

export function runTask(request: Record<string, unknown>, tasks: Record<string, unknown>[]) {
  return cloudTrailEvent({
    eventName: 'RunTask',
    requestParameters: {
      cluster: 'prod-cluster',
      taskDefinition: 'db-migrate:12',
      count: tasks.length,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      ...request,
    },
    responseElements: { tasks, failures: [] },
  });
}

export const startedTask = (id: string, over: Record<string, unknown> = {}) => ({
  taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/${id}`,
  clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`,
  taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/db-migrate:12`,
  group: 'family:db-migrate',
  lastStatus: 'PROVISIONING',
  launchType: 'FARGATE',
  attachments: [
    {
      id: 'att-1',
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
      details: [{ name: 'subnetId', value: 'subnet-0a1b2c3d4e5f60718' }],
    },
  ],
  ...over,
});

// Enrichment-based rules (td-task-role-wildcard, sg-world-open-admin-port, the tag rules).

export const SECURITY_GROUP_ID = 'sg-0123456789abcdef0';

/** A security group that passes sg-world-open-admin-port: HTTPS from anywhere, SSH from one network. */
export function securityGroup(over: Partial<SecurityGroupResource> = {}): SecurityGroupResource {
  return {
    kind: 'SecurityGroup',
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${SECURITY_GROUP_ID}`,
    account: ACCOUNT,
    region: REGION,
    groupId: SECURITY_GROUP_ID,
    groupName: 'checkout-api',
    vpcId: 'vpc-0a1b2c3d',
    ingress: [
      { protocol: 'tcp', fromPort: 443, toPort: 443, ipv4Ranges: ['0.0.0.0/0'], ipv6Ranges: ['::/0'] },
      { protocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: ['10.0.0.0/8'], ipv6Ranges: [] },
    ],
    usedBy: [],
    ...over,
  };
}

/** stubEnricher plus the enrichment-based reads, each recorded in `calls`. */
export function stubEnricherWith(
  base: Parameters<typeof stubEnricher>[0],
  more: {
    roles?: Record<string, TaskRolePolicies>;
    securityGroups?: readonly SecurityGroupResource[];
    tags?: Record<string, Readonly<Record<string, string>>>;
    clusters?: Record<string, ClusterResource>;
  },
): Enricher & { calls: string[] } {
  const e = stubEnricher(base);
  return {
    ...e,
    rolePolicies(roleArn) {
      e.calls.push(`rolePolicies ${roleArn}`);
      return Promise.resolve(more.roles?.[roleArn] ?? { roleArn, exists: false, policies: [] });
    },
    securityGroups(ids) {
      e.calls.push(`securityGroups ${ids.join(',')}`);
      return Promise.resolve((more.securityGroups ?? []).filter((g) => ids.includes(g.groupId)));
    },
    listTags(arn) {
      e.calls.push(`listTags ${arn}`);
      return Promise.resolve(more.tags?.[arn]);
    },
    describeCluster(arn) {
      e.calls.push(`describeCluster ${arn}`);
      return Promise.resolve(more.clusters?.[arn]);
    },
  };
}
