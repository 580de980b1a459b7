/**
 * Property (issue 15, verify before acting): for ANY event (whatever the finding claims) and ANY state
 * AWS holds, a remediation's write call is made only if the finding's rule fails on AWS's state.
 * AWS is aws-sdk-client-mock (ECS and EC2); the oracle below reads the raw API shapes directly (not the
 * normalizer or the rule under test), and every write command sent is counted.
 */
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  UpdateServiceCommand,
  type Cluster,
  type ContainerDefinition,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../../../shared/store/audit';
import { MemoryBudget } from '../../../shared/store/budget';
import { Remediator } from '../../../shared/remediation/remediator';
import { HOME, makeFinding, policyWith } from './helpers';

const ecsMock = mockClient(ECSClient);
const ec2Mock = mockClient(EC2Client);
const R = 'us-east-1';
const CLUSTER = `arn:aws:ecs:${R}:${HOME}:cluster/prod`;
const SVC = `arn:aws:ecs:${R}:${HOME}:service/prod/api`;
const TD = `arn:aws:ecs:${R}:${HOME}:task-definition/web:7`;
const TASK = `arn:aws:ecs:${R}:${HOME}:task/prod/0123456789abcdef`;
const ENI = 'eni-0123456789abcdef0';

const WRITES = [
  DeregisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  UpdateClusterSettingsCommand,
  UpdateClusterCommand,
] as const;
const writesSent = () => WRITES.flatMap((c) => ecsMock.commandCalls(c as never).map(() => c.name)).concat();

/** What AWS holds (one arbitrary state for every resource kind). */
interface AwsState {
  readonly containers: ContainerDefinition[];
  readonly tdStatus: 'ACTIVE' | 'INACTIVE';
  readonly task: {
    lastStatus: string;
    desiredStatus: string;
    group: string;
    hasEni: boolean;
    publicIp?: string;
  };
  readonly service: { assignPublicIp?: string; exec?: boolean; controller: string };
  readonly insights?: string;
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const state: fc.Arbitrary<AwsState> = fc.record({
  containers: fc.array(
    fc.record({
      name: fc.constantFrom('app', 'sidecar', 'init'),
      image: fc.constant('app:1'),
      privileged: maybe(fc.boolean()),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  tdStatus: fc.constantFrom('ACTIVE', 'INACTIVE'),
  task: fc.record({
    lastStatus: fc.constantFrom('RUNNING', 'PENDING', 'STOPPED'),
    desiredStatus: fc.constantFrom('RUNNING', 'STOPPED'),
    group: fc.constantFrom('family:web', 'service:api'),
    hasEni: fc.boolean(),
    publicIp: maybe(fc.ipV4()),
  }),
  service: fc.record({
    assignPublicIp: maybe(fc.constantFrom('ENABLED', 'DISABLED')),
    exec: maybe(fc.boolean()),
    controller: fc.constantFrom('ECS', 'EXTERNAL', 'CODE_DEPLOY'),
  }),
  insights: maybe(fc.constantFrom('disabled', 'enabled', 'enhanced')),
});

/** The oracle: does the rule fail on AWS's state? Read from the raw shapes, independently of the code. */
function violated(ruleId: string, s: AwsState): boolean {
  switch (ruleId) {
    case 'td-privileged':
      return s.containers.some((c) => c.privileged === true);
    case 'task-public-ip':
      return s.task.hasEni && s.task.lastStatus !== 'STOPPED' && s.task.publicIp !== undefined;
    case 'svc-public-ip':
      return s.service.assignPublicIp === 'ENABLED';
    case 'svc-exec-enabled':
      return s.service.exec === true;
    case 'cluster-container-insights-disabled':
      return s.insights === 'disabled';
    default:
      throw new Error(ruleId);
  }
}

function mockAws(s: AwsState): void {
  ecsMock.reset();
  ec2Mock.reset();
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TD,
      family: 'web',
      revision: 7,
      status: s.tdStatus,
      containerDefinitions: s.containers,
    },
  });
  const task: Task = {
    taskArn: TASK,
    clusterArn: CLUSTER,
    taskDefinitionArn: TD,
    group: s.task.group,
    lastStatus: s.task.lastStatus,
    desiredStatus: s.task.desiredStatus,
    attachments: s.task.hasEni
      ? [{ type: 'ElasticNetworkInterface', details: [{ name: 'networkInterfaceId', value: ENI }] }]
      : [],
  };
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task] });
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      { NetworkInterfaceId: ENI, ...(s.task.publicIp ? { Association: { PublicIp: s.task.publicIp } } : {}) },
    ],
  });
  const service: Service = {
    serviceArn: SVC,
    serviceName: 'api',
    clusterArn: CLUSTER,
    status: 'ACTIVE',
    deploymentController: { type: s.service.controller as 'ECS' },
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-a'],
        securityGroups: ['sg-1'],
        ...(s.service.assignPublicIp ? { assignPublicIp: s.service.assignPublicIp as 'ENABLED' } : {}),
      },
    },
    ...(s.service.exec !== undefined ? { enableExecuteCommand: s.service.exec } : {}),
  };
  ecsMock.on(DescribeServicesCommand).resolves({ services: [service] });
  const cluster: Cluster = {
    clusterArn: CLUSTER,
    clusterName: 'prod',
    status: 'ACTIVE',
    settings: s.insights ? [{ name: 'containerInsights', value: s.insights }] : [],
  };
  ecsMock.on(DescribeClustersCommand).resolves({ clusters: [cluster] });
  ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
  ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK] });
  for (const c of WRITES) ecsMock.on(c as never).resolves({} as never);
}

const TARGETS: Record<string, string> = {
  'td-privileged': TD,
  'task-public-ip': TASK,
  'svc-public-ip': SVC,
  'svc-exec-enabled': SVC,
  'cluster-container-insights-disabled': CLUSTER,
};

/** Whatever the event claimed: any evidence, any event id and time, any (foreign) actor. */
const claim = fc.record({
  ruleId: fc.constantFrom(...Object.keys(TARGETS)),
  message: fc.string({ maxLength: 40 }),
  eventId: fc.uuid(),
  actorAccount: fc.constantFrom('999988887777', '111122223333'),
  deregisterInUse: fc.boolean(),
});

beforeEach(() => {
  ecsMock.reset();
  ec2Mock.reset();
});

describe('verify before acting (property)', () => {
  it('a write call is made only if the rule fails on the state AWS returns', async () => {
    let acted = 0;
    let declined = 0;
    await fc.assert(
      fc.asyncProperty(claim, state, async (c, s) => {
        mockAws(s);
        const policy = policyWith([c.ruleId], {}, { deregisterInUse: c.deregisterInUse, budgetPerHour: 100 });
        const remediator = new Remediator({
          policy,
          clients: {
            allows: async () => true,
            ecs: async () => ({
              ecs: new ECSClient({ region: R, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
              ec2: async () =>
                new EC2Client({ region: R, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
            }),
          },
          budget: new MemoryBudget(),
          audit: new MemoryAuditLog(),
        });
        const base = makeFinding(c.ruleId, TARGETS[c.ruleId]!, {
          actorRoleArn: `arn:aws:iam::${c.actorAccount}:role/DeployRole`,
        });
        const out = await remediator.remediate({
          ...base,
          evidence: [{ path: 'claimed', message: c.message }],
          event: { ...base.event, id: c.eventId },
        });
        const writes = writesSent();
        if (writes.length) acted++;
        else declined++;
        if (!violated(c.ruleId, s)) {
          expect(writes).toEqual([]);
          expect(out.action?.status).not.toBe('done');
        }
        // A write of a follow-up (StopTask after a deregistration) is judged by the same rule.
        if (writes.includes('StopTaskCommand') && c.ruleId === 'td-privileged')
          expect(s.containers.some((x) => x.privileged === true)).toBe(true);
      }),
      { numRuns: 300 },
    );
    // The property is not vacuous: both branches were exercised.
    expect(acted).toBeGreaterThan(0);
    expect(declined).toBeGreaterThan(0);
  });
});
