/**
 * The enricher's IAM and EC2 reads (task role policies, security groups) with aws-sdk-client-mock:
 * pagination, URL-encoded documents, a policy deleted between list and read, failures that make the
 * event incomplete (never a crash), the auth cooldown, and the per-role / per-group caches.
 */
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsEnricher } from '../../../shared/aws/enricher';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { registerTaskDefinitionEvent } from '../rules/helpers';

const ROLE = 'arn:aws:iam::111122223333:role/app/checkout-task';
const SCOPE = { account: '111122223333', region: 'us-west-2' };
const meta = { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 };
const sdkError = (name: string, fault: 'client' | 'server' = 'client') =>
  Object.assign(new Error(`${name} message`), {
    name,
    $fault: fault,
    $metadata: { ...meta, httpStatusCode: 400 },
  });
const encoded = (statements: unknown[]) =>
  encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statements }));

describe('AwsEnricher: task role policies (IAM)', () => {
  const iam = mockClient(IAMClient);
  let clock = 0;
  const enricher = () =>
    new AwsEnricher({
      clients: {
        iam: new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'u', secretAccessKey: 'u' } }),
      },
      now: () => clock,
    });
  beforeEach(() => {
    iam.reset();
    clock = 0;
  });

  it('reads every page of both lists, decodes URL-encoded documents, reads managed policies at their default version', async () => {
    iam
      .on(ListRolePoliciesCommand, { RoleName: 'checkout-task' })
      .resolvesOnce({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm1', $metadata: meta })
      .resolvesOnce({ PolicyNames: ['b'], IsTruncated: false, $metadata: meta });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [{ PolicyName: 'Managed', PolicyArn: 'arn:aws:iam::aws:policy/Managed' }],
      $metadata: meta,
    });
    iam.on(GetRolePolicyCommand, { PolicyName: 'a' }).resolves({
      PolicyDocument: encoded([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]),
      $metadata: meta,
    } as never);
    iam
      .on(GetRolePolicyCommand, { PolicyName: 'b' })
      .resolves({ PolicyDocument: encoded([]), $metadata: meta } as never);
    iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v3' }, $metadata: meta });
    iam.on(GetPolicyVersionCommand, { VersionId: 'v3' }).resolves({
      PolicyVersion: { Document: encoded([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]) },
      $metadata: meta,
    });
    const r = await enricher().rolePolicies(ROLE, SCOPE);
    expect(r.exists).toBe(true);
    expect(r.policies.map((p) => `${p.source} ${p.name} ${p.statements.length}`).sort()).toEqual([
      'attached Managed 1',
      'inline a 1',
      'inline b 0',
    ]);
    expect(iam.commandCalls(ListRolePoliciesCommand)[1]!.args[0].input).toMatchObject({ Marker: 'm1' });
  });

  it('a managed policy deleted between the list and the read is skipped, not an error', async () => {
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], $metadata: meta });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [{ PolicyName: 'Gone', PolicyArn: 'arn:aws:iam::111122223333:policy/Gone' }],
      $metadata: meta,
    });
    iam.on(GetPolicyCommand).rejects(sdkError('NoSuchEntityException'));
    expect((await enricher().rolePolicies(ROLE, SCOPE)).policies).toEqual([]);
  });

  it('a role that does not exist is exists:false; access denied is an EnrichmentError naming the operation', async () => {
    iam.on(ListRolePoliciesCommand).rejects(sdkError('NoSuchEntityException'));
    iam.on(ListAttachedRolePoliciesCommand).rejects(sdkError('NoSuchEntityException'));
    expect(await enricher().rolePolicies(ROLE, SCOPE)).toEqual({
      roleArn: ROLE,
      exists: false,
      policies: [],
    });
    iam.reset();
    iam.on(ListRolePoliciesCommand).rejects(sdkError('AccessDenied'));
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], $metadata: meta });
    await expect(enricher().rolePolicies(ROLE, SCOPE)).rejects.toMatchObject({
      name: 'EnrichmentError',
      operation: 'iam:ListRolePolicies',
      code: 'AccessDenied',
    });
  });

  it('end to end: IAM denied makes the event incomplete with the cause, the other rules still run, no crash', async () => {
    iam.on(ListRolePoliciesCommand).rejects(sdkError('AccessDenied'));
    iam.on(ListAttachedRolePoliciesCommand).rejects(sdkError('AccessDenied'));
    const event = registerTaskDefinitionEvent({
      taskRoleArn: ROLE,
      containerDefinitions: [{ name: 'app', image: 'nginx:latest', privileged: true }],
    });
    const r = await evaluateRaw(event, {
      policy: DEFAULT_POLICY,
      counter: new MemoryWindowCounter(),
      enricher: enricher(),
    });
    expect(r.incomplete?.reason).toMatch(/enrichment failed: iam:List\w+ checkout-task: AccessDenied/);
    expect(r.findings.map((f) => f.ruleId)).toContain('td-privileged');
    expect(r.findings.map((f) => f.ruleId)).not.toContain('td-task-role-wildcard');
  });

  it('a role is cached for 5 minutes by default; a failure is not cached', async () => {
    iam
      .on(ListRolePoliciesCommand)
      .rejectsOnce(sdkError('ThrottlingException'))
      .resolves({ PolicyNames: [], $metadata: meta });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], $metadata: meta });
    const e = enricher();
    await expect(e.rolePolicies(ROLE, SCOPE)).rejects.toMatchObject({ code: 'ThrottlingException' });
    await e.rolePolicies(ROLE, SCOPE);
    await e.rolePolicies(ROLE, SCOPE);
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(2);
    clock = 300_000;
    await e.rolePolicies(ROLE, SCOPE);
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(3);
  });

  it('an endless listing (a new Marker on every page) stops with TooManyPages; a repeated Marker ends the listing', async () => {
    let page = 0;
    iam.on(ListRolePoliciesCommand).callsFake(() => ({
      PolicyNames: [],
      IsTruncated: true,
      Marker: `m${++page}`,
      $metadata: meta,
    }));
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], $metadata: meta });
    await expect(enricher().rolePolicies(ROLE, SCOPE)).rejects.toMatchObject({
      name: 'EnrichmentError',
      code: 'TooManyPages',
    });
    expect(page).toBeLessThanOrEqual(101);
    iam.reset();
    iam
      .on(ListRolePoliciesCommand)
      .resolves({ PolicyNames: [], IsTruncated: true, Marker: 'same', $metadata: meta });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], $metadata: meta });
    expect((await enricher().rolePolicies(ROLE, SCOPE)).exists).toBe(true);
    expect(iam.commandCalls(ListRolePoliciesCommand).length).toBeLessThanOrEqual(2);
  });

  it('a taskRoleArn that is not a role ARN is an EnrichmentError, no IAM call', async () => {
    await expect(enricher().rolePolicies('arn:aws:iam::111122223333:user/bob', SCOPE)).rejects.toMatchObject({
      code: 'InvalidRoleArn',
    });
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('AwsEnricher: security groups (EC2)', () => {
  const ec2 = mockClient(EC2Client);
  beforeEach(() => ec2.reset());
  const enricher = () =>
    new AwsEnricher({
      clients: {
        ec2: new EC2Client({ region: 'us-west-2', credentials: { accessKeyId: 'u', secretAccessKey: 'u' } }),
        ecs: new ECSClient({ region: 'us-west-2' }),
      },
    });

  it('one filtered call for the groups not cached; a group that is gone is left out', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-1',
          GroupName: 'web',
          OwnerId: '111122223333',
          IpPermissions: [
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          ],
        },
      ],
      $metadata: meta,
    });
    const e = enricher();
    const first = await e.securityGroups(['sg-1', 'sg-gone'], SCOPE);
    expect(first.map((g) => [g.groupId, g.arn, g.ingress[0]?.protocol])).toEqual([
      ['sg-1', 'arn:aws:ec2:us-west-2:111122223333:security-group/sg-1', '-1'],
    ]);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input).toMatchObject({
      Filters: [{ Name: 'group-id', Values: ['sg-1', 'sg-gone'] }],
    });
    await e.securityGroups(['sg-1', 'sg-gone'], SCOPE);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
  });

  it('UnauthorizedOperation is an EnrichmentError (the event is incomplete), not a crash', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(sdkError('UnauthorizedOperation'));
    await expect(enricher().securityGroups(['sg-1'], SCOPE)).rejects.toMatchObject({
      name: 'EnrichmentError',
      code: 'UnauthorizedOperation',
    });
  });
});
