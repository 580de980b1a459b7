/**
 * The notifier Lambda (functions/notifier.ts, the real middy handler) over the outbox queue in moto_server
 * with slow and hostile channels, and a Lambda context whose remaining time really counts down:
 *   - a Slack that answers after 5 s: every finding posted exactly once, nothing dead-lettered untried,
 *     no invocation runs past its timeout;
 *   - a hanging Slack webhook: one request per invocation, the other messages of the batch (other
 *     channels, other webhooks) delivered, the ones behind it returned to the queue untried;
 *   - a hanging SNS Publish: times out, the claim is held, then retried: published once;
 *   - Slack's Retry-After: 86400 (a day, over SQS's 12 h visibility and 15 min delay limits): the message
 *     is re-enqueued with its notBefore, not dead-lettered, and delivered once the (simulated) day is over.
 *   - hostile text through Slack: what reaches the webhook (the JSON) is inert.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { MemoryDeliveryLedger } from '../../shared/notify/ledger';
import { Notifier, OutboxConsumer } from '../../shared/notify/notifier';
import { dedupeIdOf, recordFromMessage, SqsNotificationOutbox } from '../../shared/notify/outbox';
import { silentLogger } from '../../shared/notify/types';
import { StaticSecretSource } from '../../shared/notify/channels/slack/secrets';
import { parsePolicy } from '../../shared/policy/load';
import { hanging, rateLimited, slow, startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { createNotifierStack } from '../helpers/notifier-stack';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { finding } from '../unit/notify/fixtures';

type Handler = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

let moto: Moto;
let slack: FakeSlack;
let snsProxy: { url: string; hangNext(n: number): void; publishes(): number; close(): Promise<void> };
let sqs: SQSClient;
let handler: Handler;
let resetNotifier: () => void;
let outboxUrl = '';
let dlqUrl = '';
let sinkUrl = '';
const logs: string[] = [];
/** Invocations that returned after their Lambda timeout. */
let overruns = 0;

/** A proxy in front of moto that can leave the next N SNS Publish calls unanswered (held open). */
async function startSnsHangProxy(target: string): Promise<typeof snsProxy> {
  let hang = 0;
  let publishes = 0;
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isPublish =
        body.toString().includes('Action=Publish') ||
        String(req.headers['x-amz-target'] ?? '').endsWith('.Publish');
      if (isPublish) publishes++;
      if (isPublish && hang > 0) {
        hang--;
        held.push(res); // never answered, never forwarded: SNS did not publish it
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host') headers[k] = v;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body })
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
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    hangNext: (n) => {
      hang = n;
    },
    publishes: () => publishes,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A Lambda context whose remaining time counts down from `timeoutMs`, like the real one. */
function countdown(timeoutMs: number): Context & { end: number } {
  const end = Date.now() + timeoutMs;
  return {
    functionName: 'ecs-guardrail-test-notifier',
    awsRequestId: `req-${Math.random()}`,
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    end,
  } as unknown as Context & { end: number };
}

function toLambdaRecord(m: Message): SQSRecord {
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
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:outbox',
    awsRegion: 'us-east-1',
  };
}

async function receive(url: string, visibility?: number): Promise<Message[]> {
  const r = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      ...(visibility !== undefined ? { VisibilityTimeout: visibility } : {}),
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return r.Messages ?? [];
}

async function deleteAll(url: string, messages: readonly Message[]): Promise<void> {
  if (messages.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
}

/** One SQS event source poll with a Lambda of `timeoutMs`: receive, invoke, delete what did not fail. */
async function pollOnce(timeoutMs: number): Promise<{ received: number; tookMs: number }> {
  const messages = await receive(outboxUrl);
  if (!messages.length) return { received: 0, tookMs: 0 };
  const ctx = countdown(timeoutMs);
  const started = Date.now();
  const res = await handler({ Records: messages.map(toLambdaRecord) }, ctx);
  if (Date.now() > ctx.end) overruns++;
  const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
  await deleteAll(
    outboxUrl,
    messages.filter((m) => !failed.has(m.MessageId!)),
  );
  return { received: messages.length, tookMs: Date.now() - started };
}

async function depth(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes!.ApproximateNumberOfMessages) +
    Number(Attributes!.ApproximateNumberOfMessagesNotVisible) +
    Number(Attributes!.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

async function drainOutbox(lambdaTimeoutMs: number, budgetMs = 90_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < budgetMs) {
    if ((await pollOnce(lambdaTimeoutMs)).received === 0 && (await depth(outboxUrl)) === 0) return;
  }
  throw new Error(`outbox did not drain in ${budgetMs} ms (depth ${await depth(outboxUrl)})`);
}

const findingIdOf = (body: unknown): string => /finding ([0-9a-zf]+) /.exec(JSON.stringify(body))?.[1] ?? '?';

/** Slack posts (accepted by the webhook) per finding id, for one webhook ('default' or a team). */
function slackPosts(webhook = 'default'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of slack.received) {
    if (r.status < 200 || r.status >= 300) continue;
    const isDefault = r.path.includes('/T000/B000/');
    if (webhook === 'default' ? !isDefault : !r.path.includes(`/${webhook}/`)) continue;
    const id = findingIdOf(r.body);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** SNS deliveries seen by the subscribed sink queue, per finding id (consumes the sink). */
async function snsPublished(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (;;) {
    const ms = await receive(sinkUrl);
    if (!ms.length) return counts;
    for (const m of ms) {
      const id = (JSON.parse(m.Body!) as Finding).findingId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    await deleteAll(sinkUrl, ms);
  }
}

function setEnv(over: Record<string, string>): void {
  Object.assign(process.env, over);
  resetNotifier();
}

beforeAll(async () => {
  moto = await startMoto();
  slack = await startFakeSlack();
  snsProxy = await startSnsHangProxy(moto.endpoint);
  sqs = new SQSClient(motoClientConfig(moto));
  ({ outboxUrl, dlqUrl, sinkUrl } = await createNotifierStack(moto, sqs, slack, snsProxy.url));
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  ({ handler } = (await import('../../functions/notifier')) as unknown as { handler: Handler });
  ({ resetNotifier } = await import('../../functions/edge/notifier-handler'));
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await snsProxy?.close();
  await slack?.close();
  await moto?.stop();
});

beforeEach(async () => {
  slack.reset();
  snsProxy.hangNext(0);
  overruns = 0;
  logs.length = 0;
  setEnv({ GUARDRAIL_SLACK_TIMEOUT_SECONDS: '10', GUARDRAIL_DELIVERY_LEASE_SECONDS: '120' });
  await snsPublished();
});

const enqueue = async (fs: readonly Finding[]): Promise<void> => {
  const outbox = new SqsNotificationOutbox({ queueUrl: outboxUrl, client: sqs });
  for (const f of fs) await outbox.enqueue(f, { kind: 'opened', dedupeKey: `evt-${f.findingId}` });
};

describe('notifier Lambda with slow and hanging channels (moto, counting-down context)', () => {
  it('a Slack answering after 5 s: each finding posted exactly once, nothing dead-lettered untried, no overrun', async () => {
    const fs = [finding(), finding(), finding()];
    await enqueue(fs);
    slack.alwaysDefault(slow(5000));
    // 20 s Lambda, 5 s margin: two 10 s-timeout posts fit (started at 0 s and 5 s), the third does not.
    await drainOutbox(20_000);
    const posts = slackPosts();
    for (const f of fs) expect(posts.get(f.findingId), f.findingId).toBe(1);
    expect(slack.requests).toHaveLength(fs.length); // no re-post, ever
    const sns = await snsPublished();
    for (const f of fs) expect(sns.get(f.findingId)).toBe(1);
    expect(await depth(dlqUrl)).toBe(0);
    expect(overruns).toBe(0);
    // The finding that did not fit was handed back untried, its receive not counted.
    expect(logs.join('')).toContain('"counted":false');
  }, 60_000);

  it('a hanging Slack webhook does not block the rest of the batch; the held post is retried once after the hold', async () => {
    setEnv({ GUARDRAIL_SLACK_TIMEOUT_SECONDS: '2', GUARDRAIL_DELIVERY_LEASE_SECONDS: '3' });
    const stuck = [finding(), finding(), finding()];
    const team = [
      finding({ tags: { 'guardrail:team': 'payments' } }),
      finding({ tags: { 'guardrail:team': 'payments' } }),
    ];
    await enqueue([...stuck, ...team]);
    slack.alwaysDefault(hanging);

    const first = await pollOnce(30_000);
    expect(first.received).toBe(5);
    // One Slack timeout (2 s), not one per message; far inside the 30 s Lambda.
    expect(first.tookMs).toBeLessThan(8_000);
    const defaultRequests = (): number => slack.received.filter((r) => r.path.includes('/T000/B000/')).length;
    expect(defaultRequests()).toBe(1);
    for (const f of team) expect(slackPosts('payments').get(f.findingId)).toBe(1);
    const sns = await snsPublished();
    for (const f of [...stuck, ...team]) expect(sns.get(f.findingId)).toBe(1);
    expect(logs.join('')).toContain('no answer in time');

    slack.alwaysDefault(undefined); // Slack is back
    await drainOutbox(30_000);
    const posts = slackPosts();
    for (const f of stuck) expect(posts.get(f.findingId), f.findingId).toBe(1);
    // At-least-once for the unconfirmed one: one unanswered request, then one post after the hold.
    expect(defaultRequests()).toBe(stuck.length + 1);
    for (const f of team) expect(slackPosts('payments').get(f.findingId)).toBe(1);
    expect((await snsPublished()).size).toBe(0); // SNS had them all: not published again
    expect(await depth(dlqUrl)).toBe(0);
    expect(overruns).toBe(0);
  }, 90_000);

  it('a hanging SNS Publish times out (requestTimeout), the claim is held, then it is published once', async () => {
    setEnv({ GUARDRAIL_DELIVERY_LEASE_SECONDS: '2' });
    const f = finding();
    await enqueue([f]);
    snsProxy.hangNext(1);
    const before = snsProxy.publishes();
    const first = await pollOnce(30_000);
    expect(first.tookMs).toBeLessThan(12_000); // the SDK gave up at its request timeout
    expect(logs.join('')).toMatch(/no answer in time[^\n]*"target":"sns"/);
    await drainOutbox(30_000);
    expect(snsProxy.publishes() - before).toBe(2);
    expect((await snsPublished()).get(f.findingId)).toBe(1);
    expect(slackPosts().get(f.findingId)).toBe(1);
    expect(await depth(dlqUrl)).toBe(0);
    expect(overruns).toBe(0);
  }, 60_000);

  it('hostile text reaches Slack inert: no mention, link, forged line or control character in the JSON', async () => {
    const f = finding({
      resource: {
        type: 'AWS::ECS::Service',
        arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
        name: 'web\n*Action*: none, all clear <!channel>',
      },
      evidence: [
        { path: 'p', message: '<https://evil.example|click> <@U123> https://evil.example \u001b[2J' },
      ],
      region: 'us-east-1.evil.com',
    });
    await enqueue([f]);
    await drainOutbox(30_000);
    expect(slack.delivered).toHaveLength(1);
    const sent = slack.delivered[0] as { text: string; blocks: unknown[]; unfurl_links: boolean };
    const json = JSON.stringify(sent);
    expect(json).not.toMatch(/<[!@#h]/);
    expect(json).not.toContain('\\u001b');
    expect(json).not.toMatch(/\\n\*Action\*: none/);
    expect(json).not.toContain('evil.com/ecs');
    expect(sent.unfurl_links).toBe(false);
    expect(sent.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
  }, 60_000);
});

describe('Retry-After of a day (simulated time, real SQS)', () => {
  it('re-enqueues with notBefore without burning receives, never dead-letters, delivers once after the day', async () => {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: outboxUrl }));
    let clock = Date.parse('2026-12-07T12:00:00Z');
    const now = (): number => clock;
    const ledger = new MemoryDeliveryLedger(120_000, now);
    const notifier = new Notifier({
      policy: parsePolicy('notifications:\n  slack:\n    webhookParameter: /guardrail/slack/default\n'),
      ledger,
      logger: silentLogger,
      slack: { secrets: new StaticSecretSource({ '/guardrail/slack/default': slack.url }) },
      now,
    });
    const consumer = new OutboxConsumer({
      notifier,
      queueUrl: outboxUrl,
      dlqUrl,
      maxReceiveCount: 3,
      sqs,
      logger: silentLogger,
      now,
      maxDelaySeconds: 1, // SQS would hide each hop for 15 min: the test's hops are 1 s
    });
    const poll = async (): Promise<Message[]> => {
      for (let i = 0; i < 5; i++) {
        const got = await receive(outboxUrl, 30);
        if (got.length) {
          const res = await consumer.handle(got.map(recordFromMessage), { deadline: clock + 25_000 });
          const failed = new Set(res.batchItemFailures.map((x) => x.itemIdentifier));
          await deleteAll(
            outboxUrl,
            got.filter((m) => !failed.has(m.MessageId!)),
          );
          return got;
        }
      }
      return [];
    };
    const f = finding();
    await enqueue([f]);
    slack.script(rateLimited(86_400));

    const first = await poll();
    expect(first).toHaveLength(1);
    expect(slack.received.map((r) => r.status)).toEqual([429]);
    // Every hop of the wait: the copy carries notBefore = 429 time + 1 day; the receive is not counted.
    const due = new Date(clock + 86_400_000).toISOString();
    for (const hours of [1, 6, 12, 13, 23]) {
      clock = Date.parse('2026-12-07T12:00:00Z') + hours * 3_600_000;
      const got = await poll();
      expect(got, `after ${hours} h`).toHaveLength(1);
      expect(got[0]!.MessageAttributes!.notBefore!.StringValue).toBe(due);
      expect(got[0]!.MessageAttributes!.priorReceives!.StringValue).toBe('1');
      expect(got[0]!.Attributes!.ApproximateReceiveCount).toBe('1');
      expect(slack.received).toHaveLength(1); // nothing posted early
      expect(await depth(dlqUrl)).toBe(0);
    }
    clock = Date.parse('2026-12-08T12:00:01Z');
    await poll();
    expect(slack.received.map((r) => r.status)).toEqual([429, 200]);
    expect(ledger.deliveredTargets(dedupeIdOf(f.findingId, 'opened', `evt-${f.findingId}`))).toEqual([
      'slack:default',
    ]);
    expect(await depth(outboxUrl)).toBe(0);
    expect(await depth(dlqUrl)).toBe(0);
  }, 60_000);
});
