/**
 * The outbox seam: where a finding's notifications are queued (the notifier function delivers them to
 * SNS / Slack / Security Hub). The pipeline queues `opened` messages with `send`, the lifecycle reminders
 * and resolved messages with `enqueue`; shared/notify/outbox.ts implements both on SQS. A send resolves
 * once the queue accepted the message; an error fails the event, which is retried.
 */
import type { Finding } from '../model/finding';

/** What happened to the finding: the three messages of its lifecycle. */
export const NOTIFICATION_KINDS = ['opened', 'resolved', 'reminder'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface EnqueueMeta {
  readonly kind: NotificationKind;
  /** Same for every retry of the same logical message (e.g. the event's idempotency key). */
  readonly dedupeKey: string;
  readonly firstSeen?: string;
  readonly count?: number;
  readonly resolvedReason?: string;
}

/** Where the lifecycle queues reminders and resolved messages. */
export interface NotificationOutbox {
  enqueue(finding: Finding, meta: EnqueueMeta): Promise<void>;
}

export interface OutboxMeta {
  /** The event's idempotency key: the same (finding, event) pair always carries the same key. */
  readonly dedupeKey: string;
}

/** The pipeline's outbox: also queues `opened` messages keyed by the event. */
export interface Outbox extends NotificationOutbox {
  send(finding: Finding, meta: OutboxMeta): Promise<void>;
}
