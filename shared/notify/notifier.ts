/**
 * The notifier: delivers notifications to the channels the policy routes them to, once per channel (the
 * delivery ledger, ledger.ts), and consumes the outbox queue in batches with partial batch failure
 * reporting.
 *
 * Notifier.deliver (used by the Lambda and by `guardrail evaluate --notify`):
 *   route -> claim each (dedupeId, target) -> deliver what was claimed -> complete, release, or hold the
 *   claim (sent but unconfirmed: see ledger.ts). SNS publishes run concurrently, Slack posts run one at a
 *   time per webhook, Security Hub imports are batched (at most 100 a call). Nothing starts past the
 *   deadline; what was not tried comes back `attempted: false`.
 *
 * OutboxConsumer.handle (the SQS event source, ReportBatchItemFailures):
 *   - a message before its `notBefore`: re-enqueued for the rest of the wait, its receive not counted;
 *   - every target delivered (or already delivered): success, Lambda deletes the message;
 *   - only untried targets (deadline, rate-limited or hanging webhook): re-enqueued as a copy, the
 *     receive not counted (`priorReceives` carries the receives that did count);
 *   - a retryable failure before the last receive: reported failed with its visibility set to the wait
 *     (Retry-After, hold, or backoff 15 s, 30 s, 60 s, ...); a wait over 15 min goes into a copy's
 *     `notBefore` instead (SQS refuses more than 12 h of visibility);
 *   - the last receive (priorReceives + ApproximateReceiveCount >= maxReceiveCount), a failure retrying
 *     cannot fix, or a poisoned message: the notifier itself sends it to the outbox DLQ with the original
 *     body and attributes plus `guardrail.failure` (last error name and HTTP status, the targets still
 *     missing, the receive count; never a message text, never a secret), then reports success. Should
 *     that send fail, the message is reported failed and the queue's redrive policy moves it to the DLQ.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Policy } from '../policy/types';
import { CHANNELS, type ChannelDeps } from './channels';
import type { ChannelSession, DeliveryItem, Outcome, Target } from './channels/channel';
import { failureFrom } from './channels/delivery';
import { scrub } from './channels/slack/secrets';
import { notifyClientConfig } from './clients';
import type { DeliveryLedger } from './ledger';
import {
  attributesForResend,
  decodeRecord,
  InvalidNotificationError,
  retryStateOf,
  type OutboxRecord,
} from './outbox';
import { notificationsPolicy, route } from './routing';
import {
  noNotifyMetrics,
  OUTBOX_ATTRIBUTES,
  type DeliveryFailure,
  type DeliveryResult,
  type FailureRecord,
  type Notification,
  type NotifyLogger,
  type NotifyMetrics,
} from './types';

/**
 * The notifier's collaborators, plus one optional entry per channel (`sns`, `slack`, `securityHub`: the
 * channel's clients, secrets and options, typed by the channel; ./channels/index.ts). A channel's
 * routing may need its entry (SNS without a topic: no SNS).
 */
export type NotifierDeps = ChannelDeps & {
  readonly policy: Policy;
  readonly ledger: DeliveryLedger;
  readonly logger: NotifyLogger;
  readonly metrics?: NotifyMetrics;
  /** Claims made at once (default 16). */
  readonly concurrency?: number;
  readonly now?: () => number;
};

export interface DeliverOptions {
  /** Epoch ms after which no new delivery starts (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
}

/** The ledger's default lease (ledger.ts is not imported here: it loads lib-dynamodb). */
const HOLD_FALLBACK_MS = 120_000;
/** When another copy holds a claim, look again this much later. */
const BUSY_RETRY_MS = 30_000;

interface Work extends DeliveryItem {
  readonly index: number;
}

/** Run `fn` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class Notifier {
  private readonly deps: NotifierDeps;
  private readonly metrics: NotifyMetrics;
  private readonly now: () => number;
  /** Each channel opened once (clients and caches live as long as the notifier). */
  private readonly sessions: ReadonlyMap<string, ChannelSession>;

  constructor(deps: NotifierDeps) {
    this.deps = deps;
    this.metrics = deps.metrics ?? noNotifyMetrics;
    this.now = deps.now ?? Date.now;
    this.sessions = new Map(CHANNELS.map((c) => [c.name, c.open(this.channelDeps(c.name))]));
  }

  private channelDeps(name: string): unknown {
    return (this.deps as Readonly<Record<string, unknown>>)[name];
  }

  /** The targets a notification goes to under the policy and the configured channels. */
  targetsOf(n: Notification): Target[] {
    return route(n.finding, notificationsPolicy(this.deps.policy), this.deps);
  }

  /** Secrets currently known (webhook URLs): scrub them from anything logged. */
  knownSecrets(): readonly string[] {
    return [...this.sessions.values()].flatMap((s) => s.knownSecrets?.() ?? []);
  }

  async deliver(
    notifications: readonly Notification[],
    opts: DeliverOptions = {},
  ): Promise<DeliveryResult[]> {
    const { ledger, logger } = this.deps;
    const results = notifications.map((notification) => ({
      notification,
      delivered: [] as string[],
      alreadyDelivered: [] as string[],
      failures: [] as DeliveryFailure[],
    }));

    // 1. Claim every (message, target); skip what an earlier attempt delivered.
    const wanted: Work[] = notifications.flatMap((n, index) =>
      this.targetsOf(n).map((target) => ({ index, n, target })),
    );
    const claimed: Work[] = [];
    await pool(wanted, this.deps.concurrency ?? 16, async (w) => {
      const r = results[w.index]!;
      try {
        const c = await ledger.claim(r.notification.dedupeId, w.target.key);
        if (c === 'claimed') claimed.push(w);
        else if (c === 'delivered') r.alreadyDelivered.push(w.target.key);
        else
          // Another copy holds the claim (in flight, or unconfirmed and held): try after it, uncounted.
          r.failures.push({
            target: w.target.key,
            error: 'DeliveryInProgress',
            message: 'another delivery of this message to this target is in progress',
            retryable: true,
            attempted: false,
            retryAfterMs: BUSY_RETRY_MS,
          });
      } catch (err) {
        r.failures.push(failureFrom(w.target.key, err));
      }
    });

    // 2. Deliver, channel by channel (concurrently across channels).
    const done = async (w: Work, failure: DeliveryFailure | undefined): Promise<void> => {
      const r = results[w.index]!;
      const id = r.notification.dedupeId;
      if (!failure) {
        r.delivered.push(w.target.key);
        this.metrics.countWith('NotificationsDelivered', { channel: w.target.channel });
        try {
          await ledger.complete(id, w.target.key);
        } catch (err) {
          // Delivered but not recorded: a redelivery after the claim's lease could deliver it again.
          logger.warn('delivered, but the delivery record could not be written', {
            target: w.target.key,
            dedupeId: id,
            errorType: (err as Error).name,
          });
        }
        return;
      }
      // Sent but unanswered on a channel without idempotency: keep the claim (see ledger.ts).
      if (failure.unconfirmed && !CHANNELS.find((c) => c.name === w.target.channel)?.idempotent) {
        this.metrics.countWith('NotificationsUnconfirmed', { channel: w.target.channel });
        logger.warn('no answer in time: the channel may have the message; it is held, then tried again', {
          target: w.target.key,
          dedupeId: id,
          errorType: failure.error,
        });
        let holdMs: number;
        try {
          holdMs = await ledger.hold(id, w.target.key);
        } catch (err) {
          // The claim still expires with its lease: wait that long anyway.
          holdMs = HOLD_FALLBACK_MS;
          logger.warn('could not extend the delivery claim', {
            target: w.target.key,
            dedupeId: id,
            errorType: (err as Error).name,
          });
        }
        r.failures.push({ ...failure, retryAfterMs: Math.max(failure.retryAfterMs ?? 0, holdMs) });
        return;
      }
      r.failures.push(failure);
      if (failure.attempted !== false)
        this.metrics.countWith('NotificationFailures', { channel: w.target.channel, error: failure.error });
      try {
        await ledger.release(id, w.target.key);
      } catch (err) {
        logger.warn('could not release a delivery claim (it expires with its lease)', {
          target: w.target.key,
          dedupeId: id,
          errorType: (err as Error).name,
        });
      }
    };

    await Promise.all(
      CHANNELS.map(async (c) => {
        const work = claimed.filter((w) => w.target.channel === c.name);
        if (!work.length) return;
        await this.sessions.get(c.name)!.deliver(work, {
          ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
          now: this.now,
          done: (item, outcome: Outcome) => done(item as Work, outcome),
        });
      }),
    );
    // Report in routing order, whatever order the channels finished in.
    const order = new Map(
      wanted.map((w) => [w.target.key, CHANNELS.findIndex((c) => c.name === w.target.channel)]),
    );
    const rank = (k: string): number => order.get(k) ?? 9;
    for (const r of results) {
      r.delivered.sort((a, b) => rank(a) - rank(b));
      r.alreadyDelivered.sort((a, b) => rank(a) - rank(b));
      r.failures.sort((a, b) => rank(a.target) - rank(b.target));
    }
    return results;
  }
}

// ------------------------------------------------------------------ the outbox consumer

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface OutboxConsumerOptions {
  readonly notifier: Notifier;
  /** The outbox queue (ChangeMessageVisibility of a message to retry later). */
  readonly queueUrl: string;
  /** The outbox DLQ: where the notifier itself dead-letters, with the failure. Absent: redrive policy only. */
  readonly dlqUrl?: string;
  /** The queue's redrive maxReceiveCount (default 5): the receive that is the last try. */
  readonly maxReceiveCount?: number;
  /** First retry delay; doubles per receive, at most 15 min (default 15 s; 0: leave the visibility timeout). */
  readonly backoffBaseSeconds?: number;
  /** Longest DelaySeconds of a re-enqueued message (default 900, the SQS maximum). */
  readonly maxDelaySeconds?: number;
  readonly sqs?: SQSClient;
  readonly logger: NotifyLogger;
  readonly metrics?: NotifyMetrics;
  readonly now?: () => number;
}

/** SQS allows at most 15 min of DelaySeconds (and 12 h of visibility from the receive). */
const MAX_DELAY_SECONDS = 900;

export class OutboxConsumer {
  private readonly o: OutboxConsumerOptions;
  private readonly metrics: NotifyMetrics;
  private readonly now: () => number;
  private sqs: Promise<SQSClient> | undefined;

  constructor(options: OutboxConsumerOptions) {
    this.o = options;
    this.metrics = options.metrics ?? noNotifyMetrics;
    this.now = options.now ?? Date.now;
    if (options.sqs) this.sqs = Promise.resolve(options.sqs);
  }

  private client(): Promise<SQSClient> {
    this.sqs ??= import('@aws-sdk/client-sqs').then((m) => new m.SQSClient(notifyClientConfig()));
    return this.sqs;
  }

  async handle(records: readonly OutboxRecord[], opts: DeliverOptions = {}): Promise<SqsBatchResponse> {
    const { logger } = this.o;
    const maxReceive = this.o.maxReceiveCount ?? 5;
    const maxDelay = Math.min(MAX_DELAY_SECONDS, this.o.maxDelaySeconds ?? MAX_DELAY_SECONDS);
    const failures: { itemIdentifier: string }[] = [];
    const decoded: { record: OutboxRecord; n?: Notification; invalid?: InvalidNotificationError }[] =
      records.map((record) => {
        try {
          return { record, n: decodeRecord(record) };
        } catch (err) {
          if (err instanceof InvalidNotificationError) return { record, invalid: err };
          throw err;
        }
      });
    const receivesOf = (record: OutboxRecord): number =>
      Number(record.attributes.ApproximateReceiveCount ?? '1') || 1;

    // 1. Messages whose notBefore lies ahead: back to the queue for the rest of the wait (in hops of at
    //    most 15 min, SQS's delay limit), without counting the receive. Nothing is delivered early.
    const due: typeof decoded = [];
    await Promise.all(
      decoded.map(async (d) => {
        const state = retryStateOf(d.record);
        const waitMs = d.n && state.notBefore !== undefined ? state.notBefore - this.now() : 0;
        if (waitMs <= 500) return void due.push(d);
        const ok = await this.reenqueue(d.record, {
          notBefore: state.notBefore!,
          priorReceives: state.priorReceives + receivesOf(d.record) - 1,
          delaySeconds: Math.min(maxDelay, Math.ceil(waitMs / 1000)),
        });
        if (ok) this.metrics.count('NotificationsDeferred');
        else failures.push({ itemIdentifier: d.record.messageId });
      }),
    );

    const valid = due.filter((d): d is { record: OutboxRecord; n: Notification } => d.n !== undefined);
    const results = await this.o.notifier.deliver(
      valid.map((d) => d.n),
      opts,
    );
    const resultOf = new Map(valid.map((d, i) => [d.record.messageId, results[i]!]));
    // Untried deliveries cost no receive only when the invocation got somewhere: if nothing at all could
    // be tried (a Lambda timeout too short for one request), they count, so they end in the DLQ, not a loop.
    const progressed = results.some(
      (r) => r.delivered.length > 0 || r.failures.some((f) => f.attempted !== false),
    );
    // Failure texts are scrubbed where they are made; scrub again what is logged, against every known secret.
    const safe = (x: unknown): unknown =>
      JSON.parse(scrub(JSON.stringify(x), this.o.notifier.knownSecrets()));

    await Promise.all(
      due.map(async ({ record, invalid }) => {
        const receiveCount = receivesOf(record);
        const state = retryStateOf(record);
        const counted = state.priorReceives + receiveCount;
        const ids = { messageId: record.messageId, receiveCount: counted };
        if (invalid) {
          logger.error('poisoned outbox message: dead-lettering it', { ...ids, problem: invalid.message });
          const ok = await this.deadLetter(record, {
            error: invalid.name,
            channels: [],
            receiveCount: counted,
            retryable: false,
            at: new Date(this.now()).toISOString(),
          });
          if (!ok) failures.push({ itemIdentifier: record.messageId });
          return;
        }
        const r = resultOf.get(record.messageId)!;
        const n = r.notification;
        const about = { ...ids, findingId: n.finding.findingId, kind: n.kind, dedupeId: n.dedupeId };
        if (!r.failures.length) {
          const sent = Number(record.attributes.SentTimestamp);
          if (Number.isFinite(sent) && r.delivered.length)
            this.metrics.timing?.('DeliveryLatency', this.now() - sent);
          logger.info('notification delivered', {
            ...about,
            delivered: r.delivered,
            alreadyDelivered: r.alreadyDelivered,
          });
          return;
        }
        const failed = r.failures.map((f) => ({
          target: f.target,
          error: f.error,
          ...(f.status !== undefined ? { status: f.status } : {}),
          retryable: f.retryable,
          ...(f.unconfirmed ? { unconfirmed: true } : {}),
          message: f.message,
        }));
        const hopeless = r.failures.every((f) => !f.retryable);
        const untried = progressed && r.failures.every((f) => f.attempted === false);
        if (hopeless || (!untried && counted >= maxReceive)) {
          const last = r.failures.find((f) => !f.retryable) ?? r.failures[r.failures.length - 1]!;
          logger.error('notification failed for good: dead-lettering it (redrive it once fixed)', {
            ...about,
            delivered: r.delivered,
            alreadyDelivered: r.alreadyDelivered,
            failures: safe(failed),
            reason: hopeless ? 'not retryable' : `last try (receive ${counted} of ${maxReceive})`,
          });
          const ok = await this.deadLetter(record, {
            error: last.error,
            ...(last.status !== undefined ? { status: last.status } : {}),
            channels: r.failures.map((f) => f.target),
            receiveCount: counted,
            retryable: !hopeless,
            at: new Date(this.now()).toISOString(),
          });
          if (!ok) failures.push({ itemIdentifier: record.messageId });
          return;
        }
        const retryAfterMs = Math.max(0, ...r.failures.map((f) => f.retryAfterMs ?? 0));
        const base = this.o.backoffBaseSeconds ?? 15;
        const backoff = base > 0 && !untried ? Math.min(900, base * 2 ** (counted - 1)) : 0;
        const wait = Math.max(Math.ceil(retryAfterMs / 1000), backoff);
        logger.warn('notification failed: it will be retried', {
          ...about,
          delivered: r.delivered,
          alreadyDelivered: r.alreadyDelivered,
          failures: safe(failed),
          retryInSeconds: wait || 'queue visibility timeout',
          counted: !untried,
        });
        this.metrics.count('NotificationsRetried');
        // Untried, or a wait longer than SQS can hide a message: a new copy carries notBefore and the
        // receives that counted; this one is deleted. (If the copy cannot be sent, the receive counts.)
        if (untried || wait > maxDelay) {
          const ok = await this.reenqueue(record, {
            ...(wait > 0 ? { notBefore: this.now() + wait * 1000 } : {}),
            priorReceives: untried ? counted - 1 : counted,
            delaySeconds: Math.min(maxDelay, wait),
          });
          if (ok) return;
        }
        if (wait > 0) await this.requeue(record, Math.min(wait, maxDelay));
        failures.push({ itemIdentifier: record.messageId });
      }),
    );
    return { batchItemFailures: failures };
  }

  /** Send a copy of the message back to the outbox with its retry state; false when not possible. */
  private async reenqueue(
    record: OutboxRecord,
    o: { readonly notBefore?: number; readonly priorReceives: number; readonly delaySeconds: number },
  ): Promise<boolean> {
    // A FIFO queue takes no per-message delay: leave such messages to the visibility timeout.
    if (this.o.queueUrl.endsWith('.fifo')) return false;
    const attributes = attributesForResend(record, [
      OUTBOX_ATTRIBUTES.failure,
      OUTBOX_ATTRIBUTES.notBefore,
      OUTBOX_ATTRIBUTES.priorReceives,
    ]);
    if (o.notBefore !== undefined)
      attributes[OUTBOX_ATTRIBUTES.notBefore] = {
        DataType: 'String',
        StringValue: new Date(o.notBefore).toISOString(),
      };
    if (o.priorReceives > 0)
      attributes[OUTBOX_ATTRIBUTES.priorReceives] = {
        DataType: 'Number',
        StringValue: String(o.priorReceives),
      };
    if (Object.keys(attributes).length > 10) return false;
    try {
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await (
        await this.client()
      ).send(
        new SendMessageCommand({
          QueueUrl: this.o.queueUrl,
          MessageBody: record.body,
          MessageAttributes: attributes,
          DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(o.delaySeconds))),
        }),
      );
      return true;
    } catch (err) {
      this.o.logger.warn('could not re-enqueue the message: it comes back after its visibility timeout', {
        messageId: record.messageId,
        errorType: (err as Error).name,
      });
      return false;
    }
  }

  private async requeue(record: OutboxRecord, seconds: number): Promise<void> {
    try {
      const { ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
      await (
        await this.client()
      ).send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.o.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (err) {
      // The message still comes back, after the queue's visibility timeout instead.
      this.o.logger.warn('could not delay the retry (ChangeMessageVisibility failed)', {
        messageId: record.messageId,
        errorType: (err as Error).name,
      });
    }
  }

  /** Send the message to the DLQ with its failure; false when that was not possible. */
  private async deadLetter(record: OutboxRecord, failure: FailureRecord): Promise<boolean> {
    this.metrics.countWith('NotificationsDeadLettered', { error: failure.error });
    if (!this.o.dlqUrl) return false;
    try {
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      const attributes = attributesForResend(record, [
        OUTBOX_ATTRIBUTES.failure,
        OUTBOX_ATTRIBUTES.notBefore,
        OUTBOX_ATTRIBUTES.priorReceives,
      ]);
      // SQS allows 10 attributes: the failure goes along when there is room (ours use at most 9).
      if (Object.keys(attributes).length < 10)
        attributes[OUTBOX_ATTRIBUTES.failure] = { DataType: 'String', StringValue: JSON.stringify(failure) };
      await (
        await this.client()
      ).send(
        new SendMessageCommand({
          QueueUrl: this.o.dlqUrl,
          MessageBody: record.body,
          MessageAttributes: attributes,
        }),
      );
      return true;
    } catch (err) {
      this.o.logger.error('could not dead-letter the message: the queue redrive policy will', {
        messageId: record.messageId,
        errorType: (err as Error).name,
      });
      return false;
    }
  }
}
