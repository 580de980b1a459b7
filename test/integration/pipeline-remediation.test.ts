/**
 * Remediation through the Lambda handler path, against moto_server (ECS, STS, DynamoDB, SQS): a privileged
 * RegisterTaskDefinition (CloudTrail) event is given to functions/cloudtrail-api-call.ts (the function the
 * real EventBridge pattern routes it to) with a policy that puts `td-privileged` in remediate mode. The
 * handler loads the Remediator lazily, deregisters the revision in moto, queues the notification with the
 * outcome, and writes the outcome back into the stored finding. With dryRun nothing changes and the
 * notification says what would have been done. Also: a retry after a failed notification reports the first
 * attempt's outcome; the function's own role (GUARDRAIL_ROLE_ARNS) never triggers remediation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  jsonLines,
  scanTable,
  stubPipelineEnv,
} from '../helpers/pipeline-harness';
import { HOME, registerTaskDefinition } from '../unit/remediation/helpers';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;

const TABLE = 'guardrail-remediation-pipeline';
const FUNCTION_ROLE = `arn:aws:iam::${HOME}:role/ecs-guardrail-test-CloudtrailApiCallRole-X1`;

let moto: Moto;
let ecs: ECSClient;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
let policyDir: string;
let output: ReturnType<typeof captureOutput> | undefined;

function writePolicy(name: string, yaml: string): string {
  const file = join(policyDir, name);
  writeFileSync(file, yaml);
  return file;
}

/** A fresh Lambda container of the cloudtrail-api-call function with the given policy file. */
async function container(policyFile: string): Promise<Handler> {
  vi.stubEnv('GUARDRAIL_POLICY_FILE', policyFile);
  vi.resetModules();
  return (await import('../../functions/cloudtrail-api-call')).handler as Handler;
}

const tdStatus = async (arn: string): Promise<string | undefined> =>
  (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition?.status;

const queued = async (): Promise<Finding[]> =>
  (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body!) as Finding);

const findingItem = async (findingId: string) =>
  (await docs.send(new GetCommand({ TableName: TABLE, Key: { pk: `FINDING#${findingId}`, sk: 'FINDING' } })))
    .Item;

beforeAll(async () => {
  moto = await startMoto();
  const config = motoClientConfig(moto);
  ecs = new ECSClient(config);
  const ddb = new DynamoDBClient(config);
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(config);
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'remediation-outbox');
  policyDir = mkdtempSync(join(tmpdir(), 'guardrail-remediation-policy-'));

  stubPipelineEnv(moto.endpoint, TABLE, queueUrl);
  vi.stubEnv('GUARDRAIL_ROLE_ARNS', FUNCTION_ROLE);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await moto?.stop();
});

beforeEach(() => {
  output = captureOutput();
});

afterEach(async () => {
  output?.restore();
  output = undefined;
  vi.stubEnv('GUARDRAIL_OUTBOX_QUEUE_URL', queueUrl);
  await drainQueue(sqs, queueUrl);
});

const REMEDIATE = 'rules:\n  td-privileged: { mode: remediate }\n';

describe('remediation in the Lambda pipeline (moto)', () => {
  it('remediate mode: the privileged revision is deregistered in moto, the notification says done, the finding records it', async () => {
    const handler = await container(writePolicy('remediate.yml', REMEDIATE));
    const { arn, event } = await registerTaskDefinition(ecs);
    expect(await tdStatus(arn)).toBe('ACTIVE');

    const summary = await handler(event, fakeContext('cloudtrail-api-call'));
    expect(summary).toMatchObject({ kind: 'cloudTrail', remediations: 1 });
    expect(await tdStatus(arn)).toBe('INACTIVE');

    const notes = await queued();
    expect(notes).toHaveLength(summary.queued);
    const td = notes.find((f) => f.ruleId === 'td-privileged')!;
    expect(td.resource.arn).toBe(arn);
    expect(td.action).toMatchObject({ name: 'deregister-task-definition', status: 'done' });
    // The other rules of the event are in notify mode: notified without an action.
    for (const f of notes.filter((n) => n.ruleId !== 'td-privileged')) expect(f.action).toBeUndefined();

    // The outcome is in the stored finding (the JSON that is notified, and the action attributes).
    // The verified fix resolves the finding (lifecycle: one "resolved" message follows the opened one).
    const item = await findingItem(td.findingId);
    expect(item).toMatchObject({
      status: 'resolved',
      resolvedReason: 'remediation succeeded: deregister-task-definition',
      action: { name: 'deregister-task-definition', status: 'done' },
      actionEventKey: `cloudtrail|${event.account}|${(event.detail as { eventID: string }).eventID}`,
    });
    expect(JSON.parse(String(item!.finding)).action).toMatchObject({ status: 'done' });

    // The Remediator's DynamoDB budget and audit trail live in the same table.
    const items = await scanTable(docs, TABLE);
    expect(items.filter((i) => i.pk === `BUDGET#${HOME}`)).toEqual([expect.objectContaining({ used: 1 })]);
    const audit = items.filter((i) => i.pk === `AUDIT#${HOME}` && i.resourceArn === arn);
    expect(audit).toEqual([
      expect.objectContaining({ status: 'done', action: 'deregister-task-definition', dryRun: false }),
    ]);
    const logs = jsonLines(output!.text());
    expect(logs.find((l) => l.message === 'pipeline ready')).toMatchObject({ remediate: true });
  });

  it('dry-run: nothing changes in moto, and the notification says what would have been done', async () => {
    const handler = await container(writePolicy('dry-run.yml', `dryRun: true\n${REMEDIATE}`));
    const { arn, event } = await registerTaskDefinition(ecs);

    const summary = await handler(event, fakeContext('cloudtrail-api-call'));
    expect(summary).toMatchObject({ remediations: 1 });
    expect(await tdStatus(arn)).toBe('ACTIVE');

    const td = (await queued()).find((f) => f.ruleId === 'td-privileged')!;
    expect(td.action).toMatchObject({ name: 'deregister-task-definition', status: 'planned' });
    expect(td.action!.reason).toMatch(/^dry-run: would have deregister/);
    expect(await findingItem(td.findingId)).toMatchObject({ action: { status: 'planned' } });
    const audit = (await scanTable(docs, TABLE)).filter((i) => i.resourceArn === arn && i.kind === 'audit');
    expect(audit).toEqual([expect.objectContaining({ status: 'planned', dryRun: true, calls: [] })]);
  });

  it('a retry after the notification failed reports the first outcome (done), not "already compliant"', async () => {
    const policy = writePolicy('remediate-retry.yml', REMEDIATE);
    const { arn, event } = await registerTaskDefinition(ecs);

    // First attempt: the outbox queue does not exist, so the send fails after the remediation ran.
    vi.stubEnv('GUARDRAIL_OUTBOX_QUEUE_URL', `${queueUrl}-missing`);
    const first = await container(policy);
    await expect(first(event, fakeContext('cloudtrail-api-call'))).rejects.toThrow();
    expect(await tdStatus(arn)).toBe('INACTIVE');

    // Lambda's retry lands in another container, with the outbox back.
    vi.stubEnv('GUARDRAIL_OUTBOX_QUEUE_URL', queueUrl);
    const retry = await container(policy);
    expect(await retry(event, fakeContext('cloudtrail-api-call'))).toMatchObject({ remediations: 1 });
    const td = (await queued()).find((f) => f.ruleId === 'td-privileged')!;
    expect(td.action).toMatchObject({ status: 'done' });
    // Exactly one change was made and audited for the revision.
    const audit = (await scanTable(docs, TABLE)).filter((i) => i.resourceArn === arn && i.kind === 'audit');
    expect(audit.map((a) => a.status)).toEqual(['done']);
    expect(
      jsonLines(output!.text()).some((l) =>
        String(l.message).startsWith('remediation: outcome of an earlier'),
      ),
    ).toBe(true);
  });

  it("an event caused by the function's own role (GUARDRAIL_ROLE_ARNS) is never remediated", async () => {
    const handler = await container(writePolicy('remediate-own.yml', REMEDIATE));
    const { arn, event } = await registerTaskDefinition(ecs, { actor: { roleArn: FUNCTION_ROLE } });

    await handler(event, fakeContext('cloudtrail-api-call'));
    expect(await tdStatus(arn)).toBe('ACTIVE');
    const td = (await queued()).find((f) => f.ruleId === 'td-privileged')!;
    expect(td.action).toMatchObject({ status: 'skipped' });
    expect(td.action!.reason).toContain("caused by the guardrail's own role");
  });

  it('a policy without remediate mode never builds the Remediator', async () => {
    const handler = await container(writePolicy('notify.yml', 'rules:\n  td-privileged: { mode: notify }\n'));
    const { arn, event } = await registerTaskDefinition(ecs);
    expect(await handler(event, fakeContext('cloudtrail-api-call'))).toMatchObject({ remediations: 0 });
    expect(await tdStatus(arn)).toBe('ACTIVE');
    const logs = jsonLines(output!.text());
    expect(logs.find((l) => l.message === 'pipeline ready')).toMatchObject({ remediate: false });
    expect((await queued()).every((f) => f.action === undefined)).toBe(true);
  });
});
