/**
 * The notifier Lambda (functions/notifier.ts, the real middy handler) run repeatedly over the outbox queue
 * in moto_server until it drains, the way the SQS event source would (receive a batch, invoke, delete
 * what the handler did not report failed), with faults injected: Slack answering 429 / 500, SNS answering
 * 500 (a loopback proxy in front of moto) or its topic missing, a team webhook failing for good. Checked:
 * every notification reaches each of its channels exactly once, or sits in the DLQ with its failure; the
 * redrive command moves DLQ messages back and they are then delivered once; the webhook URL never appears
 * in a log line.
 */
import { createServer, type Server } from 'node:http';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import type { Io } from '../../cli/evaluate-command';
import type { Finding } from '../../shared/model/finding';
import { SqsNotificationOutbox } from '../../shared/notify/outbox';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { createNotifierStack, createQueue as createSqsQueue } from '../helpers/notifier-stack';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { finding } from '../unit/notify/fixtures';

type Handler = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

let moto: Moto;
let slack: FakeSlack;
let proxy: {
  url: string;
  failNext: (n: number) => void;
  close: () => Promise<void>;
  publishes: () => number;
};
let sqs: SQSClient;
let sns: SNSClient;
let handler: Handler;
let resetNotifier: () => void;
let outboxUrl = '';
let dlqUrl = '';
let sinkUrl = '';
const logs: string[] = [];

/** An HTTP proxy in front of moto that answers the next N SNS Publish calls with HTTP 500. */
async function startSnsFaultProxy(target: string): Promise<typeof proxy> {
  let fail = 0;
  let publishes = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isPublish =
        body.toString().includes('Action=Publish') ||
        String(req.headers['x-amz-target'] ?? '').endsWith('.Publish');
      if (isPublish) publishes++;
      if (isPublish && fail > 0) {
        fail--;
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected</Message></Error><RequestId>x</RequestId></ErrorResponse>',
        );
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host') headers[k] = v;
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers,
        body: body.length ? body : undefined,
      })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    failNext: (n) => {
      fail = n;
    },
    publishes: () => publishes,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const createQueue = (name: string, attributes: Record<string, string> = {}) =>
  createSqsQueue(sqs, name, attributes);

const context = (): Context =>
  ({
    functionName: 'ecs-guardrail-test-notifier',
    awsRequestId: `req-${Math.random()}`,
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

function toLambdaRecord(m: Message, queueArn: string): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {}))
    messageAttributes[k] = { stringValue: v.StringValue, dataType: v.DataType ?? 'String' } as never;
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: m.Attributes as unknown as SQSRecord['attributes'],
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/** One SQS event source poll: receive a batch, invoke the handler, delete what did not fail. */
async function pollOnce(): Promise<number> {
  const r = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: outboxUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  const messages = r.Messages ?? [];
  if (!messages.length) return 0;
  const res = await handler(
    { Records: messages.map((m) => toLambdaRecord(m, 'arn:aws:sqs:us-east-1:123456789012:outbox')) },
    context(),
  );
  const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: outboxUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  return messages.length;
}

async function depth(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes!.ApproximateNumberOfMessages) +
    Number(Attributes!.ApproximateNumberOfMessagesNotVisible)
  );
}

/** Run the notifier over the outbox until it is empty (nothing visible, nothing in flight). */
async function drainOutbox(timeoutMs = 45_000): Promise<number> {
  const start = Date.now();
  let polls = 0;
  while (Date.now() - start < timeoutMs) {
    polls++;
    if ((await pollOnce()) === 0 && (await depth(outboxUrl)) === 0) return polls;
  }
  throw new Error(`outbox did not drain in ${timeoutMs} ms (depth ${await depth(outboxUrl)})`);
}

async function receiveAll(url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = (r.Messages ?? []).filter((m) => !out.some((o) => o.MessageId === m.MessageId));
    if (!fresh.length) return out;
    out.push(...fresh);
  }
}

/** Delivered Slack payloads per (webhook path, finding id, kind marker). */
function slackDeliveries(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of slack.received) {
    if (r.status !== 200) continue;
    const text = JSON.stringify(r.body);
    const id = /finding ([0-9a-zf]+) /.exec(text)?.[1] ?? '?';
    const kind = text.includes('Resolved:')
      ? 'resolved'
      : text.includes('Still open')
        ? 'reminder'
        : 'opened';
    const key = `${r.path.includes('/payments/') ? 'payments' : 'default'}|${id}|${kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** SNS deliveries seen by the subscribed sink queue, per (finding id, kind). Consumes the sink. */
async function snsDeliveries(into: Map<string, number>): Promise<Map<string, number>> {
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: sinkUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!r.Messages?.length) return into;
    for (const m of r.Messages) {
      const f = JSON.parse(m.Body!) as { findingId: string };
      const key = `${f.findingId}|${m.MessageAttributes!.kind!.StringValue}`;
      into.set(key, (into.get(key) ?? 0) + 1);
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: sinkUrl,
        Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

const io = (): Io & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    readStdin: () => Buffer.from(''),
    stderrIsTty: false,
    stdoutIsTty: false,
    columns: 120,
  };
};

beforeAll(async () => {
  moto = await startMoto();
  slack = await startFakeSlack();
  proxy = await startSnsFaultProxy(moto.endpoint);
  sqs = new SQSClient(motoClientConfig(moto));
  sns = new SNSClient(motoClientConfig(moto));
  ({ outboxUrl, dlqUrl, sinkUrl } = await createNotifierStack(moto, sqs, slack, proxy.url));
  // Every log line the handler writes (Powertools writes JSON lines to stdout / stderr).
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  ({ handler } = (await import('../../functions/notifier')) as unknown as { handler: Handler });
  ({ resetNotifier } = await import('../../functions/edge/notifier-handler'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  await proxy?.close();
  await slack?.close();
  await moto?.stop();
});

beforeEach(async () => {
  slack.reset();
  proxy.failNext(0);
  resetNotifier();
  await snsDeliveries(new Map()); // empty the sink
});

describe('notifier over the outbox queue (moto), with faults', () => {
  it('Slack 429 then 500, SNS 500s: drains with every notification delivered exactly once per channel', async () => {
    const outbox = new SqsNotificationOutbox({ queueUrl: outboxUrl, client: sqs });
    const team = (f: Finding): Finding => ({ ...f, tags: { 'guardrail:team': 'payments' } });
    const expected: { id: string; kind: string; webhook: 'default' | 'payments' }[] = [];
    for (let i = 0; i < 12; i++) {
      const f = i % 4 === 0 ? team(finding()) : finding({ severity: i % 3 === 0 ? 'critical' : 'medium' });
      await outbox.enqueue(f, { kind: 'opened', dedupeKey: `evt-${i}` });
      expected.push({ id: f.findingId, kind: 'opened', webhook: f.tags ? 'payments' : 'default' });
      if (i % 5 === 0) {
        await outbox.enqueue(f, {
          kind: 'resolved',
          dedupeKey: `resolved:${i}`,
          firstSeen: '2026-11-20T00:00:00Z',
          count: 3,
        });
        expected.push({ id: f.findingId, kind: 'resolved', webhook: f.tags ? 'payments' : 'default' });
      }
    }
    // Exactly what the pipeline's SqsOutbox sends (no kind, no dedupe id): two of them, one sent twice
    // (a retried send after a crash) which must still be delivered once.
    const legacy = finding({ severity: 'high' });
    for (let i = 0; i < 2; i++)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: outboxUrl,
          MessageBody: JSON.stringify(legacy),
          MessageAttributes: {
            findingId: { DataType: 'String', StringValue: legacy.findingId },
            ruleId: { DataType: 'String', StringValue: legacy.ruleId },
            severity: { DataType: 'String', StringValue: legacy.severity },
          },
        }),
      );
    expected.push({ id: legacy.findingId, kind: 'opened', webhook: 'default' });
    // The same logical message queued twice (two invocations raced): delivered once.
    const dup = finding();
    await outbox.enqueue(dup, { kind: 'opened', dedupeKey: 'same' });
    await outbox.enqueue(dup, { kind: 'opened', dedupeKey: 'same' });
    expected.push({ id: dup.findingId, kind: 'opened', webhook: 'default' });

    slack.script(
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 500 },
      { status: 200 },
      { status: 500 },
      { status: 500 },
      { status: 500 }, // three 500s in a row: that message fails this receive and is retried
      { status: 429, headers: { 'retry-after': '1' } },
    );
    proxy.failNext(4);

    await drainOutbox();

    const s = slackDeliveries();
    const sn = await snsDeliveries(new Map());
    for (const e of expected) {
      expect(s.get(`${e.webhook}|${e.id}|${e.kind}`), `Slack ${e.webhook} ${e.id} ${e.kind}`).toBe(1);
      expect(sn.get(`${e.id}|${e.kind}`), `SNS ${e.id} ${e.kind}`).toBe(1);
    }
    expect([...s.values()].reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect([...sn.values()].reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(slack.received.some((r) => r.status === 429)).toBe(true);
    expect(slack.received.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(4);
    expect(proxy.publishes()).toBeGreaterThan(expected.length); // the injected 500s were retried
    expect(await depth(dlqUrl)).toBe(0);
  });

  it('a long Retry-After requeues the message for that long (ChangeMessageVisibility), then delivers once', async () => {
    const outbox = new SqsNotificationOutbox({ queueUrl: outboxUrl, client: sqs });
    const f = finding();
    await outbox.enqueue(f, { kind: 'opened', dedupeKey: 'long-429' });
    slack.script({ status: 429, headers: { 'retry-after': '5' } });
    await drainOutbox();
    const attempts = slack.received.map((r) => ({ status: r.status, at: r.at }));
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    // The queue's visibility timeout is 1 s: only the requeue explains a 5 s gap.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(4500);
    expect(slackDeliveries().get(`default|${f.findingId}|opened`)).toBe(1);
    expect((await snsDeliveries(new Map())).get(`${f.findingId}|opened`)).toBe(1);
  });

  it('after the last try messages sit in the DLQ with their failure; redrive moves them back, delivered once', async () => {
    const outbox = new SqsNotificationOutbox({ queueUrl: outboxUrl, client: sqs });
    const ok = [finding(), finding(), finding()];
    const stuck = [
      finding({ tags: { 'guardrail:team': 'payments' } }),
      finding({ tags: { 'guardrail:team': 'payments' } }),
    ];
    for (const f of [...ok, ...stuck])
      await outbox.enqueue(f, { kind: 'opened', dedupeKey: `dlq-${f.findingId}` });
    slack.always('payments', { status: 500 }); // the payments webhook is down for good

    await drainOutbox();
    const sn = await snsDeliveries(new Map());
    for (const f of [...ok, ...stuck]) expect(sn.get(`${f.findingId}|opened`)).toBe(1);
    for (const f of ok) expect(slackDeliveries().get(`default|${f.findingId}|opened`)).toBe(1);
    for (const f of stuck) expect(slackDeliveries().get(`payments|${f.findingId}|opened`)).toBeUndefined();
    // 3 receives x 3 attempts per receive against the dead webhook.
    expect(slack.received.filter((r) => r.path.includes('/payments/')).length).toBe(stuck.length * 9);

    const dead = await receiveAll(dlqUrl);
    expect(dead.map((m) => (JSON.parse(m.Body!) as Finding).findingId).sort()).toEqual(
      stuck.map((f) => f.findingId).sort(),
    );
    for (const m of dead) {
      const f = JSON.parse(m.Body!) as Finding;
      expect(m.Body).toBe(JSON.stringify(f)); // the original body
      expect(m.MessageAttributes!.findingId!.StringValue).toBe(f.findingId);
      expect(m.MessageAttributes!.kind!.StringValue).toBe('opened');
      expect(m.MessageAttributes!.dedupeId!.StringValue).toMatch(/^[0-9a-f]{40}$/);
      const failure = JSON.parse(m.MessageAttributes!['guardrail.failure']!.StringValue!);
      expect(failure).toEqual({
        error: 'SlackDeliveryError',
        status: 500,
        channels: ['slack:team:payments'],
        receiveCount: 3,
        retryable: true,
        at: expect.any(String),
      });
      expect(JSON.stringify(m)).not.toContain('XXXXSECRET');
    }

    // Fixed: redrive with the documented command, then the notifier delivers them to Slack only.
    slack.always('payments', undefined);
    const listing = io();
    expect(await main(['redrive', '--queue', dlqUrl, '--to', outboxUrl, '--dry-run'], listing)).toBe(0);
    expect(listing.out.join('')).toContain(
      'last error SlackDeliveryError (HTTP 500) on slack:team:payments after 3 receive(s)',
    );
    const moved = io();
    expect(await main(['redrive', '--queue', dlqUrl, '--to', outboxUrl], moved)).toBe(0);
    expect(moved.err.join('')).toContain('moved 2 message(s)');
    expect(await depth(dlqUrl)).toBe(0);

    await drainOutbox();
    for (const f of stuck) expect(slackDeliveries().get(`payments|${f.findingId}|opened`)).toBe(1);
    const again = await snsDeliveries(new Map());
    expect(again.size).toBe(0); // SNS already had them: not published twice
    for (const f of ok) expect(slackDeliveries().get(`default|${f.findingId}|opened`)).toBe(1);
  });

  it('SNS topic missing: dead-lettered at once (not retryable) after Slack got it; redriven once the topic exists', async () => {
    const missing = 'arn:aws:sns:us-east-1:123456789012:created-later';
    process.env.GUARDRAIL_TOPIC_ARN = missing;
    resetNotifier();
    try {
      const outbox = new SqsNotificationOutbox({ queueUrl: outboxUrl, client: sqs });
      const fs = [finding(), finding()];
      for (const f of fs) await outbox.enqueue(f, { kind: 'opened', dedupeKey: 'topic' });
      await drainOutbox();
      const dead = await receiveAll(dlqUrl);
      expect(dead).toHaveLength(2);
      for (const m of dead)
        expect(JSON.parse(m.MessageAttributes!['guardrail.failure']!.StringValue!)).toMatchObject({
          error: 'NotFoundException',
          status: 404,
          channels: ['sns'],
          receiveCount: 1,
          retryable: false,
        });
      for (const f of fs) expect(slackDeliveries().get(`default|${f.findingId}|opened`)).toBe(1);

      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'created-later' }));
      expect(TopicArn).toBe(missing);
      const sink = await createQueue('created-later-sink');
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: sink.arn,
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );
      expect(await main(['redrive', '--queue', dlqUrl, '--to', outboxUrl], io())).toBe(0);
      await drainOutbox();
      const published = await receiveAll(sink.url);
      expect(published.map((m) => (JSON.parse(m.Body!) as Finding).findingId).sort()).toEqual(
        fs.map((f) => f.findingId).sort(),
      );
      for (const f of fs) expect(slackDeliveries().get(`default|${f.findingId}|opened`)).toBe(1);
    } finally {
      process.env.GUARDRAIL_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:guardrail-alerts';
      resetNotifier();
    }
  });

  it('never writes the webhook URL to a log line', () => {
    const lines = logs
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.some((l) => l.includes('"notification delivered"'))).toBe(true);
    expect(lines.some((l) => l.includes('notification failed'))).toBe(true);
    for (const l of lines) {
      expect(l).not.toContain(slack.url);
      expect(l).not.toContain(slack.urlFor('payments'));
      expect(l).not.toContain('XXXXSECRET');
    }
  });
});
