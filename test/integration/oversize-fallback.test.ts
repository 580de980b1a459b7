/**
 * The last resort of issue 15: a store or channel that still refuses a finding as too large records and
 * notifies the reduced finding (its first evidence entry and a count of the rest) instead of dropping it.
 * Findings leave the engine bounded; these feed an unbounded 1.1 MB finding straight to the DynamoDB
 * store and to the SNS publish, against moto (which enforces DynamoDB's 400 KB and SNS's 256 KB).
 * (The store's path for DynamoDB refusing an item it let through is in test/unit/store: moto applies a
 * refused UpdateItem partly, which real DynamoDB never does.)
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { publishSns } from '../../shared/notify/channels/sns';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { findingKey } from '../../shared/store/dynamodb-keys';
import { createStateTable } from '../../shared/store/state-table';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { finding, notification } from '../unit/notify/fixtures';

const TABLE = 'guardrail-oversize';
let moto: Moto;
let docs: DynamoDBDocumentClient;
let sns: SNSClient;
let sqs: SQSClient;

/** 1,562 evidence entries of about 700 bytes each: the unbounded finding of issue 15 (1.1 MB). */
function hugeFinding(): Finding {
  const container = `c${'x'.repeat(254)}`;
  return finding({
    ruleId: 'td-secrets-in-environment',
    severity: 'critical',
    evidence: Array.from({ length: 1562 }, (_, i) => ({
      path: `containerDefinitions[0].environment[${i}]`,
      message: `environment variable "VAR_${i + 1}_TOKEN" in container "${container}" looks like a credential: name matches the credential pattern TOKEN${' '.repeat(100)}`,
      container,
    })),
  });
}

beforeAll(async () => {
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb);
  sns = new SNSClient(motoClientConfig(moto));
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
});

afterAll(async () => {
  await moto?.stop();
});

describe('a finding too large for its store or channel', () => {
  it('a 1.1 MB finding (DynamoDB would refuse the item): the reduced finding is recorded, open, counted', async () => {
    const f = hugeFinding();
    expect(Buffer.byteLength(JSON.stringify(f))).toBeGreaterThan(1_000_000);
    const store = new DynamoDbFindingStore({ client: docs, tableName: TABLE });

    const out = await store.record(f, '2026-03-01T00:00:00Z');
    expect(out.opened).toBe(true);
    expect(out.record.finding.evidence).toEqual([
      f.evidence[0],
      {
        path: 'evidence',
        message: "1,561 more evidence entries omitted: the finding exceeded DynamoDB's item size limit",
      },
    ]);
    const item = (await docs.send(new GetCommand({ TableName: TABLE, Key: findingKey(f.findingId) }))).Item!;
    expect(item).toMatchObject({ status: 'open', count: 1, severity: 'critical' });
    expect((JSON.parse(String(item.finding)) as Finding).evidence).toHaveLength(2);

    // A later sighting of the same oversized finding counts on the same item.
    const again = await store.record(f, '2026-03-01T00:01:00Z');
    expect(again.record.count).toBe(2);
  });

  it('SNS refuses the message as too long: the reduced finding is published', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guardrail-oversize' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'oversize-subscriber' }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: QueueUrl!, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: TopicArn!,
        Protocol: 'sqs',
        Endpoint: attrs.Attributes!.QueueArn!,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const f = hugeFinding();
    await publishSns(sns, TopicArn!, notification(f));

    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: QueueUrl!, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(got.Messages).toHaveLength(1);
    const body = JSON.parse(got.Messages![0]!.Body!) as Finding & { status: string };
    expect(body).toMatchObject({ findingId: f.findingId, severity: 'critical', status: 'open' });
    expect(body.evidence).toEqual([
      f.evidence[0],
      {
        path: 'evidence',
        message: "1,561 more evidence entries omitted: the finding exceeded SNS's message size limit",
      },
    ]);
  });
});
