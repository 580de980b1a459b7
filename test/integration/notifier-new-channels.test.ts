/**
 * The real notifier Lambda (functions/notifier.ts) with the new channels configured from a policy file,
 * against moto: email goes out through SES v2; a webhook whose URL secret (Secrets Manager) is not https
 * and a PagerDuty route whose parameter does not exist fail for good. The message then lands in the
 * outbox DLQ with its failure naming those targets, and neither the DLQ message nor any log line the
 * handler wrote contains a secret value. Email is not sent twice when the message comes back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeNotification } from '../../shared/notify/outbox';
import { createStateTable } from '../../shared/store/state-table';
import { createQueue } from '../helpers/notifier-stack';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';
import { finding } from '../unit/notify/fixtures';

type Handler = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

const WEBHOOK_URL = 'http://hooks.example.com/SECRETRECEIVERPATH';
const SIGNING = 'whsec_HANDLERSIGNINGSECRET';
let moto: Moto;
let sqs: SQSClient;
let dlqUrl: string;
let handler: Handler;
const logs: string[] = [];
const saved = { ...process.env };

const context = (): Context =>
  ({
    functionName: 'notifier',
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

function lambdaRecord(id: string, receiveCount: number): SQSRecord {
  const m = encodeNotification(finding({ findingId: 'f-handler-0001', severity: 'critical' }), {
    kind: 'opened',
    dedupeKey: 'k1',
  });
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [k, v] of Object.entries(m.MessageAttributes))
    messageAttributes[k] = { stringValue: v.StringValue, dataType: v.DataType ?? 'String' } as never;
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: m.MessageBody,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
    } as unknown as SQSRecord['attributes'],
    messageAttributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:outbox',
    awsRegion: 'us-east-1',
  };
}

async function sentEmails(): Promise<unknown[]> {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    ses?: { Message?: unknown[] };
  };
  return data.ses?.Message ?? [];
}

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(new DynamoDBClient(motoClientConfig(moto)), 'guardrail-state');
  const dlq = await createQueue(sqs, 'outbox-dlq');
  const outbox = await createQueue(sqs, 'outbox');
  dlqUrl = dlq.url;
  const { ARN } = await new SecretsManagerClient(motoClientConfig(moto)).send(
    new CreateSecretCommand({ Name: 'guardrail/webhook-url', SecretString: WEBHOOK_URL }),
  );
  await new SSMClient(motoClientConfig(moto)).send(
    new PutParameterCommand({ Name: '/guardrail/webhook/signing', Type: 'SecureString', Value: SIGNING }),
  );
  await new SESv2Client(motoClientConfig(moto)).send(
    new CreateEmailIdentityCommand({ EmailIdentity: 'guardrail@example.com' }),
  );
  const policyFile = join(mkdtempSync(join(tmpdir(), 'notifier-channels-')), 'guardrail.policy.yml');
  writeFileSync(
    policyFile,
    [
      'notifications:',
      '  email: { from: guardrail@example.com, to: [secops@example.com] }',
      `  webhook: { urlParameter: "${ARN}", signingSecretParameter: /guardrail/webhook/signing }`,
      '  pagerduty: { routingKeyParameter: /guardrail/pagerduty/missing }',
      '',
    ].join('\n'),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: '1',
    GUARDRAIL_TABLE: 'guardrail-state',
    GUARDRAIL_OUTBOX_QUEUE_URL: outbox.url,
    GUARDRAIL_OUTBOX_DLQ_URL: dlq.url,
    GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT: '3',
    GUARDRAIL_POLICY_FILE: policyFile,
    GUARDRAIL_NOTIFY_BACKOFF_SECONDS: '0',
    POWERTOOLS_METRICS_NAMESPACE: 'EcsGuardrailTest',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  delete process.env.GUARDRAIL_TOPIC_ARN;
  delete process.env.GUARDRAIL_SLACK_WEBHOOK_PARAMETER;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  ({ handler } = (await import('../../functions/notifier')) as unknown as { handler: Handler });
  (await import('../../functions/edge/notifier-handler')).resetNotifier();
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = saved;
  await moto?.stop();
});

describe('notifier Lambda with the new channels', () => {
  it('sends the email once, dead-letters the refused channels with no secret anywhere', async () => {
    const res = await handler({ Records: [lambdaRecord('m-1', 1)] }, context());
    // Only failures no retry can fix: dead-lettered by the notifier itself, reported as success.
    expect(res.batchItemFailures).toEqual([]);
    expect(await sentEmails()).toHaveLength(1);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const failure = JSON.parse(Messages![0]!.MessageAttributes!['guardrail.failure']!.StringValue!) as {
      channels: string[];
      retryable: boolean;
    };
    expect(failure.channels.sort()).toEqual(['pagerduty:default', 'webhook:default']);
    expect(failure.retryable).toBe(false);
    // The same message again (a redrive): the email is not sent a second time.
    await handler({ Records: [lambdaRecord('m-2', 1)] }, context());
    expect(await sentEmails()).toHaveLength(1);
    const everything = JSON.stringify([Messages, logs]);
    for (const s of [WEBHOOK_URL, 'SECRETRECEIVERPATH', SIGNING]) expect(everything).not.toContain(s);
    expect(logs.join('\n')).toContain('cannot read secret /guardrail/pagerduty/missing (ParameterNotFound)');
    expect(logs.join('\n')).toMatch(/secret arn:aws:secretsmanager:[^ ]+ does not hold an https webhook URL/);
  });
});
