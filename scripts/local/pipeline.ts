/**
 * The local pipeline (docs/local-pipeline.md): the deployed event flow on one machine, against moto_server.
 *
 *   PutEvents on moto's default bus
 *     -> the real rules (infra/event-patterns.json), one SQS queue per function as the target
 *        (moto cannot invoke a Lambda target: docs/local-pipeline.md, "moto limits")
 *     -> this process polls the queues and invokes the real handlers in-process (functions/*.ts `handler`,
 *        middy + Powertools, as the Lambda runtime would), with AWS_ENDPOINT_URL pointing at moto
 *     -> findings in the state table (DynamoDB in moto), notifications on the outbox queue (SQS in moto).
 *
 * moto limits it works around, and says so: the targets use an InputTransformer with
 * `<aws.events.event.json>` (without one moto drops the envelope's `account`), and moto stamps every event
 * with its own account and region (123456789012, the client's region), so for events this process put, the
 * event's own `account` and `region` are restored before the handler sees it (AWS keeps them).
 *
 * Everything listens on 127.0.0.1 only. The handlers' environment (AWS_ENDPOINT_URL, GUARDRAIL_TABLE, ...)
 * is set on process.env by `start` and restored by `stop`.
 */
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import patterns from '../../infra/event-patterns.json';
import type { Finding, FindingAction } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { startMotoServer, useMotoServer, type MotoServer } from './moto';
import { createStateTable } from './state-table';

export const LOCAL_FUNCTIONS = [
  'ecs-state-change',
  'cloudtrail-api-call',
  'throttling',
  'image-findings',
] as const;
export type LocalFunction = (typeof LOCAL_FUNCTIONS)[number];

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;

/** Static test credentials: moto attributes them to account 123456789012. */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const PUT_BATCH = 10; // PutEvents takes at most 10 entries

export interface LocalPipelineOptions {
  /** Use this moto_server (loopback only) instead of starting one. */
  readonly endpoint?: string;
  /** Default: guardrail.policy.yml in the working directory. */
  readonly policyFile?: string;
  /** Enrichment (reads ECS/EC2 in moto for facts an event lacks). Default off. */
  readonly enrich?: boolean;
  /** Region of the bus, the table and the queues (default us-east-1). */
  readonly region?: string;
  readonly tableName?: string;
  /** Receives what the handlers write (Powertools JSON logs, EMF metrics); default: dropped. */
  readonly handlerOutput?: (text: string) => void;
}

export interface InputEvent {
  readonly label: string;
  readonly value: unknown;
}

export interface PutOutcome {
  readonly label: string;
  readonly eventId?: string;
  readonly detailType?: string;
  readonly error?: string;
}

export interface Delivery {
  readonly function: LocalFunction;
  readonly eventId: string;
  /** The input it came from (undefined: put by another client). */
  readonly label?: string;
  readonly detailType: string;
  readonly eventName?: string;
  readonly ms: number;
  readonly summary?: PipelineSummary;
  /** The handler threw (deployed: retried by Lambda, then the on-failure queue). */
  readonly error?: { readonly name: string; readonly message: string };
  /** The event's own account/region were put back in place of moto's. */
  readonly restored: boolean;
}

export interface StoredFinding {
  readonly findingId: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly status: string;
  readonly count: number;
  readonly resourceArn: string;
  readonly account: string;
  readonly region: string;
  readonly action?: FindingAction;
  readonly lastNotifiedAt?: string;
}

interface Put {
  readonly label: string;
  readonly account?: string;
  readonly region?: string;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

function context(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An EventBridge event (what a fixture holds) as a PutEvents entry, or why it cannot be one. */
export function toEntry(value: unknown): PutEventsRequestEntry | string {
  if (!isRecord(value)) return 'not an EventBridge event (a JSON object with source, detail-type, detail)';
  const source = value.source;
  const detailType = value['detail-type'];
  const detail = value.detail;
  if (typeof source !== 'string' || typeof detailType !== 'string' || !isRecord(detail))
    return 'not an EventBridge event (needs source, detail-type and an object detail)';
  const time = typeof value.time === 'string' ? new Date(value.time) : undefined;
  const resources = Array.isArray(value.resources)
    ? value.resources.filter((r): r is string => typeof r === 'string')
    : undefined;
  return {
    Source: source,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    ...(time && !Number.isNaN(time.getTime()) ? { Time: time } : {}),
    ...(resources?.length ? { Resources: resources } : {}),
  };
}

export class LocalPipeline {
  private readonly queues = new Map<LocalFunction, string>();
  private readonly handlers = new Map<LocalFunction, Handler>();
  private readonly puts = new Map<string, Put>();
  private readonly delivered = new Set<string>();
  private savedEnv: Record<string, string | undefined> = {};

  private constructor(
    readonly moto: MotoServer,
    readonly region: string,
    readonly tableName: string,
    readonly outboxUrl: string,
    private readonly events: EventBridgeClient,
    private readonly sqs: SQSClient,
    private readonly docs: DynamoDBDocumentClient,
    private readonly options: LocalPipelineOptions,
  ) {}

  get endpoint(): string {
    return this.moto.endpoint;
  }

  /** The queue that stands in for a function's Lambda target. */
  queueOf(fn: LocalFunction): string {
    return this.queues.get(fn)!;
  }

  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const moto = options.endpoint ? await useMotoServer(options.endpoint) : await startMotoServer();
    try {
      const region = options.region ?? 'us-east-1';
      const tableName = options.tableName ?? 'ecs-guardrail-local';
      const config = { endpoint: moto.endpoint, region, credentials: CREDENTIALS, maxAttempts: 1 };
      const ddb = new DynamoDBClient(config);
      const sqs = new SQSClient(config);
      await createStateTable(ddb, tableName);
      const outboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ecs-guardrail-local-outbox' })))
        .QueueUrl!;
      const p = new LocalPipeline(
        moto,
        region,
        tableName,
        outboxUrl,
        new EventBridgeClient(config),
        sqs,
        DynamoDBDocumentClient.from(ddb),
        options,
      );
      await p.createRules();
      p.setEnvironment();
      await p.loadHandlers();
      return p;
    } catch (err) {
      await moto.stop();
      throw err;
    }
  }

  /** One rule per function on the default bus: the deployed pattern, an SQS queue as the target. */
  private async createRules(): Promise<void> {
    for (const fn of LOCAL_FUNCTIONS) {
      const url = (await this.sqs.send(new CreateQueueCommand({ QueueName: `ecs-guardrail-local-${fn}` })))
        .QueueUrl!;
      const arn = (
        await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
      ).Attributes!.QueueArn!;
      const rule = `ecs-guardrail-local-${fn}`;
      await this.events.send(
        new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify(patterns[fn]), State: 'ENABLED' }),
      );
      await this.events.send(
        new PutTargetsCommand({
          Rule: rule,
          Targets: [
            {
              Id: fn,
              Arn: arn,
              // The whole event, envelope included: moto's default payload lacks `account`.
              InputTransformer: { InputPathsMap: {}, InputTemplate: '<aws.events.event.json>' },
            },
          ],
        }),
      );
      this.queues.set(fn, url);
    }
  }

  private setEnvironment(): void {
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: this.moto.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_MAX_ATTEMPTS: '1',
      GUARDRAIL_TABLE: this.tableName,
      GUARDRAIL_OUTBOX_QUEUE_URL: this.outboxUrl,
      GUARDRAIL_POLICY_FILE: resolve(this.options.policyFile ?? 'guardrail.policy.yml'),
      GUARDRAIL_ENRICH: this.options.enrich ? 'true' : 'false',
      POWERTOOLS_SERVICE_NAME: 'ecs-guardrail',
      POWERTOOLS_METRICS_NAMESPACE: 'EcsGuardrail',
    };
    for (const [k, v] of Object.entries(env)) {
      this.savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
    // Credentials from a profile or a session would reach moto as another account: none of those.
    for (const k of ['AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      this.savedEnv[k] = process.env[k];
      delete process.env[k];
    }
  }

  private async loadHandlers(): Promise<void> {
    this.handlers.set(
      'ecs-state-change',
      (await import('../../functions/ecs-state-change')).handler as unknown as Handler,
    );
    this.handlers.set(
      'cloudtrail-api-call',
      (await import('../../functions/cloudtrail-api-call')).handler as unknown as Handler,
    );
    this.handlers.set(
      'throttling',
      (await import('../../functions/throttling')).handler as unknown as Handler,
    );
    this.handlers.set(
      'image-findings',
      (await import('../../functions/image-findings')).handler as unknown as Handler,
    );
  }

  /** PutEvents on the default bus (10 per call). Inputs that are not events are reported, not put. */
  async put(inputs: readonly InputEvent[]): Promise<PutOutcome[]> {
    const out: PutOutcome[] = [];
    let batch: { input: InputEvent; entry: PutEventsRequestEntry }[] = [];
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      const res = await this.events.send(new PutEventsCommand({ Entries: batch.map((b) => b.entry) }));
      batch.forEach((b, i) => {
        const r = res.Entries?.[i];
        const detailType = b.entry.DetailType!;
        if (r?.EventId) {
          const v = b.input.value as Record<string, unknown>;
          this.puts.set(r.EventId, {
            label: b.input.label,
            ...(typeof v.account === 'string' ? { account: v.account } : {}),
            ...(typeof v.region === 'string' ? { region: v.region } : {}),
          });
          out.push({ label: b.input.label, eventId: r.EventId, detailType });
        } else {
          out.push({
            label: b.input.label,
            detailType,
            error: `PutEvents: ${r?.ErrorCode ?? 'failed'} ${r?.ErrorMessage ?? ''}`.trim(),
          });
        }
      });
      batch = [];
    };
    for (const input of inputs) {
      const entry = toEntry(input.value);
      if (typeof entry === 'string') {
        out.push({ label: input.label, error: entry });
        continue;
      }
      batch.push({ input, entry });
      if (batch.length === PUT_BATCH) await flush();
    }
    await flush();
    return out;
  }

  /** One receive on every function queue; each message is given to its handler, then deleted. */
  async pollOnce(waitSeconds = 0): Promise<Delivery[]> {
    const received = await Promise.all(
      LOCAL_FUNCTIONS.map(async (fn) => {
        const res = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueOf(fn),
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: waitSeconds,
            VisibilityTimeout: 60,
          }),
        );
        return (res.Messages ?? []).map((m) => ({ fn, m }));
      }),
    );
    const out: Delivery[] = [];
    for (const { fn, m } of received.flat()) {
      out.push(await this.invoke(fn, m.Body ?? ''));
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.queueOf(fn), ReceiptHandle: m.ReceiptHandle! }),
      );
    }
    return out;
  }

  /**
   * Poll until every queue is empty twice in a row (moto delivers during PutEvents, so nothing is still on
   * its way once PutEvents has returned) or the deadline passes.
   */
  async drain(deadline: number, onDelivery?: (d: Delivery) => void): Promise<Delivery[]> {
    const all: Delivery[] = [];
    let empty = 0;
    while (empty < 2 && Date.now() < deadline) {
      const got = await this.pollOnce(0);
      for (const d of got) onDelivery?.(d);
      all.push(...got);
      empty = got.length ? 0 : empty + 1;
    }
    return all;
  }

  /** Events put by this process that no rule routed (call after `drain`). */
  unrouted(): { eventId: string; label: string }[] {
    return [...this.puts.entries()]
      .filter(([id]) => !this.delivered.has(id))
      .map(([eventId, p]) => ({ eventId, label: p.label }));
  }

  private async invoke(fn: LocalFunction, body: string): Promise<Delivery> {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {
        function: fn,
        eventId: '?',
        detailType: '?',
        ms: 0,
        restored: false,
        error: { name: 'InvalidDelivery', message: 'the queue message is not JSON' },
      };
    }
    const eventId = String(event.id ?? '?');
    this.delivered.add(eventId);
    const put = this.puts.get(eventId);
    let restored = false;
    if (put) {
      // moto stamps its own account and region; AWS keeps the event's.
      if (put.account !== undefined && put.account !== event.account) {
        event.account = put.account;
        restored = true;
      }
      if (put.region !== undefined && put.region !== event.region) {
        event.region = put.region;
        restored = true;
      }
    }
    delete event['ingestion-time']; // moto-only field
    const detail = isRecord(event.detail) ? event.detail : {};
    const base = {
      function: fn,
      eventId,
      ...(put ? { label: put.label } : {}),
      detailType: String(event['detail-type'] ?? '?'),
      ...(typeof detail.eventName === 'string' ? { eventName: detail.eventName } : {}),
      restored,
    };
    const started = performance.now();
    const restore = this.captureHandlerOutput();
    try {
      const summary = await this.handlers.get(fn)!(event, context(fn));
      return { ...base, ms: performance.now() - started, summary };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { ...base, ms: performance.now() - started, error: { name: e.name, message: e.message } };
    } finally {
      restore();
    }
  }

  /** The handlers log JSON to stdout (Powertools): route it to `handlerOutput`, or drop it. */
  private captureHandlerOutput(): () => void {
    const out = process.stdout.write;
    const err = process.stderr.write;
    const sink = this.options.handlerOutput;
    const grab = ((chunk: unknown): boolean => {
      sink?.(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = grab;
    process.stderr.write = grab;
    return () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
  }

  /** The finding items of the state table. */
  async findings(): Promise<StoredFinding[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.docs.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': 'FINDING#' },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items
      .map((i) => ({
        findingId: String(i.findingId),
        ruleId: String(i.ruleId),
        severity: String(i.severity),
        status: String(i.status),
        count: Number(i.count),
        resourceArn: String(i.resourceArn),
        account: String(i.account),
        region: String(i.region),
        ...(i.action ? { action: i.action as FindingAction } : {}),
        ...(typeof i.lastNotifiedAt === 'string' ? { lastNotifiedAt: i.lastNotifiedAt } : {}),
      }))
      .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.resourceArn.localeCompare(b.resourceArn));
  }

  /** The notifications on the outbox queue, received and deleted (what the notifier would consume). */
  async takeNotifications(): Promise<Finding[]> {
    const all: Finding[] = [];
    for (;;) {
      const res = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.outboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const batch = res.Messages ?? [];
      if (!batch.length)
        return all.sort(
          (a, b) => a.ruleId.localeCompare(b.ruleId) || a.resource.arn.localeCompare(b.resource.arn),
        );
      for (const m of batch) {
        all.push(JSON.parse(m.Body ?? '{}') as Finding);
        await this.sqs.send(
          new DeleteMessageCommand({ QueueUrl: this.outboxUrl, ReceiptHandle: m.ReceiptHandle! }),
        );
      }
    }
  }

  async stop(): Promise<void> {
    for (const [k, v] of Object.entries(this.savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    this.savedEnv = {};
    for (const c of [this.events, this.sqs, this.docs]) c.destroy();
    await this.moto.stop();
  }
}
