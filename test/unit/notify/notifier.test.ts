import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toAsff } from '../../../shared/notify/channels/securityhub/asff';
import { MemoryDeliveryLedger } from '../../../shared/notify/ledger';
import { Notifier, OutboxConsumer } from '../../../shared/notify/notifier';
import { StaticSecretSource } from '../../../shared/notify/channels/slack/secrets';
import { parsePolicy } from '../../../shared/policy/load';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack';
import { finding, notification, record, recordingLogger } from './fixtures';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:guardrail-alerts';
const POLICY = parsePolicy(`
notifications:
  slack:
    webhookParameter: /guardrail/slack/default
    teams:
      payments: { webhookParameter: /guardrail/slack/payments }
  securityHub: { enabled: true }
`);
const NOW = Date.parse('2026-11-22T09:00:00Z');

const sns = mockClient(SNSClient);
const hub = mockClient(SecurityHubClient);
const sqs = mockClient(SQSClient);

describe('Notifier', () => {
  let slack: FakeSlack;
  let ledger: MemoryDeliveryLedger;
  const log = recordingLogger();
  const make = (over: Partial<ConstructorParameters<typeof Notifier>[0]> = {}): Notifier =>
    new Notifier({
      policy: POLICY,
      ledger,
      logger: log.logger,
      sns: { topicArn: TOPIC, client: new SNSClient({ region: 'us-east-1' }) },
      slack: {
        secrets: new StaticSecretSource({
          '/guardrail/slack/default': slack.url,
          '/guardrail/slack/payments': slack.urlFor('payments'),
        }),
        post: { sleep: async () => undefined, maxInlineWaitMs: 1000, baseBackoffMs: 1 },
      },
      securityHub: {
        client: new SecurityHubClient({ region: 'us-east-1' }),
        sleep: async () => undefined,
        now: () => new Date(NOW),
      },
      ...over,
    });

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => {
    slack.reset();
    sns.reset();
    hub.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    ledger = new MemoryDeliveryLedger();
    log.lines.length = 0;
  });

  it('delivers to every routed channel: SNS body and attributes, Slack Block Kit, ASFF', async () => {
    const f = finding({ severity: 'critical' });
    const [r] = await make().deliver([notification(f)]);
    expect(r).toMatchObject({ delivered: ['sns', 'slack:default', 'securityhub'], failures: [] });
    const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish.TopicArn).toBe(TOPIC);
    expect(JSON.parse(publish.Message!)).toMatchObject({ findingId: f.findingId, status: 'open' });
    expect(publish.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'critical' });
    expect(slack.delivered).toHaveLength(1);
    expect(JSON.stringify(slack.delivered[0])).toContain(`finding ${f.findingId}`);
    expect(hub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input).toEqual({
      Findings: [toAsff(f, { now: new Date(NOW).toISOString(), resolved: false })],
    });
  });

  it('is idempotent per channel: reached Slack, failed on SNS -> the retry posts to SNS only', async () => {
    const n = notification(finding());
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('Internal'), { name: 'InternalFailure' }));
    const [first] = await make().deliver([n]);
    expect(first!.delivered).toEqual(['slack:default', 'securityhub']);
    expect(first!.failures).toMatchObject([{ target: 'sns', error: 'InternalFailure', retryable: true }]);
    const [second] = await make().deliver([n]);
    expect(second).toMatchObject({ delivered: ['sns'], alreadyDelivered: ['slack:default', 'securityhub'] });
    const [third] = await make().deliver([n]);
    expect(third).toMatchObject({ delivered: [], failures: [] });
    expect(slack.delivered).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
  });

  it('carries the lifecycle facts of a resolved message into SNS and Slack', async () => {
    const f = finding();
    const n = {
      ...notification(f, 'resolved'),
      firstSeen: '2026-11-20T00:00:00Z',
      count: 3,
      resolvedReason: 'sweep',
    };
    await make().deliver([n]);
    const body = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!);
    expect(body.status).toBe('resolved');
    expect(body.lifecycle).toEqual({
      kind: 'resolved',
      firstSeen: '2026-11-20T00:00:00Z',
      count: 3,
      resolvedReason: 'sweep',
    });
    expect(JSON.stringify(slack.delivered[0])).toContain('is compliant again (sweep). It was:');
    expect(hub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input.Findings![0]).toMatchObject({
      CreatedAt: '2026-11-20T00:00:00Z',
      Compliance: { Status: 'PASSED' },
      RecordState: 'ARCHIVED',
    });
  });

  it('routes team-tagged findings to the team webhook', async () => {
    const f = finding({ tags: { 'guardrail:team': 'payments' } });
    const [r] = await make().deliver([notification(f)]);
    expect(r!.delivered).toContain('slack:team:payments');
    expect(slack.received.map((x) => x.path)).toEqual([new URL(slack.urlFor('payments')).pathname]);
  });

  it('Slack 429 then 500 then 200 within one delivery: posted exactly once', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '0' } }, { status: 500 });
    const [r] = await make().deliver([notification(finding())]);
    expect(r!.failures).toEqual([]);
    expect(slack.received.map((x) => x.status)).toEqual([429, 500, 200]);
    expect(slack.delivered).toHaveLength(1);
  });

  it('a long Retry-After is handed back and stops the run for that webhook without posting more', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '30' } });
    const ns = [1, 2, 3].map(() => notification(finding()));
    const results = await make().deliver(ns);
    expect(results[0]!.failures).toEqual([
      expect.objectContaining({
        target: 'slack:default',
        status: 429,
        retryAfterMs: 30_000,
        retryable: true,
      }),
    ]);
    // The others were not tried: handed back untried (no attempt counted) with the same wait.
    for (const r of results.slice(1))
      expect(r.failures).toEqual([
        expect.objectContaining({
          target: 'slack:default',
          error: 'NotAttempted',
          attempted: false,
          retryAfterMs: 30_000,
          retryable: true,
        }),
      ]);
    expect(slack.received).toHaveLength(1);
    // Claims were released: a later attempt may deliver.
    const again = await make().deliver(ns);
    expect(again.every((r) => r.delivered.includes('slack:default'))).toBe(true);
  });

  it('does not start a Slack post, an SNS publish or a Security Hub import past the deadline', async () => {
    const [r] = await make({ now: () => 2000 }).deliver([notification(finding())], { deadline: 1000 });
    expect(r!.failures).toMatchObject(
      ['sns', 'slack:default', 'securityhub'].map((target) => ({
        target,
        error: 'NotAttempted',
        retryable: true,
        attempted: false,
      })),
    );
    expect(slack.received).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });

  it('retries the findings Security Hub reports as failed, then succeeds: nothing dropped', async () => {
    const a = notification(finding({ severity: 'high' }));
    const b = notification(finding({ severity: 'medium' }));
    const idB = `ecs-guardrail/${b.finding.findingId}`;
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        FailedCount: 1,
        SuccessCount: 1,
        FailedFindings: [{ Id: idB, ErrorCode: 'InternalException', ErrorMessage: 'try again' }],
      })
      .resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const results = await make().deliver([a, b]);
    expect(results.map((r) => r.failures)).toEqual([[], []]);
    const calls = hub
      .commandCalls(BatchImportFindingsCommand)
      .map((c) => c.args[0].input.Findings!.map((f) => f.Id));
    expect(calls).toEqual([[`ecs-guardrail/${a.finding.findingId}`, idB], [idB]]);
    expect(hub.commandCalls(BatchImportFindingsCommand)[1]!.args[0].input).toEqual({
      Findings: [toAsff(b.finding, { now: new Date(NOW).toISOString(), resolved: false })],
    });
  });

  it('a finding Security Hub keeps failing is a retryable failure of that message (never dropped)', async () => {
    const a = notification(finding());
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [
        { Id: `ecs-guardrail/${a.finding.findingId}`, ErrorCode: 'LimitExceeded', ErrorMessage: 'x' },
      ],
    });
    const [r] = await make().deliver([a]);
    expect(r!.failures).toMatchObject([{ target: 'securityhub', error: 'LimitExceeded', retryable: true }]);
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(3); // first call + 2 retries
    expect(ledger.deliveredTargets(a.dedupeId)).toEqual(['sns', 'slack:default']);
  });

  it('imports at most 100 findings a call, and a resolved finding as PASSED / ARCHIVED', async () => {
    const low = parsePolicy(
      'notifications:\n  sns: {enabled: false}\n  slack: {enabled: false}\n  securityHub: {enabled: true}\n',
    );
    const ns = Array.from({ length: 250 }, () => notification(finding(), 'resolved'));
    const results = await make({ policy: low }).deliver(ns);
    expect(results.every((r) => r.delivered.join() === 'securityhub')).toBe(true);
    const sizes = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings!.length);
    expect(sizes).toEqual([100, 100, 50]);
    const first = hub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input.Findings![0]!;
    expect(first).toMatchObject({ Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' });
  });

  it('SNS failing for a missing topic is not retryable (NotFound) and names no secret', async () => {
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Topic does not exist'), {
        name: 'NotFoundException',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    const [r] = await make().deliver([notification(finding())]);
    expect(r!.failures).toEqual([
      {
        target: 'sns',
        error: 'NotFoundException',
        message: 'Topic does not exist',
        status: 404,
        retryable: false,
      },
    ]);
  });

  it('a webhook Slack no longer knows (404) is not retryable, is re-read from SSM next time, leaks no URL', async () => {
    slack.script({ status: 404, body: 'no_service' });
    const evicted: string[] = [];
    const secrets = new StaticSecretSource({ '/guardrail/slack/default': slack.url });
    secrets.evict = (name: string) => void evicted.push(name);
    const [r] = await make({ slack: { secrets } }).deliver([notification(finding())]);
    expect(r!.failures).toMatchObject([{ target: 'slack:default', status: 404, retryable: false }]);
    expect(evicted).toEqual(['/guardrail/slack/default']);
    expect(JSON.stringify(r)).not.toContain(slack.url);
    expect(JSON.stringify(r)).not.toContain('XXXXSECRET');
  });
});

describe('OutboxConsumer', () => {
  let slack: FakeSlack;
  const log = recordingLogger();
  const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/outbox';
  const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/outbox-dlq';
  let ledger: MemoryDeliveryLedger;
  const consumer = (over: Partial<ConstructorParameters<typeof OutboxConsumer>[0]> = {}): OutboxConsumer =>
    new OutboxConsumer({
      notifier: new Notifier({
        policy: parsePolicy('notifications:\n  slack: {webhookParameter: /guardrail/slack/default}\n'),
        ledger,
        logger: log.logger,
        sns: { topicArn: TOPIC, client: new SNSClient({ region: 'us-east-1' }) },
        slack: {
          secrets: new StaticSecretSource({ '/guardrail/slack/default': slack.url }),
          post: { sleep: async () => undefined, maxInlineWaitMs: 1000, baseBackoffMs: 1, maxAttempts: 2 },
        },
      }),
      queueUrl: QUEUE,
      dlqUrl: DLQ,
      maxReceiveCount: 3,
      sqs: new SQSClient({ region: 'us-east-1' }),
      logger: log.logger,
      ...over,
    });

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => {
    slack.reset();
    sns.reset();
    sqs.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    ledger = new MemoryDeliveryLedger();
    log.lines.length = 0;
  });

  it('reports only the failed messages of a batch (partial batch failure)', async () => {
    slack.script({ status: 200 }, { status: 500 }, { status: 500 }, { status: 200 });
    const recs = [record(finding()), record(finding()), record(finding())];
    const res = await consumer().handle(recs);
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: recs[1]!.messageId }] });
    expect(slack.delivered).toHaveLength(2);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
  });

  it('requeues a message rate limited for long with ChangeMessageVisibility = Retry-After', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '120' } });
    const r = record(finding());
    const res = await consumer().handle([r]);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: r.messageId }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE,
      ReceiptHandle: r.receiptHandle,
      VisibilityTimeout: 120,
    });
  });

  it('Retry-After of 12 h or more: a copy with notBefore and the counted receive, not a visibility SQS refuses', async () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    slack.script({ status: 429, headers: { 'retry-after': String(12 * 3600) } });
    const r = record(finding(), undefined, 2);
    const res = await consumer({ now: () => now }).handle([r]);
    expect(res.batchItemFailures).toEqual([]); // this copy is deleted: the new one carries the wait
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe(QUEUE);
    expect(sent.MessageBody).toBe(r.body);
    expect(sent.DelaySeconds).toBe(900);
    expect(sent.MessageAttributes!.notBefore).toEqual({
      DataType: 'String',
      StringValue: '2026-12-08T00:00:00.000Z',
    });
    expect(sent.MessageAttributes!.priorReceives).toEqual({ DataType: 'Number', StringValue: '2' });
    expect(sent.MessageAttributes!.findingId!.StringValue).toBe(r.messageAttributes.findingId!.stringValue);
  });

  it('a message before its notBefore is re-enqueued for the rest of the wait, uncounted, nothing delivered', async () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const base = record(finding(), undefined, 2);
    const r = {
      ...base,
      messageAttributes: {
        ...base.messageAttributes,
        notBefore: { dataType: 'String', stringValue: '2026-12-07T12:10:00.000Z' },
        priorReceives: { dataType: 'Number', stringValue: '3' },
      },
    };
    const res = await consumer({ now: () => now }).handle([r]);
    expect(res.batchItemFailures).toEqual([]);
    expect(slack.received).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.DelaySeconds).toBe(600);
    // This receive was only a wait: 3 earlier + (2 - 1) now.
    expect(sent.MessageAttributes!.priorReceives!.StringValue).toBe('4');
    expect(sent.MessageAttributes!.notBefore!.StringValue).toBe('2026-12-07T12:10:00.000Z');
  });

  it('counts earlier copies towards the DLQ: priorReceives + receive count reaching the maximum dead-letters', async () => {
    slack.script({ status: 500 }, { status: 500 });
    const base = record(finding(), undefined, 1);
    const r = {
      ...base,
      messageAttributes: {
        ...base.messageAttributes,
        priorReceives: { dataType: 'Number', stringValue: '2' },
      },
    };
    await consumer().handle([r]);
    const dead = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(dead.QueueUrl).toBe(DLQ);
    expect(dead.MessageAttributes!.priorReceives).toBeUndefined();
    expect(JSON.parse(dead.MessageAttributes!['guardrail.failure']!.StringValue!)).toMatchObject({
      receiveCount: 3,
    });
  });

  it('untried messages of a batch go back uncounted; when nothing at all could be tried they count', async () => {
    // Rate limited on the first post: the second message of that webhook is not tried.
    slack.script({ status: 429, headers: { 'retry-after': '30' } });
    const [a, b] = [record(finding()), record(finding())];
    const res = await consumer().handle([a, b]);
    // a was tried (its receive counts: visibility 30 s); b goes back as a copy, its receive not counted.
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: a.messageId }]);
    const copy = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(copy.MessageBody).toBe(b.body);
    expect(copy.DelaySeconds).toBe(30);
    expect(copy.MessageAttributes!.priorReceives).toBeUndefined();

    // A deadline already past: nothing tried anywhere. Counted (no loop), reported failed.
    sqs.resetHistory();
    const c = record(finding());
    const late = await consumer().handle([c], { deadline: Date.now() - 1 });
    expect(late.batchItemFailures).toEqual([{ itemIdentifier: c.messageId }]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('backs off exponentially on other retryable failures', async () => {
    slack.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await consumer({ backoffBaseSeconds: 10 }).handle([record(finding(), undefined, 2)]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input.VisibilityTimeout).toBe(20);
  });

  it('dead-letters on the last receive with the original body, attributes and the failure', async () => {
    slack.script({ status: 500 }, { status: 503 });
    const f = finding();
    const r = record(
      f,
      { kind: 'reminder', dedupeKey: 'reminder:x', firstSeen: '2026-11-20T00:00:00Z', count: 9 },
      3,
    );
    const res = await consumer().handle([r]);
    expect(res.batchItemFailures).toEqual([]); // it is in the DLQ now: Lambda deletes it from the outbox
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe(DLQ);
    expect(sent.MessageBody).toBe(r.body);
    const { ['guardrail.failure']: failure, ...attrs } = sent.MessageAttributes!;
    expect(attrs).toEqual({
      findingId: { DataType: 'String', StringValue: f.findingId },
      ruleId: { DataType: 'String', StringValue: 'svc-public-ip' },
      severity: { DataType: 'String', StringValue: 'high' },
      kind: { DataType: 'String', StringValue: 'reminder' },
      dedupeId: { DataType: 'String', StringValue: r.messageAttributes.dedupeId!.stringValue },
      firstSeen: { DataType: 'String', StringValue: '2026-11-20T00:00:00Z' },
      count: { DataType: 'Number', StringValue: '9' },
    });
    expect(JSON.parse(failure!.StringValue!)).toEqual({
      error: 'SlackDeliveryError',
      status: 503,
      channels: ['slack:default'],
      receiveCount: 3,
      retryable: true,
      at: expect.any(String),
    });
    expect(failure!.StringValue).not.toContain('127.0.0.1');
  });

  it('dead-letters at once what retrying cannot fix, and a poisoned message', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('no topic'), { name: 'NotFoundException' }));
    const bad = { ...record(finding()), body: '{"not":"a finding"}' };
    const res = await consumer().handle([record(finding()), bad]);
    expect(res.batchItemFailures).toEqual([]);
    const failures = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageAttributes!['guardrail.failure']!.StringValue!));
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ error: 'NotFoundException', channels: ['sns'], retryable: false }),
        expect.objectContaining({ error: 'InvalidNotificationError', channels: [], retryable: false }),
      ]),
    );
    expect(slack.delivered).toHaveLength(1); // the valid message still reached Slack
  });

  it('leaves a message to the queue redrive policy when it cannot reach the DLQ', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    slack.script({ status: 500 }, { status: 500 });
    const r = record(finding(), undefined, 3);
    expect((await consumer().handle([r])).batchItemFailures).toEqual([{ itemIdentifier: r.messageId }]);
    // Without a DLQ URL the notifier never deletes a failed message: SQS moves it after maxReceiveCount.
    slack.script({ status: 500 }, { status: 500 });
    const r2 = record(finding(), undefined, 3);
    const res = await consumer({ dlqUrl: undefined }).handle([r2]);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: r2.messageId }]);
  });

  it('never logs the webhook URL', async () => {
    slack.script(
      { status: 404 },
      { status: 500 },
      { status: 500 },
      { status: 429, headers: { 'retry-after': '99' } },
    );
    await consumer().handle([record(finding()), record(finding()), record(finding())]);
    expect(log.lines.length).toBeGreaterThan(0);
    for (const line of log.lines) {
      expect(line).not.toContain(slack.url);
      expect(line).not.toContain('XXXXSECRET');
    }
  });
});
