import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readChannelConfig, readNotifierConfig } from '../../../shared/notify/config';
import {
  decodeRecord,
  derivedDedupeId,
  encodeNotification,
  InvalidNotificationError,
  recordFromMessage,
  SqsNotificationOutbox,
} from '../../../shared/notify/outbox';
import { SsmSecretSource, WebhookConfigError, scrub } from '../../../shared/notify/channels/slack/secrets';
import { finding, record } from './fixtures';

describe('outbox message format', () => {
  it('round-trips a notification through the SQS message', () => {
    const f = finding();
    const r = record(f, {
      kind: 'reminder',
      dedupeKey: 'reminder:t',
      firstSeen: '2026-11-20T00:00:00Z',
      count: 3,
    });
    expect(decodeRecord(r)).toEqual({
      finding: f,
      kind: 'reminder',
      dedupeId: encodeNotification(f, { kind: 'reminder', dedupeKey: 'reminder:t' }).dedupeId,
      firstSeen: '2026-11-20T00:00:00Z',
      count: 3,
    });
  });

  it("reads the pipeline's messages: kind defaults to opened, the dedupe id derives from the body", () => {
    const f = finding();
    // Exactly what shared/pipeline/sqs-outbox.ts sends.
    const pipelineMessage = recordFromMessage({
      MessageId: 'x',
      Body: JSON.stringify(f),
      MessageAttributes: {
        findingId: { DataType: 'String', StringValue: f.findingId },
        ruleId: { DataType: 'String', StringValue: f.ruleId },
        severity: { DataType: 'String', StringValue: f.severity },
      },
    });
    const n = decodeRecord(pipelineMessage);
    expect(n.kind).toBe('opened');
    expect(n.dedupeId).toBe(derivedDedupeId(f, 'opened'));
    // Same finding and event (a retried send): same id. Another event: another id.
    expect(decodeRecord({ ...pipelineMessage, messageId: 'y' }).dedupeId).toBe(n.dedupeId);
    expect(derivedDedupeId({ ...f, event: { ...f.event, id: 'other' } }, 'opened')).not.toBe(n.dedupeId);
  });

  it.each([
    ['not json', /not JSON/],
    ['[1,2]', /not a JSON object/],
    [JSON.stringify({ ...finding(), severity: 'urgent' }), /severity invalid/],
    [JSON.stringify({ ...finding(), resource: {} }), /resource missing/],
  ])('rejects a poisoned body %j', (body, problem) => {
    expect(() => decodeRecord({ ...record(finding()), body })).toThrow(InvalidNotificationError);
    expect(() => decodeRecord({ ...record(finding()), body })).toThrow(problem);
  });

  it('rejects an unknown kind', () => {
    const r = record(finding());
    expect(() =>
      decodeRecord({
        ...r,
        messageAttributes: { ...r.messageAttributes, kind: { dataType: 'String', stringValue: 'x' } },
      }),
    ).toThrow(/kind must be one of opened, resolved, reminder/);
  });

  it('SqsNotificationOutbox sends kind and dedupe id, FIFO group and dedupe; send() is an opened message', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({});
    const f = finding();
    await new SqsNotificationOutbox({
      queueUrl: 'https://q/1/outbox.fifo',
      client: new SQSClient({}),
    }).enqueue(f, {
      kind: 'resolved',
      dedupeKey: 'resolved:t',
    });
    await new SqsNotificationOutbox({ queueUrl: 'https://q/1/outbox', client: new SQSClient({}) }).send(f, {
      dedupeKey: 'evt',
    });
    const [fifo, std] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(fifo!.MessageGroupId).toBe(f.findingId);
    expect(fifo!.MessageDeduplicationId).toBe(fifo!.MessageAttributes!.dedupeId!.StringValue);
    expect(fifo!.MessageAttributes!.kind!.StringValue).toBe('resolved');
    expect(std!.MessageAttributes!.kind!.StringValue).toBe('opened');
    expect(std!.MessageGroupId).toBeUndefined();
    expect(JSON.parse(std!.MessageBody!)).toEqual(f);
  });
});

describe('Slack webhook secrets from SSM', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  const URL_ = 'https://hooks.slack.com/services/T1/B1/abcdefgh';

  it('reads a SecureString with decryption, caches it for the TTL, then reads again', async () => {
    let now = 0;
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: URL_ } });
    const s = new SsmSecretSource({ client: new SSMClient({}), ttlMs: 1000, now: () => now });
    expect(await Promise.all([s.get('/p'), s.get('/p')])).toEqual([URL_, URL_]);
    now = 999;
    await s.get('/p');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/p',
      WithDecryption: true,
    });
    now = 1000;
    await s.get('/p');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    s.evict('/p');
    await s.get('/p');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(3);
    expect(s.known()).toEqual([URL_]);
  });

  it('refuses a plain String parameter and a value that is not a URL, without echoing the value', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Type: 'String', Value: URL_ } });
    const s = new SsmSecretSource({ client: new SSMClient({}) });
    const err = (await s.get('/p').then(
      () => undefined,
      (e: unknown) => e,
    )) as WebhookConfigError;
    expect(err).toBeInstanceOf(WebhookConfigError);
    expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/must be a SecureString/) });
    expect(err.message).not.toContain('hooks.slack.com');
    ssm.reset();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: 'oops' } });
    await expect(s.get('/p')).rejects.toThrow(/does not hold a webhook URL/);
  });

  it('classifies SSM errors: a missing parameter is not retryable, throttling is; failures are not cached', async () => {
    const s = new SsmSecretSource({ client: new SSMClient({}) });
    ssm.on(GetParameterCommand).rejectsOnce(Object.assign(new Error('x'), { name: 'ParameterNotFound' }));
    await expect(s.get('/p')).rejects.toMatchObject({ retryable: false });
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('x'), { name: 'ThrottlingException' }));
    await expect(s.get('/p')).rejects.toMatchObject({ retryable: true });
    ssm.reset();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: URL_ } });
    expect(await s.get('/p')).toBe(URL_);
  });

  it('scrubs known secrets from text', () => {
    expect(scrub(`failed to post to ${URL_}!`, [URL_])).toBe('failed to post to [redacted]!');
  });
});

describe('notifier environment', () => {
  it('refuses a webhook URL where the parameter name belongs, without echoing it', () => {
    expect(() =>
      readChannelConfig({ GUARDRAIL_SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/services/T/B/SECRET' }),
    ).toThrow(/must name an SSM SecureString parameter, never hold the webhook URL/);
    try {
      readChannelConfig({ GUARDRAIL_SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/services/T/B/SECRET' });
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRET');
    }
  });

  it('requires the table and the outbox, defaults the rest', () => {
    expect(() => readNotifierConfig({ GUARDRAIL_OUTBOX_QUEUE_URL: 'q' })).toThrow(/GUARDRAIL_TABLE/);
    expect(readNotifierConfig({ GUARDRAIL_TABLE: 't', GUARDRAIL_OUTBOX_QUEUE_URL: 'q' })).toEqual({
      tableName: 't',
      outboxQueueUrl: 'q',
      maxReceiveCount: 5,
      backoffBaseSeconds: 15,
      secretTtlMs: 300_000,
      slackTimeoutMs: 10_000,
      leaseMs: 120_000,
    });
    expect(() =>
      readNotifierConfig({
        GUARDRAIL_TABLE: 't',
        GUARDRAIL_OUTBOX_QUEUE_URL: 'q',
        GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT: '0',
      }),
    ).toThrow(/from 1 to 1000/);
  });
});
