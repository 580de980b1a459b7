/**
 * Approval from Slack end to end against moto_server (ECS, STS, DynamoDB, SQS, SSM) and a loopback fake
 * Slack (response_url), through the deployed functions' modules: a privileged RegisterTaskDefinition
 * (CloudTrail) event goes through functions/cloudtrail-api-call.ts with `td-privileged` in `approve` mode
 * (notified with the planned action, nothing changed); a signed press of Approve fix goes through
 * functions/slack-interactions.ts (signature with the secret from an SSM SecureString, allow-list, job on
 * the SQS queue) and functions/slack-actions.ts (the Remediator deregisters the revision once, the message
 * is updated through response_url, the finding resolves). A second press changes nothing; a user not on
 * the allow-list is refused and audited. Exempt from the modal writes a record that suppresses the next
 * event's finding until its date.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, type Message } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import type { SqsBatchResponse } from '../../shared/notify/notifier';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  scanTable,
  stubPipelineEnv,
} from '../helpers/pipeline-harness';
import {
  ALLOWED,
  blockActions,
  signedEvent,
  SIGNING_SECRET,
  STRANGER,
  TEAM,
} from '../helpers/slack-requests';
import { registerTaskDefinition } from '../unit/remediation/helpers';

type PipelineHandler = (event: unknown, context: Context) => Promise<PipelineSummary>;
type UrlHandler = (event: LambdaFunctionURLEvent, context: Context) => Promise<LambdaFunctionURLResult>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SqsBatchResponse>;

const TABLE = 'guardrail-slack-approval';
const SECRET_PARAMETER = '/guardrail/slack/signing-secret';

let moto: Moto;
let ecs: ECSClient;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let slack: FakeSlack;
let outboxUrl: string;
let jobsUrl: string;
let output: ReturnType<typeof captureOutput> | undefined;
let handlers: { pipeline: PipelineHandler; interactions: UrlHandler; actions: SqsHandler };

const POLICY = `
rules:
  td-privileged: { mode: approve }
notifications:
  slack:
    interactivity:
      enabled: true
      workspaces:
        ${TEAM}:
          approve: [${ALLOWED}]
          snooze: [${ALLOWED}]
          exempt: [${ALLOWED}]
          acknowledge: [${ALLOWED}]
`;

async function load(policy: string): Promise<typeof handlers> {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-slack-policy-'));
  writeFileSync(join(dir, 'policy.yml'), policy);
  vi.stubEnv('GUARDRAIL_POLICY_FILE', join(dir, 'policy.yml'));
  vi.resetModules();
  return {
    pipeline: (await import('../../functions/cloudtrail-api-call')).handler as PipelineHandler,
    interactions: (await import('../../functions/slack-interactions')).handler as UrlHandler,
    actions: (await import('../../functions/slack-actions')).handler as SqsHandler,
  };
}

const tdStatus = async (arn: string): Promise<string | undefined> =>
  (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition?.status;

const findingItem = async (findingId: string) =>
  (await docs.send(new GetCommand({ TableName: TABLE, Key: { pk: `FINDING#${findingId}`, sk: 'FINDING' } })))
    .Item;

const sqsEvent = (messages: Message[]): SQSEvent => ({
  Records: messages.map((m) => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:slack-jobs',
    awsRegion: 'us-east-1',
  })),
});

/** A signed press through the endpoint, then the worker on what it queued. */
async function press(
  payload: Record<string, unknown>,
): Promise<{ status: number; failures: number; jobs: number }> {
  const res = await handlers.interactions(signedEvent(payload), fakeContext('slack-interactions'));
  const jobs = await drainQueue(sqs, jobsUrl);
  const out = jobs.length
    ? await handlers.actions(sqsEvent(jobs), fakeContext('slack-actions'))
    : { batchItemFailures: [] };
  return {
    status: typeof res === 'string' ? 0 : (res.statusCode ?? 0),
    failures: out.batchItemFailures.length,
    jobs: jobs.length,
  };
}

async function openFinding(): Promise<{ arn: string; finding: Finding }> {
  const { arn, event } = await registerTaskDefinition(ecs);
  await handlers.pipeline(event, fakeContext('cloudtrail-api-call'));
  const notes = (await drainQueue(sqs, outboxUrl)).map((m) => JSON.parse(m.Body!) as Finding);
  return { arn, finding: notes.find((f) => f.ruleId === 'td-privileged' && f.resource.arn === arn)! };
}

beforeAll(async () => {
  moto = await startMoto();
  const config = motoClientConfig(moto);
  ecs = new ECSClient(config);
  const ddb = new DynamoDBClient(config);
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(config);
  await createStateTable(ddb, TABLE);
  outboxUrl = await createQueue(sqs, 'slack-outbox');
  jobsUrl = await createQueue(sqs, 'slack-jobs');
  await new SSMClient(config).send(
    new PutParameterCommand({ Name: SECRET_PARAMETER, Type: 'SecureString', Value: SIGNING_SECRET }),
  );
  slack = await startFakeSlack();
  stubPipelineEnv(moto.endpoint, TABLE, outboxUrl);
  vi.stubEnv('GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER', SECRET_PARAMETER);
  vi.stubEnv('GUARDRAIL_SLACK_JOBS_QUEUE_URL', jobsUrl);
  handlers = await load(POLICY);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await slack?.close();
  await moto?.stop();
});

beforeEach(() => {
  output = captureOutput();
  slack.reset();
});

afterEach(async () => {
  output?.restore();
  output = undefined;
  await drainQueue(sqs, outboxUrl);
  await drainQueue(sqs, jobsUrl);
});

describe('approval from Slack (moto + fake Slack)', () => {
  it('approve mode: notified with the planned action and nothing changed; an allowed approval fixes it once, updates the message, resolves the finding', async () => {
    const { arn, finding } = await openFinding();
    expect(finding.mode).toBe('approve');
    expect(finding.action).toMatchObject({ name: 'deregister-task-definition', status: 'planned' });
    expect(finding.action!.reason).toMatch(/^awaiting approval: would have deregistered/);
    expect(await tdStatus(arn)).toBe('ACTIVE');

    const responseUrl = slack.urlFor('response1');
    const first = await press(
      blockActions({ findingId: finding.findingId, action: 'guardrail:approve', responseUrl }),
    );
    expect(first).toEqual({ status: 200, failures: 0, jobs: 1 });
    expect(await tdStatus(arn)).toBe('INACTIVE');

    // The original message, replaced: the outcome line, no Approve button any more.
    const update = slack.requests.at(-1) as { replace_original: boolean; blocks: Record<string, unknown>[] };
    expect(update.replace_original).toBe(true);
    const text = JSON.stringify(update.blocks);
    expect(text).toContain(`Fix approved by <@${ALLOWED}>`);
    expect(text).toContain('deregister-task-definition done');
    expect(text).not.toContain('guardrail:approve');

    // Resolved, with one "resolved" message on the outbox.
    expect(await findingItem(finding.findingId)).toMatchObject({ status: 'resolved' });
    const resolved = await drainQueue(sqs, outboxUrl);
    expect(resolved.map((m) => m.MessageAttributes?.kind?.StringValue)).toEqual(['resolved']);

    // A second press (a new, validly signed request): nothing new happens, the user is told who approved.
    slack.reset();
    const second = await press(
      blockActions({ findingId: finding.findingId, action: 'guardrail:approve', responseUrl }),
    );
    expect(second).toEqual({ status: 200, failures: 0, jobs: 1 });
    expect(slack.requests).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', replace_original: false }),
    ]);

    const audit = (await scanTable(docs, TABLE)).filter((i) => i.kind === 'audit' && i.resourceArn === arn);
    // One deregistration, approved by the user; the pipeline's planned entry; two presses audited.
    expect(
      audit.filter((a) => a.action === 'deregister-task-definition').map((a) => [a.status, a.approvedBy]),
    ).toEqual([
      ['planned', undefined],
      ['done', `slack:${TEAM}/${ALLOWED}`],
    ]);
    expect(
      audit
        .filter((a) => a.action === 'slack:approve')
        .map((a) => a.status)
        .sort(),
    ).toEqual(['done', 'skipped']);
    expect(String(audit.find((a) => a.action === 'slack:approve' && a.status === 'skipped')!.reason)).toMatch(
      /already approved by slack:/,
    );
    expect(output!.text()).not.toContain(SIGNING_SECRET);
  });

  it('a user not on the allow-list: refused, told only, audited; nothing changes', async () => {
    const { arn, finding } = await openFinding();
    const responseUrl = slack.urlFor('response2');
    const r = await press(
      blockActions({
        findingId: finding.findingId,
        action: 'guardrail:approve',
        user: STRANGER,
        responseUrl,
      }),
    );
    expect(r).toEqual({ status: 200, failures: 0, jobs: 1 });
    expect(await tdStatus(arn)).toBe('ACTIVE');
    expect(await findingItem(finding.findingId)).toMatchObject({ status: 'open' });
    expect(slack.requests).toEqual([
      expect.objectContaining({
        response_type: 'ephemeral',
        text: `Not done: user ${STRANGER} is not allowed to approve.`,
      }),
    ]);
    const audit = (await scanTable(docs, TABLE)).filter((i) => i.kind === 'audit' && i.resourceArn === arn);
    expect(audit.filter((a) => a.action === 'slack:approve')).toEqual([
      expect.objectContaining({
        status: 'skipped',
        reason: `refused: user ${STRANGER} is not allowed to approve`,
        performedBy: `slack:${TEAM}/${STRANGER}`,
        findingId: finding.findingId,
      }),
    ]);
    // The approval was not claimed: the allowed user can still approve.
    const ok = await press(
      blockActions({ findingId: finding.findingId, action: 'guardrail:approve', responseUrl }),
    );
    expect(ok.failures).toBe(0);
    expect(await tdStatus(arn)).toBe('INACTIVE');
  });

  it('a forged request (wrong signing secret) gets 401 and queues nothing', async () => {
    const { arn, finding } = await openFinding();
    const res = await handlers.interactions(
      signedEvent(blockActions({ findingId: finding.findingId, action: 'guardrail:approve' }), {
        secret: 'forgedforgedforgedforgedforged00',
      }),
      fakeContext('slack-interactions'),
    );
    expect(res).toMatchObject({ statusCode: 401 });
    expect(await drainQueue(sqs, jobsUrl)).toHaveLength(0);
    expect(await tdStatus(arn)).toBe('ACTIVE');
  });

  it('snooze and acknowledge: recorded on the finding and the message, audited', async () => {
    const { finding } = await openFinding();
    const responseUrl = slack.urlFor('response3');
    await press(blockActions({ findingId: finding.findingId, action: 'guardrail:snooze:7', responseUrl }));
    const item = await findingItem(finding.findingId);
    const until = Date.parse(String(item!.snoozedUntil));
    expect(until - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await press(blockActions({ findingId: finding.findingId, action: 'guardrail:acknowledge', responseUrl }));
    const texts = slack.requests.map((r) => JSON.stringify(r));
    expect(texts[0]).toContain(`Snoozed by <@${ALLOWED}>`);
    expect(texts[1]).toContain(`Acknowledged by <@${ALLOWED}>`);
    // Both keep the buttons (the finding is still open and awaits approval).
    expect(texts[1]).toContain('guardrail:approve');
  });

  it('exempt from the modal: the next event of the resource is exempted, and after the date it is found again', async () => {
    const { arn, finding } = await openFinding();
    const until = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const submission = {
      type: 'view_submission',
      team: { id: TEAM },
      user: { id: ALLOWED },
      view: {
        callback_id: 'guardrail:exempt',
        private_metadata: JSON.stringify({ findingId: finding.findingId }),
        state: {
          values: {
            reason: { value: { type: 'plain_text_input', value: 'SEC-42 accepted for the migration' } },
            until: { value: { type: 'datepicker', selected_date: until } },
          },
        },
      },
    };
    expect(await press(submission)).toEqual({ status: 200, failures: 0, jobs: 1 });
    const record = (await scanTable(docs, TABLE)).find((i) => i.kind === 'exemption' && i.arn === arn);
    expect(record).toMatchObject({ rule: 'td-privileged', until, createdBy: `slack:${TEAM}/${ALLOWED}` });

    // The same revision registered again (a replayed CloudTrail event with a new id): exempted. A fresh
    // container reads the records (the pipeline caches them for a minute).
    const fresh = await load(POLICY);
    const { event } = await registerTaskDefinition(ecs);
    const replay = {
      ...event,
      id: `${String(event.id)}-again`,
      detail: {
        ...(event.detail as Record<string, unknown>),
        eventID: `${String((event.detail as { eventID: string }).eventID)}-again`,
        responseElements: {
          taskDefinition: {
            ...(event.detail as { responseElements: { taskDefinition: Record<string, unknown> } })
              .responseElements.taskDefinition,
            taskDefinitionArn: arn,
          },
        },
      },
    };
    const summary = await fresh.pipeline(replay, fakeContext('cloudtrail-api-call'));
    expect(summary.exempted).toBeGreaterThanOrEqual(1);
    const notes = (await drainQueue(sqs, outboxUrl)).map((m) => JSON.parse(m.Body!) as Finding);
    expect(notes.filter((f) => f.ruleId === 'td-privileged' && f.resource.arn === arn)).toEqual([]);

    // Three days later the record has expired by itself: the same event is a finding again.
    vi.useFakeTimers({ now: Date.now() + 3 * 86_400_000, toFake: ['Date'] });
    try {
      const later = await load(POLICY);
      const again = {
        ...replay,
        id: `${replay.id}-later`,
        detail: { ...replay.detail, eventID: `${replay.detail.eventID}-later` },
      };
      const s2 = await later.pipeline(again, fakeContext('cloudtrail-api-call'));
      expect(s2.exempted).toBe(0);
      expect(s2.findings).toBeGreaterThanOrEqual(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
