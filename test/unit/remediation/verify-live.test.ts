/**
 * The verification step (shared/remediation/live-state.ts) on its failure paths, with aws-sdk-client-mock:
 * a read it needs is denied, AWS answers a shape the rules cannot read, dry-run of a resource that does
 * not violate the rule. Never a write, never a crash, a typed reason naming the operation.
 */
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../../../shared/store/audit';
import { MemoryBudget } from '../../../shared/store/budget';
import { kindOfArn } from '../../../shared/remediation/live-state';
import { Remediator } from '../../../shared/remediation/remediator';
import type { Policy } from '../../../shared/policy/types';
import { HOME, makeFinding, policyWith } from './helpers';

const ecsMock = mockClient(ECSClient);
const ec2Mock = mockClient(EC2Client);
const R = 'us-east-1';
const CLUSTER = `arn:aws:ecs:${R}:${HOME}:cluster/prod`;
const SVC = `arn:aws:ecs:${R}:${HOME}:service/prod/api`;
const TASK = `arn:aws:ecs:${R}:${HOME}:task/prod/0123456789abcdef`;
const creds = { accessKeyId: 'a', secretAccessKey: 'b' };

function remediator(policy: Policy) {
  const audit = new MemoryAuditLog();
  const r = new Remediator({
    policy,
    clients: {
      allows: async () => true,
      ecs: async () => ({
        ecs: new ECSClient({ region: R, credentials: creds }),
        ec2: async () => new EC2Client({ region: R, credentials: creds }),
      }),
    },
    budget: new MemoryBudget(),
    audit,
  });
  return { r, audit };
}

const runningTask = {
  taskArn: TASK,
  clusterArn: CLUSTER,
  group: 'family:batch',
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  attachments: [
    { type: 'ElasticNetworkInterface', details: [{ name: 'networkInterfaceId', value: 'eni-1' }] },
  ],
};

beforeEach(() => {
  ecsMock.reset();
  ec2Mock.reset();
});

describe('verify before acting: failure paths', () => {
  it('the ENI read is denied: failed, naming ec2:DescribeNetworkInterfaces, no StopTask', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask] });
    ec2Mock.on(DescribeNetworkInterfacesCommand).rejects(
      Object.assign(new Error('User arn:aws:sts::1:assumed-role/x is not authorized, secret=abc'), {
        name: 'UnauthorizedOperation',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { r, audit } = remediator(policyWith(['task-public-ip']));
    const out = await r.remediate(makeFinding('task-public-ip', TASK));
    expect(out.action).toEqual({
      name: 'stop-task',
      status: 'failed',
      reason: 'UnauthorizedOperation on ec2:DescribeNetworkInterfaces (verifying the rule on the live state)',
    });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(JSON.stringify(audit.entries)).not.toContain('secret=abc');
  });

  it('AWS answers a service shape the rules cannot read: failed with the field named, no UpdateService', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceArn: SVC,
          clusterArn: CLUSTER,
          status: 'ACTIVE',
          enableExecuteCommand: 'yes' as unknown as boolean,
        },
      ],
    });
    const { r } = remediator(policyWith(['svc-exec-enabled']));
    const out = await r.remediate(makeFinding('svc-exec-enabled', SVC));
    expect(out.action?.status).toBe('failed');
    expect(out.action?.reason).toContain('InvalidEventError');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('dry-run of a resource that does not violate the rule: not violated now, never "would have"', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask] });
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }] });
    const { r } = remediator(policyWith(['task-public-ip'], { dryRun: true }));
    const out = await r.remediate(makeFinding('task-public-ip', TASK));
    expect(out.action).toEqual({ name: 'stop-task', status: 'skipped', reason: 'not violated now' });
  });

  it('verifyNow: the same step on its own (for an approval path), reading AWS and never writing', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask] });
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }] })
      .resolves({
        NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Association: { PublicIp: '203.0.113.7' } }],
      });
    const { r } = remediator(policyWith(['task-public-ip']));
    const finding = makeFinding('task-public-ip', TASK);
    expect(await r.verifyNow(finding)).toMatchObject({ violated: false, resource: { arn: TASK } });
    const now = await r.verifyNow(finding);
    expect(now.violated).toBe(true);
    expect(now.violated && now.evidence[0]?.message).toContain('203.0.113.7');
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it('names the resource kind of each ECS ARN (what the rule is verified on)', () => {
    expect(kindOfArn(TASK)).toBe('Task');
    expect(kindOfArn(SVC)).toBe('Service');
    expect(kindOfArn(CLUSTER)).toBe('Cluster');
    expect(kindOfArn(`arn:aws:ecs:${R}:${HOME}:task-definition/web:7`)).toBe('TaskDefinition');
    expect(kindOfArn('not-an-arn')).toBeUndefined();
  });
});
