/**
 * Redrive: move dead-lettered notifications back to the outbox, each with its original body and message
 * attributes (the dedupe id included, so channels that already have a message are skipped) and without
 * the `guardrail.failure` attribute. A message is deleted from the DLQ only after the outbox accepted it:
 * a crash mid-way leaves at worst a copy in both queues, which the delivery records make harmless.
 *
 * The SQS-native alternative (no failure report, same effect):
 *   aws sqs start-message-move-task --source-arn <dlq-arn> --destination-arn <outbox-arn>
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { attributesForResend, failureOf, recordFromMessage } from './outbox';
import { OUTBOX_ATTRIBUTES, type FailureRecord } from './types';

export interface RedriveOptions {
  readonly client: SQSClient;
  readonly from: string;
  /** The outbox; not needed to list (dryRun). */
  readonly to?: string;
  /** Stop after this many messages (default: until the DLQ is empty). */
  readonly max?: number;
  /** List what would move, without moving (the listed messages are made visible again at the end). */
  readonly dryRun?: boolean;
  /** Seconds a received message stays hidden while it is moved (default 60). */
  readonly visibility?: number;
  /** Called for each message moved (or listed). */
  readonly onMessage?: (m: RedrivenMessage) => void;
}

export interface RedrivenMessage {
  readonly messageId: string;
  readonly findingId?: string;
  readonly kind?: string;
  readonly failure?: FailureRecord;
}

export interface RedriveResult {
  readonly moved: number;
  readonly listed: number;
  /** Messages that could not be sent to the outbox (they stay in the DLQ). */
  readonly failed: number;
}

export async function redrive(o: RedriveOptions): Promise<RedriveResult> {
  const {
    ReceiveMessageCommand,
    SendMessageBatchCommand,
    DeleteMessageBatchCommand,
    ChangeMessageVisibilityBatchCommand,
  } = await import('@aws-sdk/client-sqs');
  /** Listed (dry-run) messages: hidden while listing so each receive brings new ones, shown again after. */
  const listedHandles: string[] = [];
  const max = o.max ?? Number.POSITIVE_INFINITY;
  const to = o.to;
  if (!o.dryRun && !to) throw new TypeError('redrive: `to` (the outbox) is required unless dryRun');
  const fifo = to?.endsWith('.fifo') ?? false;
  const seen = new Set<string>();
  let moved = 0;
  let listed = 0;
  let failed = 0;
  let emptyPolls = 0;
  while (moved + listed + failed < max && emptyPolls < 2) {
    const res = await o.client.send(
      new ReceiveMessageCommand({
        QueueUrl: o.from,
        MaxNumberOfMessages: Math.min(10, max - moved - listed - failed),
        WaitTimeSeconds: 1,
        VisibilityTimeout: o.visibility ?? 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = (res.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (!messages.length) {
      emptyPolls++;
      continue;
    }
    emptyPolls = 0;
    const describe = (m: Message): RedrivenMessage => {
      const record = recordFromMessage(m);
      const failure = failureOf(record);
      const findingId = record.messageAttributes[OUTBOX_ATTRIBUTES.findingId]?.stringValue;
      const kind = record.messageAttributes[OUTBOX_ATTRIBUTES.kind]?.stringValue;
      return {
        messageId: m.MessageId ?? '',
        ...(findingId ? { findingId } : {}),
        ...(kind ? { kind } : {}),
        ...(failure ? { failure } : {}),
      };
    };
    if (o.dryRun) {
      for (const m of messages) {
        seen.add(m.MessageId ?? '');
        listed++;
        if (m.ReceiptHandle) listedHandles.push(m.ReceiptHandle);
        o.onMessage?.(describe(m));
      }
      continue;
    }
    const entries = messages.map((m, i) => {
      const record = recordFromMessage(m);
      // A redriven message starts afresh: no wait, no receives counted from before the DLQ.
      const attrs = attributesForResend(record, [
        OUTBOX_ATTRIBUTES.failure,
        OUTBOX_ATTRIBUTES.notBefore,
        OUTBOX_ATTRIBUTES.priorReceives,
      ]);
      const findingId = attrs[OUTBOX_ATTRIBUTES.findingId]?.StringValue ?? 'redrive';
      const dedupe = attrs[OUTBOX_ATTRIBUTES.dedupeId]?.StringValue ?? m.MessageId ?? String(i);
      return {
        Id: String(i),
        MessageBody: m.Body ?? '',
        MessageAttributes: attrs,
        ...(fifo ? { MessageGroupId: findingId, MessageDeduplicationId: dedupe.slice(0, 128) } : {}),
      };
    });
    const sent = await o.client.send(new SendMessageBatchCommand({ QueueUrl: to, Entries: entries }));
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = messages
      .map((m, i) => ({ m, i }))
      .filter(({ i }) => ok.has(String(i)))
      .map(({ m, i }) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' }));
    if (toDelete.length)
      await o.client.send(new DeleteMessageBatchCommand({ QueueUrl: o.from, Entries: toDelete }));
    messages.forEach((m, i) => {
      seen.add(m.MessageId ?? '');
      if (ok.has(String(i))) {
        moved++;
        o.onMessage?.(describe(m));
      } else failed++;
    });
  }
  for (let i = 0; i < listedHandles.length; i += 10)
    await o.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: o.from,
        Entries: listedHandles
          .slice(i, i + 10)
          .map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 0 })),
      }),
    );
  return { moved, listed, failed };
}
