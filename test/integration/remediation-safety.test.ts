/**
 * The safety rules of the Remediator against moto_server: per-rule mode, dry-run, the protect tag (from
 * the event and as AWS holds it now), exemptions (policy list, tag, expired), the hourly budget in
 * DynamoDB (sequential and under 20 concurrent invocations), the own-role loop and the account
 * allow-list.
 */
import {
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  RunTaskCommand,
  DescribeTasksCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Moto } from '../helpers/moto';
import { useRemediationEstate } from '../helpers/remediation-estate';
import {
  createNetwork,
  findingOf,
  GUARDRAIL_ROLE,
  HOME,
  MEMBER,
  MEMBER_ROLE_NAME,
  motoRemediator,
  policyWith,
  registerTaskDefinition,
  startDynamoDbSerializingProxy,
  TABLE,
  uid,
  type MotoClients,
} from '../unit/remediation/helpers';

let moto: Moto;
let aws: MotoClients;

useRemediationEstate((e) => ({ moto, aws } = e));

const tdStatus = async (arn: string) =>
  (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!.status;

const PRIVILEGED = ['td-privileged'];

describe('per-rule mode and dry-run', () => {
  it('does nothing for a rule in notify mode (the default)', async () => {
    const policy = policyWith([]);
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const finding = await findingOf(event, policy, 'td-privileged');
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);
    expect(out).toEqual(finding);
    expect(out.action).toBeUndefined();
    expect(await tdStatus(arn)).toBe('ACTIVE');
    expect(await r.audit.list(HOME)).toEqual([]);
  });

  it('dry-run changes nothing, says what it would have done, records it and spends no budget', async () => {
    const policy = policyWith(PRIVILEGED, { dryRun: true }, { budgetPerHour: 1 });
    const net = await createNetwork(aws.ec2);
    const r = motoRemediator(moto, policy, { table: TABLE });
    const arns: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { arn, event } = await registerTaskDefinition(aws.ecs);
      arns.push(arn);
      const cluster = (await aws.ecs.send(new CreateClusterCommand({ clusterName: uid('c') }))).cluster!;
      const task = (
        await aws.ecs.send(
          new RunTaskCommand({
            cluster: cluster.clusterName!,
            taskDefinition: arn,
            launchType: 'FARGATE',
            networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets, securityGroups: [] } },
          }),
        )
      ).tasks![0]!;
      const out = await r.remediator.remediate(await findingOf(event, policy, 'td-privileged'));
      expect(out.action?.status).toBe('planned');
      expect(out.action?.reason).toMatch(
        /^dry-run: would have deregistered task definition web-[^ ]+:1 \(ecs:DeregisterTaskDefinition\); 1 standalone task\(s\) still running it: stop-task 1 planned$/,
      );
      const t = await aws.ecs.send(
        new DescribeTasksCommand({ cluster: cluster.clusterName!, tasks: [task.taskArn!] }),
      );
      expect(t.tasks?.[0]?.desiredStatus).toBe('RUNNING');
    }
    for (const arn of arns) expect(await tdStatus(arn)).toBe('ACTIVE');
    const audit = await r.audit.list(HOME);
    expect(audit.map((a) => `${a.action} ${a.status} ${a.dryRun}`)).toEqual([
      'deregister-task-definition planned true',
      'stop-task planned true',
      'deregister-task-definition planned true',
      'stop-task planned true',
    ]);
    expect(audit.every((a) => a.calls.length === 0)).toBe(true);
    // A budget of 1 would have refused the second: dry-run took no unit.
    const items = await aws.dynamodb.send(new ScanCommand({ TableName: TABLE }));
    expect(items.Items?.filter((i) => i.pk?.S?.startsWith('BUDGET#'))).toEqual([]);
  });
});

describe('guardrail:protect=true', () => {
  it('is honoured when the event shows it', async () => {
    const policy = policyWith(PRIVILEGED);
    const { arn, event } = await registerTaskDefinition(aws.ecs, { tags: { 'guardrail:protect': 'true' } });
    const finding = await findingOf(event, policy, 'td-privileged');
    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'resource is tagged guardrail:protect=true: notify only',
    });
    expect(await tdStatus(arn)).toBe('ACTIVE');
  });

  it('is read from AWS: a tag added after the event still protects the resource', async () => {
    const policy = policyWith(PRIVILEGED);
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.tags).toBeUndefined();
    await aws.ecs.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'guardrail:protect', value: 'true' }] }),
    );
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);
    expect(out.action?.status).toBe('skipped');
    expect(out.action?.reason).toBe('resource is tagged guardrail:protect=true: notify only');
    expect(await tdStatus(arn)).toBe('ACTIVE');
    expect((await r.audit.list(HOME))[0]).toMatchObject({
      status: 'skipped',
      calls: [],
      before: { status: 'ACTIVE' },
    });
  });
});

describe('exemptions', () => {
  it('a policy exemption: the finding is exempt and nothing is acted on', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const policy = policyWith(PRIVILEGED, {
      exemptions: [{ rule: 'td-privileged', arn, until: '2099-12-31', reason: 'SEC-42' }],
    });
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.exemption).toMatchObject({ source: 'policy', expired: false, reason: 'SEC-42' });
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);
    expect(out.action).toBeUndefined();
    expect(await tdStatus(arn)).toBe('ACTIVE');
    expect(await r.audit.list(HOME)).toEqual([]);
  });

  it('a guardrail:exempt tag on the resource: nothing is acted on', async () => {
    const policy = policyWith(PRIVILEGED);
    const { arn, event } = await registerTaskDefinition(aws.ecs, {
      tags: { 'guardrail:exempt': 'td-privileged;until=2099-01-31;reason=SEC-7' },
    });
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.exemption).toMatchObject({ source: 'tag', expired: false });
    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action).toBeUndefined();
    expect(await tdStatus(arn)).toBe('ACTIVE');
  });

  it('an expired exemption no longer exempts: the finding says so and the action runs', async () => {
    const policy = policyWith(PRIVILEGED);
    const { arn, event } = await registerTaskDefinition(aws.ecs, {
      tags: { 'guardrail:exempt': 'td-privileged;until=2020-01-31;reason=SEC-7' },
    });
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.exemption).toMatchObject({ source: 'tag', expired: true, until: '2020-01-31' });
    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action?.status).toBe('done');
    expect(out.exemption?.expired).toBe(true);
    expect(await tdStatus(arn)).toBe('INACTIVE');
  });

  it('an exemption tagged on AWS after the event is honoured', async () => {
    const policy = policyWith(PRIVILEGED);
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const finding = await findingOf(event, policy, 'td-privileged');
    await aws.ecs.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [{ key: 'guardrail:exempt', value: 'td-privileged;reason=SEC-9' }],
      }),
    );
    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: "exempted by the resource's current guardrail:exempt tag",
    });
    expect(await tdStatus(arn)).toBe('ACTIVE');
  });
});

describe('hourly budget per account (DynamoDB)', () => {
  it('refuses the 11th change in the hour, notifies instead, and allows again the next hour', async () => {
    const policy = policyWith(PRIVILEGED);
    let now = new Date('2026-11-22T14:10:00Z');
    const r = motoRemediator(moto, policy, { table: TABLE, now: () => now });
    const arns: string[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 11; i++) {
      const { arn, event } = await registerTaskDefinition(aws.ecs);
      arns.push(arn);
      statuses.push(
        (await r.remediator.remediate(await findingOf(event, policy, 'td-privileged'))).action!.status,
      );
    }
    expect(statuses).toEqual([...Array<string>(10).fill('done'), 'skipped']);
    expect(await tdStatus(arns[10]!)).toBe('ACTIVE');
    const audit = await r.audit.list(HOME);
    expect(audit.filter((a) => a.status === 'done')).toHaveLength(10);
    expect(audit.find((a) => a.status === 'skipped')?.reason).toBe(
      'budget exhausted: 10 change(s) already made in account 123456789012 in hour 2026-11-22T14 UTC; notify only',
    );
    const item = await aws.dynamodb.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `BUDGET#${HOME}` }, sk: { S: '2026-11-22T14:00:00.000Z' } },
      }),
    );
    expect(item.Item?.used?.N).toBe('10');
    expect(Number(item.Item?.expiration?.N)).toBe(Date.parse('2026-11-22T15:00:00Z') / 1000 + 86_400);

    now = new Date('2026-11-22T15:00:05Z');
    const { event } = await registerTaskDefinition(aws.ecs);
    expect(
      (await r.remediator.remediate(await findingOf(event, policy, 'td-privileged'))).action?.status,
    ).toBe('done');
  });

  it('20 concurrent invocations: exactly budgetPerHour (10) changes happen', async () => {
    const policy = policyWith(PRIVILEGED);
    const registered = [];
    for (let i = 0; i < 20; i++) registered.push(await registerTaskDefinition(aws.ecs));
    const findings = await Promise.all(registered.map((x) => findingOf(x.event, policy, 'td-privileged')));
    // One Remediator per "invocation": nothing is shared but the DynamoDB table. DynamoDB requests go
    // through a proxy that gives moto DynamoDB's single-item atomicity (see startDynamoDbSerializingProxy).
    const proxy = await startDynamoDbSerializingProxy(moto);
    let results;
    try {
      results = await Promise.all(
        findings.map((f) =>
          motoRemediator(moto, policy, {
            table: TABLE,
            dynamodbEndpoint: proxy.endpoint,
          }).remediator.remediate(f),
        ),
      );
    } finally {
      await proxy.stop();
    }
    expect(proxy.maxDynamoDbPending()).toBeGreaterThan(1);
    const done = results.filter((f) => f.action?.status === 'done');
    const refused = results.filter((f) => f.action?.reason?.startsWith('budget exhausted'));
    expect(done).toHaveLength(10);
    expect(refused).toHaveLength(10);
    const inactive = (await Promise.all(registered.map((x) => tdStatus(x.arn)))).filter(
      (s) => s === 'INACTIVE',
    );
    expect(inactive).toHaveLength(10);
  });
});

describe("the guardrail's own changes never trigger remediation", () => {
  it('an event whose actor is a guardrail role (remediation.guardrailRoleArns) is skipped', async () => {
    const policy = policyWith(PRIVILEGED);
    const { arn, event } = await registerTaskDefinition(aws.ecs, { actor: { roleArn: GUARDRAIL_ROLE } });
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.event.actor?.roleArn).toBe(GUARDRAIL_ROLE);
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);
    expect(out.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: `caused by the guardrail's own role ${GUARDRAIL_ROLE}: never remediated (no loop)`,
    });
    expect(await tdStatus(arn)).toBe('ACTIVE');
    expect((await r.audit.list(HOME))[0]).toMatchObject({ status: 'skipped', calls: [] });
  });

  it('an event caused by the member-account remediation role (remediation.roleName) is skipped', async () => {
    const policy = policyWith(PRIVILEGED, {}, { roleName: MEMBER_ROLE_NAME, allowAccounts: [HOME, MEMBER] });
    const memberRole = `arn:aws:iam::${HOME}:role/${MEMBER_ROLE_NAME}`;
    const { arn, event } = await registerTaskDefinition(aws.ecs, { actor: { roleArn: memberRole } });
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'td-privileged'),
    );
    expect(out.action?.reason).toBe(
      `caused by the guardrail's own role ${memberRole}: never remediated (no loop)`,
    );
    expect(await tdStatus(arn)).toBe('ACTIVE');
  });
});

describe('account allow-list', () => {
  it('ignores and counts findings from accounts that are not allowed', async () => {
    const policy = policyWith(PRIVILEGED, {}, { allowAccounts: [HOME] });
    const { event } = await registerTaskDefinition(aws.ecs, { account: '333333333333' });
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.account).toBe('333333333333');
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);
    expect(out.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'account 333333333333 is not on remediation.allowAccounts: ignored',
    });
    await r.remediator.remediate(finding);
    expect(r.credentials.ignored.get('333333333333')).toBe(2);
    expect(r.remediator.stats.ignored).toBe(2);
    expect(r.credentials.assumeRoleCalls).toBe(0);
    expect(await r.audit.list('333333333333')).toEqual([]);
  });

  it('without allowAccounts only the home account is acted on', async () => {
    const policy = policyWith(PRIVILEGED);
    const { event } = await registerTaskDefinition(aws.ecs, { account: MEMBER });
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'td-privileged'),
    );
    expect(out.action?.reason).toBe(`account ${MEMBER} is not on remediation.allowAccounts: ignored`);
  });
});
