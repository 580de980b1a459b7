/**
 * Notifier benchmark (issue 4): delivery latency from the outbox queue to Slack, and messages per second,
 * locally: moto_server (SQS outbox + DLQ, SNS topic with an SQS subscription, DynamoDB delivery records,
 * SSM SecureString webhook) -> the notifier (OutboxConsumer + Notifier, the code the Lambda runs) -> the
 * fake Slack server. Run through `node scripts/bench-notifier.mjs` (bundled with esbuild, plain node, never
 * as a timed test).
 *
 *   latency      one message at a time: SendMessage to the outbox -> Slack received it, while a poller
 *                (standing in for the Lambda SQS event source: ReceiveMessage long poll, batch of 10,
 *                invoke, DeleteMessageBatch) runs; p50/p95/p99/max
 *   throughput   K pollers (Lambda concurrency) deliver N messages, each to SNS and Slack with its delivery
 *                records in DynamoDB: messages/s, with a backlog (N <= 500 waiting before the pollers start)
 *                and sustained (a producer keeps at most 50 messages in flight)
 *   core         Notifier.deliver alone (in-memory delivery records, Slack only): the notifier's own cost
 */
import { createStateTable } from '../shared/store/state-table';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../shared/model/finding';
import { DynamoDbDeliveryLedger, MemoryDeliveryLedger } from '../shared/notify/ledger';
import { Notifier, OutboxConsumer } from '../shared/notify/notifier';
import {
  dedupeIdOf,
  encodeNotification,
  recordFromMessage,
  SqsNotificationOutbox,
} from '../shared/notify/outbox';
import { silentLogger } from '../shared/notify/types';
import { SsmSecretSource, StaticSecretSource } from '../shared/notify/channels/slack/secrets';
import { parsePolicy } from '../shared/policy/load';
import { startFakeSlack } from '../test/helpers/fake-slack';
import { motoClientConfig, startMoto } from '../test/helpers/moto';

interface Args {
  latency: number;
  throughput: number;
  pollers: number[];
  core: number;
  out?: string;
  command?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { latency: 200, throughput: 1000, pollers: [1, 4], core: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--latency') a.latency = Number(v);
    else if (argv[i] === '--throughput') a.throughput = Number(v);
    else if (argv[i] === '--pollers') a.pollers = String(v).split(',').map(Number);
    else if (argv[i] === '--core') a.core = Number(v);
    else if (argv[i] === '--out') a.out = v;
    else if (argv[i] === '--command') a.command = v;
    else continue;
    i++;
  }
  return a;
}

let seq = 0;
function finding(): Finding {
  const n = String(++seq).padStart(32, '0');
  return {
    findingId: n,
    ruleId: 'svc-public-ip',
    severity: 'high',
    title: 'Service assigns public IPs to its tasks',
    resource: {
      type: 'AWS::ECS::Service',
      arn: `arn:aws:ecs:us-east-1:123456789012:service/prod/web-${n}`,
      name: `web-${n}`,
    },
    account: '123456789012',
    region: 'us-east-1',
    evidence: [
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'service "web" assigns a public IP',
      },
    ],
    event: {
      id: `evt-${n}`,
      source: 'aws.ecs',
      detailType: 'AWS API Call via CloudTrail',
      time: '2026-11-22T08:00:00Z',
      eventName: 'UpdateService',
      actor: { arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/jane', type: 'AssumedRole' },
    },
    controls: { securityHub: 'ECS.2' },
    mode: 'notify',
    advice: 'Run tasks in private subnets and reach the internet through a NAT gateway.',
  };
}

const pct = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const moto = await startMoto();
  const slack = await startFakeSlack();
  try {
    const cfg = motoClientConfig(moto);
    const sqs = new SQSClient(cfg);
    const sns = new SNSClient(cfg);
    const ssm = new SSMClient(cfg);
    const ddb = new DynamoDBClient(cfg);
    await createStateTable(ddb, 'state');
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'outbox-dlq' }));
    const { QueueUrl: outboxUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'outbox', Attributes: { VisibilityTimeout: '180' } }),
    );
    const { QueueUrl: sinkUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sink' }));
    const sinkArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: sinkUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: sinkArn }));
    await ssm.send(
      new PutParameterCommand({ Name: '/guardrail/slack/default', Type: 'SecureString', Value: slack.url }),
    );

    const policy = parsePolicy('notifications:\n  slack:\n    webhookParameter: /guardrail/slack/default\n');
    const consumer = new OutboxConsumer({
      notifier: new Notifier({
        policy,
        ledger: new DynamoDbDeliveryLedger({ client: DynamoDBDocumentClient.from(ddb), tableName: 'state' }),
        logger: silentLogger,
        sns: { topicArn: TopicArn!, client: sns },
        slack: { secrets: new SsmSecretSource({ client: ssm }) },
      }),
      queueUrl: outboxUrl!,
      dlqUrl: dlqUrl!,
      sqs,
      logger: silentLogger,
    });

    const handleTimes: number[] = [];
    /** One poller: the SQS event source's loop (long poll, batch, invoke, delete). */
    const poller = (stop: { done: boolean }) =>
      (async () => {
        while (!stop.done) {
          const r = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: outboxUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          );
          const ms = r.Messages ?? [];
          if (!ms.length) continue;
          const t = performance.now();
          const res = await consumer.handle(ms.map(recordFromMessage));
          handleTimes.push(performance.now() - t);
          const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
          const done = ms.filter((m) => !failed.has(m.MessageId!));
          if (done.length)
            await sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: outboxUrl,
                Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
              }),
            );
        }
      })();
    const waitFor = async (cond: () => boolean, timeoutMs = 120_000): Promise<void> => {
      const t = Date.now();
      while (!cond()) {
        if (Date.now() - t > timeoutMs) throw new Error('bench: timed out waiting for deliveries');
        await new Promise((r) => setImmediate(r));
      }
    };

    const outbox = new SqsNotificationOutbox({ queueUrl: outboxUrl!, client: sqs });

    // ---------------------------------------------------------------- latency
    const stop1 = { done: false };
    const p1 = poller(stop1);
    for (let i = 0; i < 20; i++) {
      const before = slack.delivered.length;
      await outbox.enqueue(finding(), { kind: 'opened', dedupeKey: 'warm' });
      await waitFor(() => slack.delivered.length > before);
    }
    handleTimes.length = 0;
    const latencies: number[] = [];
    for (let i = 0; i < args.latency; i++) {
      const before = slack.received.length;
      const t0 = Date.now();
      await outbox.enqueue(finding(), { kind: 'opened', dedupeKey: 'lat' });
      await waitFor(() => slack.received.length > before);
      latencies.push(slack.received[before]!.at - t0);
    }
    stop1.done = true;
    await p1;
    const sortedLat = [...latencies].sort((a, b) => a - b);
    const sortedHandle = [...handleTimes].sort((a, b) => a - b);

    // ---------------------------------------------------------------- throughput
    type Run = {
      mode: 'backlog' | 'sustained';
      pollers: number;
      messages: number;
      seconds: number;
      perSecond: number;
    };
    const throughput: Run[] = [];
    const batchOf = (size: number, key: string) =>
      Array.from({ length: size }, (_, j) => {
        const m = encodeNotification(finding(), { kind: 'opened', dedupeKey: key });
        return { Id: String(j), MessageBody: m.MessageBody, MessageAttributes: m.MessageAttributes };
      });
    for (const mode of ['backlog', 'sustained'] as const)
      for (const k of args.pollers) {
        await sqs.send(new PurgeQueueCommand({ QueueUrl: sinkUrl }));
        // backlog: N messages waiting before the pollers start (moto's ReceiveMessage scans the whole
        // queue, so a deep queue is slow); sustained: a producer keeps at most 50 messages in flight.
        const n = mode === 'backlog' ? Math.min(args.throughput, 500) : args.throughput;
        const before = slack.delivered.length;
        if (mode === 'backlog')
          for (let i = 0; i < n; i += 10)
            await sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: outboxUrl,
                Entries: batchOf(Math.min(10, n - i), `b${k}`),
              }),
            );
        const stop = { done: false };
        const t0 = performance.now();
        const ps = Array.from({ length: k }, () => poller(stop));
        if (mode === 'sustained')
          for (let sent = 0; sent < n;) {
            if (sent - (slack.delivered.length - before) >= 50) {
              await new Promise((r) => setTimeout(r, 1));
              continue;
            }
            const size = Math.min(10, n - sent);
            await sqs.send(
              new SendMessageBatchCommand({ QueueUrl: outboxUrl, Entries: batchOf(size, `s${k}`) }),
            );
            sent += size;
          }
        await waitFor(() => slack.delivered.length >= before + n, 900_000);
        const seconds = (performance.now() - t0) / 1000;
        stop.done = true;
        await Promise.all(ps);
        throughput.push({
          mode,
          pollers: k,
          messages: n,
          seconds: round(seconds, 2),
          perSecond: round(n / seconds),
        });
      }

    // ---------------------------------------------------------------- what moto costs per call
    const perCall = async (n: number, fn: (i: number) => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      for (let i = 0; i < n; i++) await fn(i);
      return round((performance.now() - t) / n);
    };
    const documents = DynamoDBDocumentClient.from(ddb);
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const body = JSON.stringify(finding());
    await sqs.send(new PurgeQueueCommand({ QueueUrl: sinkUrl }));
    const motoMs = {
      snsPublish: await perCall(50, () => sns.send(new PublishCommand({ TopicArn, Message: body }))),
      dynamodbConditionalPut: await perCall(50, (i) =>
        documents.send(
          new PutCommand({
            TableName: 'state',
            Item: { pk: `CAL#${i}`, sk: 'x' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),
      sqsReceiveEmptyQueue: await perCall(20, () =>
        sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 })),
      ),
      slackPostLocal: await perCall(50, () =>
        fetch(slack.url, { method: 'POST', body: '{}' }).then((r) => r.text()),
      ),
    };

    // ---------------------------------------------------------------- core (no AWS)
    const core = new Notifier({
      policy,
      ledger: new MemoryDeliveryLedger(),
      logger: silentLogger,
      slack: { secrets: new StaticSecretSource({ '/guardrail/slack/default': slack.url }) },
    });
    const coreN = args.core;
    const batches = Array.from({ length: Math.ceil(coreN / 10) }, () =>
      Array.from({ length: 10 }, () => {
        const f = finding();
        return { finding: f, kind: 'opened' as const, dedupeId: dedupeIdOf(f.findingId, 'opened', 'core') };
      }),
    );
    const tc = performance.now();
    for (const b of batches) await core.deliver(b);
    const coreSeconds = (performance.now() - tc) / 1000;

    const result = {
      date: new Date().toISOString(),
      command: args.command ?? 'node scripts/bench-notifier.mjs',
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cpus: os.cpus().length,
        memoryGb: round(os.totalmem() / 2 ** 30),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
      },
      latencyMs: {
        samples: latencies.length,
        p50: pct(sortedLat, 50),
        p95: pct(sortedLat, 95),
        p99: pct(sortedLat, 99),
        max: sortedLat.at(-1) ?? NaN,
        handleP50: round(pct(sortedHandle, 50)),
        handleP95: round(pct(sortedHandle, 95)),
      },
      throughput,
      motoMsPerCall: motoMs,
      core: {
        messages: batches.length * 10,
        seconds: round(coreSeconds, 2),
        perSecond: round((batches.length * 10) / coreSeconds),
      },
    };
    console.log(
      `\nNotifier benchmark (${result.date}, ${result.machine.cpu} x${result.machine.cpus}, node ${process.version})`,
    );
    console.log(
      `latency queue -> Slack (ms, n=${latencies.length}): p50 ${result.latencyMs.p50}  p95 ${result.latencyMs.p95}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`,
    );
    console.log(
      `  of which the notifier's handle() per batch (ms): p50 ${result.latencyMs.handleP50}  p95 ${result.latencyMs.handleP95}`,
    );
    for (const t of throughput)
      console.log(
        `throughput ${t.mode}, ${t.pollers} poller(s): ${t.messages} messages in ${t.seconds} s = ${t.perSecond} msg/s (SNS + Slack + DynamoDB records, moto)`,
      );
    console.log(
      `moto per call (ms): SNS Publish ${motoMs.snsPublish}, DynamoDB conditional Put ${motoMs.dynamodbConditionalPut}, SQS Receive (empty) ${motoMs.sqsReceiveEmptyQueue}; local Slack POST ${motoMs.slackPostLocal}`,
    );
    console.log(`core Notifier.deliver (memory records, Slack only): ${result.core.perSecond} msg/s`);
    if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await slack.close();
    await moto.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
