/**
 * One central deployment, member accounts reached through their roles (issue 10), through the real
 * Lambda handlers against moto_server (ECS, EC2, STS, DynamoDB, SQS):
 *
 * - a member account's ECS Task State Change is enriched through the member's READ role: the privileged
 *   task definition, registered only in that member account, is found;
 * - a member account that was never onboarded (its role refused: test/helpers/sts-refusal-proxy.ts, since
 *   moto assumes any role) gives the incomplete reason "no access to account X (role Y)" and the
 *   EnrichmentNoAccess metric, and the event is still evaluated, not crashed;
 * - an event that names another account's task definition than its own never makes the guardrail read
 *   that account;
 * - remediation from BOTH remediating functions (ecs-state-change, cloudtrail-api-call) acts in the member
 *   account with the member's remediation role, and the audit names that role.
 *
 * moto attributes requests signed with assumed credentials to the role's account; MOTO_ACCOUNT_ID is not
 * set (docs/local-pipeline.md, "moto limits").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { DynamoDbAuditLog } from '../../shared/store/dynamodb-audit';
import { loadFixture } from '../helpers/fixtures';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  jsonLines,
  stubPipelineEnv,
} from '../helpers/pipeline-harness';
import { startStsRefusalProxy, type StsRefusalProxy } from '../helpers/sts-refusal-proxy';
import { clientConfig, HOME, registerTaskDefinition } from '../unit/remediation/helpers';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;

/** Onboarded member account (its roles can be assumed). */
const MEMBER = '222222222222';
/** Member account that was never onboarded: AssumeRole of any of its roles is refused. */
const NOT_ONBOARDED = '333333333333';
const TABLE = 'guardrail-organization';
const FUNCTION_ROLE = `arn:aws:iam::${HOME}:role/ecs-guardrail-test-EcsStateChangeRole-X1`;

let moto: Moto;
let sts: StsRefusalProxy;
let sqs: SQSClient;
let ddb: DynamoDBClient;
let queueUrl: string;
let policyDir: string;
let output: ReturnType<typeof captureOutput> | undefined;
let version = 100;

/** Credentials of an account as its own administrator would have them (test setup only). */
async function adminOf(account: string): Promise<AwsCredentialIdentity> {
  const r = await new STSClient(clientConfig(moto, TEST_CREDENTIALS)).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/admin`, RoleSessionName: 'test-setup' }),
  );
  return {
    accessKeyId: r.Credentials!.AccessKeyId!,
    secretAccessKey: r.Credentials!.SecretAccessKey!,
    sessionToken: r.Credentials!.SessionToken!,
  };
}

const ecsOf = async (account: string): Promise<ECSClient> =>
  account === HOME
    ? new ECSClient(motoClientConfig(moto))
    : new ECSClient(clientConfig(moto, await adminOf(account)));

const tdStatus = async (ecs: ECSClient, arn: string): Promise<string> => {
  try {
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!
      .status!;
  } catch (err) {
    return (err as Error).name;
  }
};

/**
 * The AWS documentation's ECS Task State Change (test/fixtures/events, sources.md), moved into `account`
 * (every ARN and the envelope), running the given task definition.
 */
function taskStateChange(account: string, taskDefinitionArn: string): Record<string, any> {
  const text = JSON.stringify(loadFixture('ecs-task-state-change-running-ec2-awsvpc.json')).replaceAll(
    HOME,
    account,
  );
  const e = JSON.parse(text) as Record<string, any>;
  e.id = crypto.randomUUID();
  e.detail.taskDefinitionArn = taskDefinitionArn;
  // A new version each time: ECS's (task ARN, version) is the event's identity (idempotency).
  e.detail.version = ++version;
  return e;
}

function writePolicy(yaml: string): string {
  const file = join(policyDir, `${crypto.randomUUID()}.yml`);
  writeFileSync(file, yaml);
  return file;
}

/** A fresh Lambda container of a function with the given policy. */
async function container(fn: 'ecs-state-change' | 'cloudtrail-api-call', policy: string): Promise<Handler> {
  vi.stubEnv('GUARDRAIL_POLICY_FILE', writePolicy(policy));
  vi.resetModules();
  return (await import(`../../functions/${fn}`)).handler as Handler;
}

const queued = async (): Promise<Finding[]> =>
  (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body!) as Finding);

/** EMF metric lines of this test's output that carry `name`. */
const emfWith = (name: string): Record<string, unknown>[] =>
  jsonLines(output!.text()).filter((l) => name in l && '_aws' in l);

beforeAll(async () => {
  moto = await startMoto();
  sts = await startStsRefusalProxy(moto.endpoint, [NOT_ONBOARDED]);
  const config = motoClientConfig(moto);
  sqs = new SQSClient(config);
  ddb = new DynamoDBClient(config);
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'organization-outbox');
  policyDir = mkdtempSync(join(tmpdir(), 'guardrail-organization-policy-'));
  stubPipelineEnv(moto.endpoint, TABLE, queueUrl);
  vi.stubEnv('GUARDRAIL_ENRICH', 'true');
  vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.endpoint);
  vi.stubEnv('GUARDRAIL_ROLE_ARNS', FUNCTION_ROLE);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sts?.close();
  await moto?.stop();
});

beforeEach(() => {
  sts.assumed.length = 0;
  output = captureOutput();
});

afterEach(async () => {
  output?.restore();
  output = undefined;
  await drainQueue(sqs, queueUrl);
});

describe('cross-account enrichment through the member read role (ecs-state-change, moto)', () => {
  it("a member's Task State Change: the privileged revision registered only in the member account is found", async () => {
    const member = await ecsOf(MEMBER);
    const { arn } = await registerTaskDefinition(member, { account: MEMBER });
    expect(arn).toContain(`:${MEMBER}:task-definition/`);
    // Not in the central account: a read with the central credentials could not have found it.
    expect(await tdStatus(await ecsOf(HOME), arn)).toBe('ClientException');

    const handler = await container('ecs-state-change', 'rules: {}\n');
    const summary = await handler(taskStateChange(MEMBER, arn), fakeContext('ecs-state-change'));

    expect(summary.incomplete).toBeUndefined();
    const td = (await queued()).find((f) => f.ruleId === 'td-privileged');
    expect(td).toMatchObject({ account: MEMBER, resource: { arn } });
    expect(sts.assumed).toEqual([`arn:aws:iam::${MEMBER}:role/ecs-guardrail-read`]);
  });

  it('a member account not onboarded: incomplete "no access to account X (role Y)", EnrichmentNoAccess counted, no crash', async () => {
    const arn = `arn:aws:ecs:us-east-1:${NOT_ONBOARDED}:task-definition/web:1`;
    const handler = await container('ecs-state-change', 'rules: {}\n');
    const summary = await handler(taskStateChange(NOT_ONBOARDED, arn), fakeContext('ecs-state-change'));

    expect(summary.kind).toBe('task');
    expect(summary.incomplete).toContain(
      `no access to account ${NOT_ONBOARDED} (role ecs-guardrail-read): AccessDenied on sts:AssumeRole`,
    );
    expect((await queued()).filter((f) => f.ruleId === 'td-privileged')).toEqual([]);
    const metric = emfWith('EnrichmentNoAccess');
    expect(metric.length).toBeGreaterThan(0);
    expect(metric[0]).toMatchObject({ account: NOT_ONBOARDED });
    // Only the read role of that account was asked for, and no credential reached the output.
    expect(new Set(sts.assumed)).toEqual(new Set([`arn:aws:iam::${NOT_ONBOARDED}:role/ecs-guardrail-read`]));
    expect(output!.text()).not.toMatch(/ASIA[A-Z0-9]{8,}|SecretAccessKey|SessionToken/);
  });

  it("an event from a member naming another member's task definition: that account is never read", async () => {
    const other = await ecsOf(NOT_ONBOARDED);
    const { arn } = await registerTaskDefinition(other, { account: NOT_ONBOARDED });
    const lying = taskStateChange(MEMBER, arn);
    const handler = await container('ecs-state-change', 'rules: {}\n');
    const summary = await handler(lying, fakeContext('ecs-state-change'));

    expect(summary.incomplete).toContain(
      `names account ${NOT_ONBOARDED}, the event is from account ${MEMBER}: not read`,
    );
    expect((await queued()).filter((f) => f.ruleId === 'td-privileged')).toEqual([]);
    expect(sts.assumed.filter((r) => r.includes(`:${NOT_ONBOARDED}:`))).toEqual([]);
  });
});

describe('remediation in a member account from both remediating functions (moto)', () => {
  const POLICY = [
    'rules:',
    '  td-privileged: { mode: remediate }',
    'remediation:',
    `  allowAccounts: ['${HOME}', '${MEMBER}']`,
    '  roleName: ecs-guardrail-remediation',
    '',
  ].join('\n');
  const audit = () => new DynamoDbAuditLog({ client: ddb, tableName: TABLE });

  it('ecs-state-change: a member task runs a privileged revision: read role finds it, remediation role deregisters it there', async () => {
    const member = await ecsOf(MEMBER);
    const { arn } = await registerTaskDefinition(member, { account: MEMBER });
    const handler = await container('ecs-state-change', POLICY);

    const summary = await handler(taskStateChange(MEMBER, arn), fakeContext('ecs-state-change'));

    expect(summary).toMatchObject({ kind: 'task', remediations: 1 });
    expect(await tdStatus(member, arn)).toBe('INACTIVE');
    const td = (await queued()).find((f) => f.ruleId === 'td-privileged')!;
    expect(td).toMatchObject({
      account: MEMBER,
      action: { name: 'deregister-task-definition', status: 'done' },
    });
    const entry = (await audit().list(MEMBER)).find((a) => a.resourceArn === arn);
    expect(entry).toMatchObject({
      account: MEMBER,
      status: 'done',
      performedBy: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-remediation`,
      calls: ['ecs:DeregisterTaskDefinition'],
    });
    expect(sts.assumed).toEqual([
      `arn:aws:iam::${MEMBER}:role/ecs-guardrail-read`,
      `arn:aws:iam::${MEMBER}:role/ecs-guardrail-remediation`,
    ]);
  });

  it('cloudtrail-api-call: a privileged RegisterTaskDefinition in the member account is deregistered there', async () => {
    const member = await ecsOf(MEMBER);
    const { arn, event } = await registerTaskDefinition(member, { account: MEMBER });
    const handler = await container('cloudtrail-api-call', POLICY);

    const summary = await handler(event, fakeContext('cloudtrail-api-call'));

    expect(summary).toMatchObject({ kind: 'cloudTrail', remediations: 1 });
    expect(await tdStatus(member, arn)).toBe('INACTIVE');
    const entry = (await audit().list(MEMBER)).find((a) => a.resourceArn === arn);
    expect(entry).toMatchObject({
      status: 'done',
      performedBy: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-remediation`,
    });
    expect(sts.assumed).toContain(`arn:aws:iam::${MEMBER}:role/ecs-guardrail-remediation`);
  });

  it('a member not onboarded: remediation fails with "no access to account X (role Y)", nothing crashes', async () => {
    const other = await ecsOf(NOT_ONBOARDED);
    const { arn, event } = await registerTaskDefinition(other, { account: NOT_ONBOARDED });
    const handler = await container(
      'cloudtrail-api-call',
      POLICY.replace(`'${MEMBER}']`, `'${MEMBER}', '${NOT_ONBOARDED}']`),
    );

    const summary = await handler(event, fakeContext('cloudtrail-api-call'));

    expect(summary.remediations).toBe(1);
    expect(await tdStatus(other, arn)).toBe('ACTIVE');
    const td = (await queued()).find((f) => f.ruleId === 'td-privileged')!;
    expect(td.action).toMatchObject({
      status: 'failed',
      reason: `no access to account ${NOT_ONBOARDED} (role ecs-guardrail-remediation): AccessDenied on sts:AssumeRole`,
    });
  });
});
