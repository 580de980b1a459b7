/**
 * Nothing lost when the outbox is down: the pipeline on moto DynamoDB + SQS with an outbox whose first
 * sends fail (an SQS outage). The event fails (Lambda retries it); the retry queues the notification once,
 * thanks to the outbox marker written with the finding; later events and duplicates queue nothing.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { Pipeline } from '../../shared/pipeline/pipeline';
import { SqsNotificationOutbox } from '../../shared/notify/outbox';
import type { EnqueueMeta, Outbox, OutboxMeta } from '../../shared/lifecycle/outbox';
import type { Logger } from '../../shared/model/logger';
import { parsePolicy } from '../../shared/policy/load';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { DynamoDbWindowCounter } from '../../shared/store/dynamodb-window-counter';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  loadEvent,
  scanTable,
} from '../helpers/pipeline-harness';

const TABLE = 'guardrail-outbox-test';

class FlakyOutbox implements Outbox {
  failures: number;
  attempts = 0;
  constructor(
    private readonly inner: Outbox,
    failures: number,
  ) {
    this.failures = failures;
  }
  async send(finding: Finding, meta: OutboxMeta): Promise<void> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      const err = new Error('Service Unavailable');
      err.name = 'ServiceUnavailable';
      throw err;
    }
    return this.inner.send(finding, meta);
  }
  enqueue(finding: Finding, meta: EnqueueMeta): Promise<void> {
    return this.inner.enqueue(finding, meta);
  }
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
};

let moto: Moto;
let ddb: DynamoDBClient;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;

function pipeline(outbox: Outbox, policyYaml = ''): Pipeline {
  return new Pipeline({
    policy: parsePolicy(policyYaml),
    store: new DynamoDbFindingStore({ client: docs, tableName: TABLE }),
    counter: new DynamoDbWindowCounter({ client: docs, tableName: TABLE }),
    outbox,
    logger: silent,
    idempotency: {
      keyPrefix: 'outbox-test',
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: TABLE,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        expiryAttr: 'expiration',
        staticPkValue: 'idempotency#outbox-test',
        awsSdkV3Client: ddb,
      }),
    },
  });
}

beforeAll(async () => {
  moto = await startMoto();
  ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'outbox-test');
});

afterAll(async () => {
  await moto?.stop();
});

describe('outbox outage', () => {
  it('a failed send fails the event; its retry queues the notification exactly once', async () => {
    const outbox = new FlakyOutbox(new SqsNotificationOutbox({ queueUrl, client: sqs }), 1);
    const p = pipeline(outbox);
    const event = loadEvent('cloudtrail-create-service-assign-public-ip');
    const ctx = fakeContext('cloudtrail-api-call');

    await expect(p.handle(event, ctx)).rejects.toThrow('Service Unavailable');
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(0);

    const retry = await p.handle(event, ctx); // Lambda's async retry of the same event
    expect(retry).toMatchObject({ findings: 1, new: 0, queued: 1 });
    const again = await p.handle({ ...event, id: 'redelivered' }, ctx); // a duplicate afterwards
    expect(again).toEqual(retry);
    const other = loadEvent('cloudtrail-update-service-assign-public-ip'); // a later sighting
    // (the fixture's service is the same one: the finding is open, nothing new to say)
    const later = await pipeline(new SqsNotificationOutbox({ queueUrl, client: sqs })).handle(other, ctx);
    expect(later).toMatchObject({ findings: 1, new: 0, queued: 0 });

    const messages = await drainQueue(sqs, queueUrl);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.Body!)).toMatchObject({ ruleId: 'svc-public-ip' });
    const item = (await scanTable(docs, TABLE)).find((i) => i.ruleId === 'svc-public-ip');
    // the failed attempt's sighting counts too: sightings, not distinct events
    expect(item).toMatchObject({ status: 'open', count: 3, lastNotifiedAt: expect.any(String) });
    expect(item!.pendingNotification).toBeUndefined();
    expect(outbox.attempts).toBe(2);
  });

  it('an aggregate whose crossing send failed is queued by the retry, even though its count moved on', async () => {
    const outbox = new FlakyOutbox(new SqsNotificationOutbox({ queueUrl, client: sqs }), 1);
    const p = pipeline(outbox, 'rules:\n  throttle-api-calls:\n    params: { threshold: 3 }\n');
    const base = loadEvent('cloudtrail-throttling-exception');
    const event = (i: number) => ({ ...base, id: `t-${i}`, detail: { ...base.detail, eventID: `ev-${i}` } });
    const ctx = fakeContext('throttling');

    expect(await p.handle(event(1), ctx)).toMatchObject({ findings: 0 });
    expect(await p.handle(event(2), ctx)).toMatchObject({ findings: 0 });
    await expect(p.handle(event(3), ctx)).rejects.toThrow('Service Unavailable'); // count 3 crossed
    const retry = await p.handle(event(3), ctx); // count 4 now, but it owns the pending notification
    expect(retry).toMatchObject({ findings: 1, queued: 1 });
    expect(await p.handle(event(4), ctx)).toMatchObject({ findings: 1, queued: 0 });

    const messages = await drainQueue(sqs, queueUrl);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.Body!)).toMatchObject({
      ruleId: 'throttle-api-calls',
      aggregate: { count: 4 },
    });
  });
});
