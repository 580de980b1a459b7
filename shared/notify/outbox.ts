/**
 * The outbox message format, both ways.
 *
 * Body: the finding JSON. Message attributes (SQS allows 10; at most 9 are used):
 *   findingId, ruleId, severity   set by every producer (the pipeline's SqsOutbox sets only these)
 *   kind                          opened (default when absent) | reminder | resolved
 *   dedupeId                      stable per logical message; absent: derived from (findingId, kind,
 *                                 event id, aggregate count), which is stable for a retried send too
 *   firstSeen, count              lifecycle facts for reminders and resolved messages
 *   resolvedReason                resolved messages: why (event shows the fix, remediation, sweep)
 *   guardrail.failure             only on a dead-lettered message: the last error (FailureRecord JSON)
 *
 * SqsNotificationOutbox is the producer side for every kind: the outbox seam (shared/lifecycle/outbox.ts)
 * on SQS (`send(finding, {dedupeKey})` queues an `opened` message).
 */
import { createHash } from 'node:crypto';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { EnqueueMeta, Outbox, OutboxMeta } from '../lifecycle/outbox';
import { MODES, SEVERITIES, type Finding } from '../model/finding';
import { notifyClientConfig } from './clients';
import {
  NOTIFICATION_KINDS,
  OUTBOX_ATTRIBUTES as A,
  type FailureRecord,
  type Notification,
  type NotificationKind,
} from './types';
import { GuardrailError } from '../base/errors';

/** The parts of a Lambda SQS record (aws-lambda SQSRecord) the notifier reads. */
export interface OutboxRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount?: string; readonly SentTimestamp?: string };
  readonly messageAttributes: Readonly<
    Record<
      string,
      {
        readonly stringValue?: string | undefined;
        readonly binaryValue?: string | undefined;
        readonly dataType: string;
      }
    >
  >;
}

export class InvalidNotificationError extends GuardrailError {
  override readonly name = 'InvalidNotificationError';
}

export function dedupeIdOf(findingId: string, kind: NotificationKind, key: string): string {
  return createHash('sha256')
    .update(findingId)
    .update('\n')
    .update(kind)
    .update('\n')
    .update(key)
    .digest('hex')
    .slice(0, 40);
}

/** The dedupe id of a message that carries none: the same (finding, event) always gives the same id. */
export function derivedDedupeId(finding: Finding, kind: NotificationKind): string {
  const aggregate = finding.aggregate ? `#${finding.aggregate.windowStart}#${finding.aggregate.count}` : '';
  return dedupeIdOf(finding.findingId, kind, `event:${finding.event.id}${aggregate}`);
}

const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** Enough of the Finding contract to build every message; anything else is a poisoned message. */
export function asFinding(x: unknown): Finding {
  const f = x as Record<string, unknown> | null;
  const bad = (what: string): never => {
    throw new InvalidNotificationError(`message body is not a finding: ${what}`);
  };
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return bad('not a JSON object');
  for (const k of ['findingId', 'ruleId', 'title', 'account', 'region'] as const)
    if (!isStr(f[k])) bad(`${k} missing`);
  if (!SEVERITIES.includes(f.severity as never)) bad('severity invalid');
  if (!MODES.includes(f.mode as never)) bad('mode invalid');
  const r = f.resource as Record<string, unknown> | undefined;
  if (!r || !isStr(r.type) || !isStr(r.arn)) bad('resource missing');
  const e = f.event as Record<string, unknown> | undefined;
  if (!e || !isStr(e.id) || !isStr(e.time)) bad('event missing');
  if (!Array.isArray(f.evidence)) bad('evidence missing');
  if (typeof f.controls !== 'object' || f.controls === null) bad('controls missing');
  return f as unknown as Finding;
}

function attr(record: OutboxRecord, name: string): string | undefined {
  const a = record.messageAttributes[name];
  return a?.stringValue;
}

/** An outbox record as a notification; throws InvalidNotificationError for a poisoned message. */
export function decodeRecord(record: OutboxRecord): Notification {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidNotificationError('message body is not JSON');
  }
  const finding = asFinding(body);
  const kindAttr = attr(record, A.kind) ?? 'opened';
  if (!NOTIFICATION_KINDS.includes(kindAttr as never))
    throw new InvalidNotificationError(
      `message attribute kind must be one of ${NOTIFICATION_KINDS.join(', ')}`,
    );
  const kind = kindAttr as NotificationKind;
  const dedupeId = attr(record, A.dedupeId) ?? derivedDedupeId(finding, kind);
  const firstSeen = attr(record, A.firstSeen);
  const resolvedReason = attr(record, A.resolvedReason);
  const count = Number(attr(record, A.count));
  return {
    finding,
    kind,
    dedupeId,
    ...(firstSeen ? { firstSeen } : {}),
    ...(Number.isInteger(count) && count > 0 ? { count } : {}),
    ...(resolvedReason ? { resolvedReason } : {}),
  };
}

/** What the notifier carried in a message it re-enqueued (none on a message from a producer). */
export interface RetryState {
  /** Epoch ms before which the message is not delivered (Slack's Retry-After, an unconfirmed hold). */
  readonly notBefore?: number;
  /** Receives of earlier copies that counted towards the DLQ. */
  readonly priorReceives: number;
}

export function retryStateOf(record: OutboxRecord): RetryState {
  const notBefore = Date.parse(attr(record, A.notBefore) ?? '');
  const prior = Number(attr(record, A.priorReceives));
  return {
    ...(Number.isFinite(notBefore) ? { notBefore } : {}),
    priorReceives: Number.isInteger(prior) && prior > 0 ? prior : 0,
  };
}

/** The failure a dead-lettered message carries, when it has one. */
export function failureOf(record: OutboxRecord): FailureRecord | undefined {
  const raw = attr(record, A.failure);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as FailureRecord;
  } catch {
    return undefined;
  }
}

const str = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });

/** The SendMessage body and attributes of a notification. */
export function encodeNotification(
  finding: Finding,
  meta: EnqueueMeta,
): { MessageBody: string; MessageAttributes: Record<string, MessageAttributeValue>; dedupeId: string } {
  const dedupeId = dedupeIdOf(finding.findingId, meta.kind, meta.dedupeKey);
  return {
    dedupeId,
    MessageBody: JSON.stringify(finding),
    MessageAttributes: {
      [A.findingId]: str(finding.findingId),
      [A.ruleId]: str(finding.ruleId),
      [A.severity]: str(finding.severity),
      [A.kind]: str(meta.kind),
      [A.dedupeId]: str(dedupeId),
      ...(meta.firstSeen ? { [A.firstSeen]: str(meta.firstSeen) } : {}),
      ...(meta.count !== undefined
        ? { [A.count]: { DataType: 'Number', StringValue: String(meta.count) } }
        : {}),
      // SQS attribute values are at most 256 KB; a reason is one sentence.
      ...(meta.resolvedReason ? { [A.resolvedReason]: str(meta.resolvedReason.slice(0, 1000)) } : {}),
    },
  };
}

export interface SqsNotificationOutboxOptions {
  readonly queueUrl: string;
  readonly client?: SQSClient;
}

export class SqsNotificationOutbox implements Outbox {
  private readonly queueUrl: string;
  private readonly fifo: boolean;
  private client: Promise<SQSClient> | undefined;

  constructor(options: SqsNotificationOutboxOptions) {
    this.queueUrl = options.queueUrl;
    this.fifo = options.queueUrl.endsWith('.fifo');
    if (options.client) this.client = Promise.resolve(options.client);
  }

  async enqueue(finding: Finding, meta: EnqueueMeta): Promise<void> {
    const { SQSClient: Client, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    this.client ??= Promise.resolve(new Client(notifyClientConfig()));
    const client = await this.client;
    const { dedupeId, ...message } = encodeNotification(finding, meta);
    await client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        ...message,
        ...(this.fifo ? { MessageGroupId: finding.findingId, MessageDeduplicationId: dedupeId } : {}),
      }),
    );
  }

  /** The pipeline's Outbox interface: an `opened` notification keyed by the event's idempotency key. */
  send(finding: Finding, meta: OutboxMeta): Promise<void> {
    return this.enqueue(finding, { kind: 'opened', dedupeKey: meta.dedupeKey });
  }
}

/** An SDK ReceiveMessage message as the Lambda record the notifier takes (tests, benchmarks, redrive). */
export function recordFromMessage(m: {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  Attributes?: Partial<Record<string, string>>;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}): OutboxRecord {
  const messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; dataType: string }> =
    {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {}))
    messageAttributes[k] = {
      dataType: v.DataType ?? 'String',
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
    };
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ...(m.Attributes?.ApproximateReceiveCount
        ? { ApproximateReceiveCount: m.Attributes.ApproximateReceiveCount }
        : {}),
      ...(m.Attributes?.SentTimestamp ? { SentTimestamp: m.Attributes.SentTimestamp } : {}),
    },
    messageAttributes,
  };
}

/** A Lambda record's message attributes in SendMessage form (dead-lettering keeps them all). */
export function attributesForResend(
  record: OutboxRecord,
  drop: readonly string[] = [],
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(record.messageAttributes)) {
    if (drop.includes(k)) continue;
    if (v.stringValue !== undefined) out[k] = { DataType: v.dataType, StringValue: v.stringValue };
    else if (v.binaryValue !== undefined)
      out[k] = { DataType: v.dataType, BinaryValue: Buffer.from(v.binaryValue, 'base64') };
  }
  return out;
}
