/**
 * The notification contract shared by the outbox (producers), the notifier (consumer), the CLI and the
 * finding lifecycle. One notification = one finding + what happened to it (`kind`) + a dedupe id that is
 * the same for every retry, redelivery and redrive of the same message (it keys the per-channel delivery
 * records, so a channel that already has the message never gets it twice).
 */
import type { Finding } from '../model/finding';
import type { MessageKind } from './channels/slack/message';

export const NOTIFICATION_KINDS = ['opened', 'resolved', 'reminder'] as const;
export type NotificationKind = MessageKind;

export interface Notification {
  readonly finding: Finding;
  readonly kind: NotificationKind;
  readonly dedupeId: string;
  /** From the finding store, for reminders and resolved messages. */
  readonly firstSeen?: string;
  readonly count?: number;
  /** Resolved messages: why the finding resolved. */
  readonly resolvedReason?: string;
}

/** The SQS message attributes of an outbox message (the pipeline's SqsOutbox sets the first three). */
export const OUTBOX_ATTRIBUTES = {
  findingId: 'findingId',
  ruleId: 'ruleId',
  severity: 'severity',
  kind: 'kind',
  dedupeId: 'dedupeId',
  firstSeen: 'firstSeen',
  count: 'count',
  resolvedReason: 'resolvedReason',
  /** Set by the notifier on a dead-lettered message: JSON {error, status, channels, receiveCount, at}. */
  failure: 'guardrail.failure',
  /** Set on a message the notifier re-enqueued: not to be delivered before this time (ISO 8601). */
  notBefore: 'notBefore',
  /** Set on a message the notifier re-enqueued: receives that counted towards the DLQ before it. */
  priorReceives: 'priorReceives',
} as const;

/** What the notifier writes into a dead-lettered message (never a secret, never a URL). */
export interface FailureRecord {
  /** Error name of the last failure, e.g. SlackDeliveryError, NotFoundException. */
  readonly error: string;
  /** HTTP status of the last failure, when there was one. */
  readonly status?: number;
  /** Channels (delivery targets) that still lack the message, e.g. ["slack:default", "sns"]. */
  readonly channels: readonly string[];
  readonly receiveCount: number;
  readonly retryable: boolean;
  readonly at: string;
}

/** Where notifications go: one delivery target per channel (and per Slack route). */
export type Target =
  | { readonly key: 'sns'; readonly channel: 'sns' }
  | {
      readonly key: string;
      readonly channel: 'slack';
      /** SSM parameter holding the webhook URL. */
      readonly webhookParameter: string;
      /** The team route (tag value), absent for the default webhook. */
      readonly team?: string;
    }
  | { readonly key: 'securityhub'; readonly channel: 'securityHub' };

/** One channel's failure for one notification. */
export interface DeliveryFailure {
  readonly target: string;
  /** Error name only (e.g. SlackDeliveryError, ThrottlingException). */
  readonly error: string;
  readonly message: string;
  readonly status?: number;
  readonly retryable: boolean;
  /** Wait at least this long before trying again (Slack Retry-After, an unconfirmed delivery's hold). */
  readonly retryAfterMs?: number;
  /**
   * False: not tried in this invocation (deadline near, the webhook rate limited or not answering): the
   * message goes back to the queue without counting as a failed attempt.
   */
  readonly attempted?: boolean;
  /**
   * True: the request was sent but no answer came in time, so the channel may have the message. The
   * delivery claim is kept (not released) until its lease ends; see ledger.ts for the trade-off.
   */
  readonly unconfirmed?: boolean;
}

export interface DeliveryResult {
  readonly notification: Notification;
  /** Targets this call delivered to. */
  readonly delivered: readonly string[];
  /** Targets that already had the message (an earlier attempt delivered it). */
  readonly alreadyDelivered: readonly string[];
  readonly failures: readonly DeliveryFailure[];
}

/** The logger surface the notifier uses (Powertools Logger satisfies it). */
export interface NotifyLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface NotifyMetrics {
  count(name: string, value?: number): void;
  countWith(name: string, dimensions: Record<string, string>, value?: number): void;
  /** A duration in milliseconds. */
  timing?(name: string, ms: number): void;
}

export const noNotifyMetrics: NotifyMetrics = { count: () => undefined, countWith: () => undefined };

export const silentLogger: NotifyLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
