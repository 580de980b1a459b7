/**
 * The enrichment-based rules with the real SDK v3 clients against moto_server: td-task-role-wildcard
 * (IAM role policies, inline and managed, the default version of a managed policy, a role that does not
 * exist, a member account's role through that account's credentials, a role of another account than
 * the event's refused), sg-world-open-admin-port (EC2
 * DescribeSecurityGroups, a deleted group), the tag rules' TagResource / UntagResource re-read
 * (ListTagsForResource, DescribeClusters), and the time-bounded caches (a change is seen after the TTL).
 */
import { randomUUID } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsEnricher } from '../../shared/aws/enricher';
import type { ClientFactory } from '../../shared/aws/clients';
import { evaluateRaw, type EventResult } from '../../shared/engine/run';
import { MemoryWindowCounter } from '../../shared/engine/windows';
import type { ResourceScope } from '../../shared/engine/enrich';
import { DEFAULT_POLICY, parsePolicy } from '../../shared/policy/load';
import type { Policy } from '../../shared/policy/types';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { cloudTrailEvent } from '../unit/rules/helpers';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '222233334444';
const REGION = 'us-east-1';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const doc = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

function cloudTrail(
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
  account = ACCOUNT,
) {
  return cloudTrailEvent({ eventName, requestParameters, responseElements, account, region: REGION });
}

/** A RegisterTaskDefinition event as CloudTrail records the call made here (response: ECS's answer). */
function registration(td: {
  taskDefinitionArn?: string;
  family?: string;
  taskRoleArn?: string;
  containerDefinitions?: unknown;
}) {
  const request = {
    family: td.family,
    taskRoleArn: td.taskRoleArn,
    containerDefinitions: td.containerDefinitions,
  };
  return cloudTrail('RegisterTaskDefinition', request, { taskDefinition: td });
}

describe('enrichment-based rules against moto_server', () => {
  let moto: Moto;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let iam: IAMClient;
  let vpcId: string;
  let clock = Date.parse('2026-11-22T10:00:00Z');
  const now = () => clock;
  /** send() calls per command name made by the enricher's clients. */
  const calls = new Map<string, number>();
  type Stack = {
    add(
      mw: (next: (a: unknown) => unknown, ctx: { commandName?: string }) => (a: unknown) => unknown,
      o: { step: 'initialize' },
    ): void;
  };
  const counted = <C>(client: C): C => {
    (client as unknown as { middlewareStack: Stack }).middlewareStack.add(
      (next, context) => (args) => {
        const name = context.commandName ?? '?';
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize' },
    );
    return client;
  };
  const count = (name: string) => calls.get(name) ?? 0;
  let enricher: AwsEnricher;
  /** The scopes the enricher asked clients for. */
  const scopes: string[] = [];

  const run = async (raw: unknown, policy: Policy = DEFAULT_POLICY): Promise<EventResult> =>
    evaluateRaw(raw, { policy, counter: new MemoryWindowCounter(), enricher });

  beforeAll(async () => {
    moto = await startMoto();
    ecs = new ECSClient(motoClientConfig(moto, REGION));
    ec2 = new EC2Client(motoClientConfig(moto, REGION));
    iam = new IAMClient(motoClientConfig(moto, REGION));
    const sts = new STSClient(motoClientConfig(moto, REGION));
    vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })))
      .Vpcs![0]!.VpcId!;
    // Another account: moto attributes calls signed with assumed credentials to the role's account.
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/guardrail-read`,
        RoleSessionName: 'it',
      }),
    );
    const otherCredentials = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    const configFor = (scope: ResourceScope) => ({
      ...motoClientConfig(moto, scope.region),
      ...(scope.account === OTHER_ACCOUNT ? { credentials: otherCredentials } : {}),
    });
    const factory: ClientFactory = {
      ecs: (s) => counted(new ECSClient(configFor(s))),
      ec2: (s) => counted(new EC2Client(configFor(s))),
      iam: (s) => {
        scopes.push(`iam ${s.account}/${s.region}`);
        return counted(new IAMClient(configFor(s)));
      },
    };
    enricher = new AwsEnricher({ clientFactory: factory, now });
    (globalThis as { otherIam?: IAMClient }).otherIam = new IAMClient(
      configFor({ account: OTHER_ACCOUNT, region: REGION }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  const createRole = async (client: IAMClient, name: string): Promise<string> =>
    (
      await client.send(
        new CreateRoleCommand({ RoleName: name, Path: '/service/', AssumeRolePolicyDocument: TRUST }),
      )
    ).Role!.Arn!;

  const register = async (family: string, taskRoleArn?: string) =>
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          ...(taskRoleArn ? { taskRoleArn } : {}),
          containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', memory: 128 }],
        }),
      )
    ).taskDefinition!;

  describe('td-task-role-wildcard (IAM)', () => {
    it('an inline `s3:*` on `*` fires; a managed policy is read at its default version', async () => {
      const roleArn = await createRole(iam, 'wild-inline');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'wild-inline',
          PolicyName: 'data',
          PolicyDocument: doc({ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: '*' }),
        }),
      );
      const policyArn = (
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: 'narrow-then-wide',
            PolicyDocument: doc({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: 'arn:aws:sqs:us-east-1:123456789012:q',
            }),
          }),
        )
      ).Policy!.Arn!;
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'wild-inline', PolicyArn: policyArn }));
      // A second version becomes the default: its wildcard is what counts.
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: policyArn,
          PolicyDocument: doc({
            Effect: 'Allow',
            Action: ['dynamodb:*'],
            Resource: ['*'],
            Condition: { Bool: { 'aws:SecureTransport': 'true' } },
          }),
          SetAsDefault: true,
        }),
      );
      const td = await register('wild-inline', roleArn);
      const r = await run(registration(td));
      const f = r.findings.find((x) => x.ruleId === 'td-task-role-wildcard');
      expect(f?.resource.arn).toBe(td.taskDefinitionArn);
      const messages = f!.evidence.map((e) => e.message).join('\n');
      expect(messages).toContain('inline policy "data" allows Action "s3:*" on Resource "*"');
      expect(messages).toContain(
        'managed policy "narrow-then-wide" allows Action "dynamodb:*" on Resource "*" (has a Condition',
      );
      expect(r.incomplete).toBeUndefined();
    });

    it('a narrow role and a role without policies are compliant', async () => {
      const roleArn = await createRole(iam, 'narrow');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'narrow',
          PolicyName: 'read',
          PolicyDocument: doc(
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::assets/*' },
            { Effect: 'Deny', Action: '*', Resource: '*' },
          ),
        }),
      );
      const r = await run(registration(await register('narrow', roleArn)));
      expect(r.findings.filter((f) => f.ruleId === 'td-task-role-wildcard')).toEqual([]);
      const empty = await createRole(iam, 'empty');
      expect(
        (await run(registration(await register('empty', empty)))).findings.filter(
          (f) => f.ruleId === 'td-task-role-wildcard',
        ),
      ).toEqual([]);
    });

    it('a role that does not exist: an incomplete reason naming it, no finding, no crash', async () => {
      const ghost = `arn:aws:iam::${ACCOUNT}:role/does-not-exist`;
      const td = await register('ghost', ghost);
      const r = await run(registration(td));
      expect(r.findings.filter((f) => f.ruleId === 'td-task-role-wildcard')).toEqual([]);
      expect(r.incomplete?.reason).toContain(`task role ${ghost}`);
    });

    it("a member account's event: its task role is read with that account's clients", async () => {
      const otherIam = (globalThis as { otherIam?: IAMClient }).otherIam!;
      const roleArn = await createRole(otherIam, 'cross');
      expect(roleArn).toContain(`::${OTHER_ACCOUNT}:`);
      await otherIam.send(
        new PutRolePolicyCommand({
          RoleName: 'cross',
          PolicyName: 'admin',
          PolicyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
        }),
      );
      const td = {
        taskDefinitionArn: `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:task-definition/cross:1`,
        family: 'cross',
        revision: 1,
        taskRoleArn: roleArn,
        containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', memory: 128 }],
      };
      const event = cloudTrail(
        'RegisterTaskDefinition',
        { ...td, taskDefinitionArn: undefined },
        { taskDefinition: td },
        OTHER_ACCOUNT,
      );
      const r = await run(event);
      expect(r.findings.filter((f) => f.ruleId === 'td-task-role-wildcard').map((f) => f.account)).toEqual([
        OTHER_ACCOUNT,
      ]);
      expect(scopes).toContain(`iam ${OTHER_ACCOUNT}/${REGION}`);
    });

    it('a task role of another account than the event (a lying event) is not read: AccountMismatch', async () => {
      const roleArn = `arn:aws:iam::${OTHER_ACCOUNT}:role/cross`;
      const before = count('ListRolePoliciesCommand');
      const r = await run(registration(await register('lying', roleArn)));
      expect(r.findings.filter((f) => f.ruleId === 'td-task-role-wildcard')).toEqual([]);
      expect(r.incomplete?.reason).toContain(
        `names account ${OTHER_ACCOUNT}, the event is from account ${ACCOUNT}: not read`,
      );
      expect(count('ListRolePoliciesCommand')).toBe(before);
    });

    it('the role is cached for the TTL (no IAM call), and a policy change is seen after it', async () => {
      const roleArn = await createRole(iam, 'ttl');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'ttl',
          PolicyName: 'p',
          PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
        }),
      );
      const td = await register('ttl', roleArn);
      expect(
        (await run(registration(td))).findings.filter((f) => f.ruleId === 'td-task-role-wildcard'),
      ).toEqual([]);
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'ttl',
          PolicyName: 'p',
          PolicyDocument: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }),
        }),
      );
      const before = count('GetRolePolicyCommand');
      expect(
        (await run(registration(td))).findings.filter((f) => f.ruleId === 'td-task-role-wildcard'),
      ).toEqual([]);
      expect(count('GetRolePolicyCommand')).toBe(before); // served from the cache
      clock += 5 * 60_000 + 1;
      expect(
        (await run(registration(td))).findings.filter((f) => f.ruleId === 'td-task-role-wildcard'),
      ).toHaveLength(1);
      expect(count('GetRolePolicyCommand')).toBe(before + 1);
    });
  });

  describe('sg-world-open-admin-port (EC2)', () => {
    const group = async (
      name: string,
      ...rules: { port: number; cidr?: string; cidr6?: string; protocol?: string }[]
    ) => {
      const id = (
        await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }))
      ).GroupId!;
      for (const r of rules)
        await ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: id,
            IpPermissions: [
              {
                IpProtocol: r.protocol ?? 'tcp',
                FromPort: r.port,
                ToPort: r.port,
                ...(r.cidr ? { IpRanges: [{ CidrIp: r.cidr }] } : {}),
                ...(r.cidr6 ? { Ipv6Ranges: [{ CidrIpv6: r.cidr6 }] } : {}),
              },
            ],
          }),
        );
      return id;
    };
    const createService = (securityGroups: string[], assignPublicIp = 'DISABLED') =>
      cloudTrail(
        'CreateService',
        { cluster: 'prod', serviceName: 'web' },
        {
          service: {
            serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/web`,
            serviceName: 'web',
            clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
            launchType: 'FARGATE',
            networkConfiguration: {
              awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups, assignPublicIp },
            },
          },
        },
      );

    it('SSH from 0.0.0.0/0 fires on the group (high), critical with a public IP; RDP over IPv6 too', async () => {
      const ssh = await group('ssh-open', { port: 22, cidr: '0.0.0.0/0' }, { port: 443, cidr: '0.0.0.0/0' });
      const rdp6 = await group('rdp-open-v6', { port: 3389, cidr6: '::/0' });
      const closed = await group(
        'closed',
        { port: 22, cidr: '10.0.0.0/8' },
        { port: 443, cidr: '0.0.0.0/0' },
      );
      const r = await run(createService([ssh, rdp6, closed]));
      const found = r.findings.filter((f) => f.ruleId === 'sg-world-open-admin-port');
      expect(found.map((f) => f.resource.arn).sort()).toEqual(
        [ssh, rdp6].map((id) => `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`).sort(),
      );
      expect(found.every((f) => f.severity === 'high')).toBe(true);
      const pub = await run(createService([ssh], 'ENABLED'));
      expect(pub.findings.find((f) => f.ruleId === 'sg-world-open-admin-port')?.severity).toBe('critical');
    });

    it('an ECS Task State Change names no group: the groups of its ENI are read (one DescribeNetworkInterfaces)', async () => {
      const ssh = await group('ssh-open-task', { port: 22, cidr: '0.0.0.0/0' });
      const subnet = (
        await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
      ).Subnets![0]!.SubnetId!;
      await ecs.send(new CreateClusterCommand({ clusterName: 'tasks' }));
      const td = (
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'sg-task',
            networkMode: 'awsvpc',
            requiresCompatibilities: ['FARGATE'],
            cpu: '256',
            memory: '512',
            containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', memory: 128 }],
          }),
        )
      ).taskDefinition!;
      const started = await ecs.send(
        new RunTaskCommand({
          cluster: 'tasks',
          taskDefinition: td.taskDefinitionArn!,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [ssh] } },
        }),
      );
      const task = started.tasks![0]!;
      const eniId = task.attachments![0]!.details!.find((d) => d.name === 'networkInterfaceId')!.value!;
      const before = count('DescribeNetworkInterfacesCommand');
      const r = await run({
        version: '0',
        id: randomUUID(),
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: ACCOUNT,
        time: '2026-11-22T10:00:00Z',
        region: REGION,
        resources: [task.taskArn],
        detail: {
          taskArn: task.taskArn,
          clusterArn: task.clusterArn,
          taskDefinitionArn: td.taskDefinitionArn,
          lastStatus: 'RUNNING',
          group: 'family:sg-task',
          attachments: [
            { type: 'eni', status: 'ATTACHED', details: [{ name: 'networkInterfaceId', value: eniId }] },
          ],
        },
      });
      expect(
        r.findings.filter((f) => f.ruleId === 'sg-world-open-admin-port').map((f) => f.resource.arn),
      ).toEqual([`arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${ssh}`]);
      expect(count('DescribeNetworkInterfacesCommand')).toBe(before + 1);
    });

    it('a group that no longer exists is skipped without failing the others', async () => {
      const gone = await group('gone', { port: 22, cidr: '0.0.0.0/0' });
      const ssh = await group('ssh-open-2', { port: 22, cidr: '0.0.0.0/0' });
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: gone }));
      const r = await run(createService([gone, ssh]));
      expect(
        r.findings.filter((f) => f.ruleId === 'sg-world-open-admin-port').map((f) => f.resource.arn),
      ).toEqual([`arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${ssh}`]);
      expect(r.incomplete).toBeUndefined();
    });

    it('groups are cached per id for the TTL; a rule opened meanwhile is seen after it', async () => {
      const later = await group('opened-later', { port: 443, cidr: '0.0.0.0/0' });
      expect(
        (await run(createService([later]))).findings.filter((f) => f.ruleId === 'sg-world-open-admin-port'),
      ).toEqual([]);
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: later,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
      const before = count('DescribeSecurityGroupsCommand');
      expect(
        (await run(createService([later]))).findings.filter((f) => f.ruleId === 'sg-world-open-admin-port'),
      ).toEqual([]);
      expect(count('DescribeSecurityGroupsCommand')).toBe(before);
      clock += 5 * 60_000 + 1;
      const r = await run(createService([later]));
      expect(r.findings.find((f) => f.ruleId === 'sg-world-open-admin-port')?.evidence[0]?.message).toContain(
        'all traffic',
      );
    });
  });

  describe('tag rules: TagResource / UntagResource re-read the resource', () => {
    const on = parsePolicy(
      'rules:\n  td-missing-tags: { mode: notify }\n  cluster-missing-tags: { mode: notify, params: { requiredTagKeys: [owner] } }\n',
    );

    it('UntagResource of a task definition reads its current tags (ListTagsForResource)', async () => {
      const td = await register('tagged');
      const arn = td.taskDefinitionArn!;
      await ecs.send(
        new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'team', value: 'payments' }] }),
      );
      const tagged = await run(
        cloudTrail('TagResource', { resourceArn: arn, tags: [{ key: 'team', value: 'payments' }] }, null),
        on,
      );
      expect(tagged.findings.filter((f) => f.ruleId === 'td-missing-tags')).toEqual([]);
      expect(tagged.incomplete).toBeUndefined();
      await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
      const untagged = await run(
        cloudTrail('UntagResource', { resourceArn: arn, tagKeys: ['team'] }, null),
        on,
      );
      expect(
        untagged.findings.filter((f) => f.ruleId === 'td-missing-tags').map((f) => f.resource.arn),
      ).toEqual([arn]);
      expect(count('ListTagsForResourceCommand')).toBeGreaterThanOrEqual(2);
    });

    it('UntagResource of a cluster reads the cluster with its tags (DescribeClusters)', async () => {
      const arn = (
        await ecs.send(
          new CreateClusterCommand({
            clusterName: 'tagged',
            tags: [
              { key: 'owner', value: 'platform' },
              { key: 'env', value: 'prod' },
            ],
          }),
        )
      ).cluster!.clusterArn!;
      await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['owner'] }));
      const r = await run(cloudTrail('UntagResource', { resourceArn: arn, tagKeys: ['owner'] }, null), on);
      expect(r.findings.find((f) => f.ruleId === 'cluster-missing-tags')?.evidence[0]?.message).toContain(
        '"owner"',
      );
    });

    it('a tag event on a resource deleted since: nothing to check, complete, no crash', async () => {
      const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/never:1`;
      const r = await run(cloudTrail('UntagResource', { resourceArn: arn, tagKeys: ['team'] }, null), on);
      expect(r.findings).toEqual([]);
      // ECS answered "does not exist": a complete answer (nothing to check), not "needs --enrich".
      expect(r.incomplete).toBeUndefined();
    });
  });
});
