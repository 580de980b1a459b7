/**
 * The three delivery channels. Each returns per-notification outcomes instead of throwing, so one
 * channel's failure never hides another's success:
 *   - SNS: Publish of `snsMessage` (body = finding JSON, filterable attributes);
 *   - Slack: `postToSlack` of `slackMessage` to the webhook URL read from SSM (see webhook-secrets.ts);
 *   - Security Hub: BatchImportFindings of `toAsff`, at most 100 findings a call; findings the response
 *     lists in FailedFindings are imported again (with backoff), never dropped: what still fails is
 *     returned as a retryable failure, so the message is retried and, at worst, dead-lettered.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { classifyAwsError } from '../aws/classify';
import { ASFF_BATCH_LIMIT, toAsff } from './asff';
import { callBudgetMs } from './clients';
import { slackMessage, type MessageContext } from './slack-message';
import { SlackDeliveryError, postToSlack, type SlackWebhookOptions } from './slack-webhook';
import { isSnsMessageTooLong, snsMessage, TOO_LONG_FOR_SNS, type SnsMessage } from './sns-message';
import { reducedFinding } from '../model/bounded-finding';
import { scrub, WebhookConfigError, type SecretSource } from './webhook-secrets';
import type { DeliveryFailure, Notification } from './types';

/** Any error as a DeliveryFailure: name, HTTP status, retryable; the message scrubbed of known secrets. */
export function failureFrom(target: string, err: unknown, secrets: readonly string[] = []): DeliveryFailure {
  if (err instanceof SlackDeliveryError)
    return {
      target,
      error: err.attempted ? err.name : 'NotAttempted',
      message: scrub(err.message, secrets),
      retryable: err.retryable,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      ...(err.unconfirmed ? { unconfirmed: true } : {}),
      ...(err.attempted ? {} : { attempted: false }),
    };
  if (err instanceof WebhookConfigError)
    return {
      target,
      error: err.name,
      message: scrub(err.message, secrets),
      retryable: err.retryable,
      ...(err.status !== undefined ? { status: err.status } : {}),
    };
  const e = err instanceof Error ? err : new Error(String(err));
  // Not retryable: what only a configuration change fixes (a missing topic, a denied action, bad input).
  const { permanent, unanswered, status } = classifyAwsError(e);
  return {
    target,
    error: e.name || 'Error',
    message: scrub(e.message, secrets),
    retryable: !permanent,
    ...(status !== undefined ? { status } : {}),
    ...(unanswered && status === undefined ? { unconfirmed: true } : {}),
  };
}

/** A delivery not tried in this invocation: back to the queue without counting as an attempt. */
export function notAttempted(target: string, why: string, retryAfterMs?: number): DeliveryFailure {
  return {
    target,
    error: 'NotAttempted',
    message: `not attempted: ${why}`,
    retryable: true,
    attempted: false,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

type Outcome = DeliveryFailure | undefined;

/** The lifecycle facts of a notification that its messages show. */
export function contextOf(n: Notification): MessageContext {
  return {
    ...(n.firstSeen !== undefined ? { firstSeen: n.firstSeen } : {}),
    ...(n.count !== undefined ? { count: n.count } : {}),
    ...(n.resolvedReason !== undefined ? { resolvedReason: n.resolvedReason } : {}),
  };
}

// ------------------------------------------------------------------ SNS

/**
 * Publish the notification's finding. Should SNS refuse the message as too long (over 256 KB; findings
 * leave the engine far smaller), the reduced finding is published instead: never dropped for its size.
 */
export async function publishSns(client: SNSClient, topicArn: string, n: Notification): Promise<void> {
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  const send = (m: SnsMessage) => client.send(new PublishCommand({ TopicArn: topicArn, ...m }));
  try {
    await send(snsMessage(n.finding, n.kind, contextOf(n)));
  } catch (err) {
    if (!isSnsMessageTooLong(err)) throw err;
    await send(snsMessage(reducedFinding(n.finding, TOO_LONG_FOR_SNS), n.kind, contextOf(n)));
  }
}

// ------------------------------------------------------------------ Slack

export interface SlackItem {
  readonly n: Notification;
  readonly target: string;
}

export interface SlackDeliveryOptions {
  readonly secrets: SecretSource;
  readonly post?: SlackWebhookOptions;
  /** Epoch ms: nothing new starts after it (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
  readonly now?: () => number;
}

/**
 * One webhook's items, in order, one at a time (Slack allows about one message a second per channel).
 * The run stops at the first item that Slack rate limits beyond the inline wait (429), that gets no
 * answer in time (unconfirmed), or that no longer fits before the deadline: the remaining items are
 * handed back `attempted: false` (with the Retry-After when there is one), without posting. So a slow or
 * hanging webhook costs one request timeout per invocation, not one per message, and the messages behind
 * it are returned to the queue untried instead of burning their receives.
 */
export async function deliverSlackRun(
  webhookParameter: string,
  items: readonly SlackItem[],
  opts: SlackDeliveryOptions,
): Promise<Outcome[]> {
  const now = opts.now ?? Date.now;
  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  const out: Outcome[] = [];
  let url: string;
  try {
    url = await opts.secrets.get(webhookParameter);
  } catch (err) {
    const f = (target: string): DeliveryFailure => failureFrom(target, err, opts.secrets.known());
    return items.map((i) => f(i.target));
  }
  let stop: { why: string; retryAfterMs?: number } | undefined;
  for (const item of items) {
    if (!stop && now() >= deadline) stop = { why: 'the invocation is about to time out' };
    if (stop) {
      out.push(notAttempted(item.target, stop.why, stop.retryAfterMs));
      continue;
    }
    try {
      await postToSlack(url, slackMessage(item.n.finding, item.n.kind, contextOf(item.n)), {
        ...opts.post,
        ...(opts.deadline !== undefined ? { deadline: opts.deadline, now } : {}),
      });
      out.push(undefined);
    } catch (err) {
      const f = failureFrom(item.target, err, [url, ...opts.secrets.known()]);
      out.push(f);
      if (f.status === 429)
        stop = {
          why: 'Slack rate limited this webhook',
          ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
        };
      else if (f.unconfirmed) stop = { why: 'this webhook did not answer in time' };
      else if (f.attempted === false) stop = { why: 'the invocation is about to time out' };
      // The webhook was revoked, its channel archived or the app removed: re-read SSM next time.
      if (!f.retryable && f.status !== undefined && f.status >= 400 && f.status < 500)
        opts.secrets.evict(webhookParameter);
    }
  }
  return out;
}

// ------------------------------------------------------------------ Security Hub

export interface SecurityHubOptions {
  /** Imports of the findings a response lists as failed, after the first call (default 2). */
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  /** Epoch ms: no re-import starts unless its backoff and one whole call fit before it. */
  readonly deadline?: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Split into calls of at most 100 findings, never two findings with the same Id in one call. */
function batches(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  const out: AwsSecurityFinding[][] = [];
  let cur: AwsSecurityFinding[] = [];
  let ids = new Set<string>();
  for (const f of findings) {
    if (cur.length >= ASFF_BATCH_LIMIT || ids.has(f.Id!)) {
      out.push(cur);
      cur = [];
      ids = new Set();
    }
    cur.push(f);
    ids.add(f.Id!);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Import the notifications' findings; the outcome of each, in order. */
export async function importToSecurityHub(
  client: SecurityHubClient,
  items: readonly { n: Notification; target: string }[],
  opts: SecurityHubOptions = {},
): Promise<Outcome[]> {
  const { BatchImportFindingsCommand } = await import('@aws-sdk/client-securityhub');
  const retries = opts.retries ?? 2;
  const backoff = opts.backoffMs ?? 500;
  const sleep = opts.sleep ?? defaultSleep;
  const now = (opts.now?.() ?? new Date()).toISOString();
  const asff = items.map(({ n }) =>
    toAsff(n.finding, {
      now,
      ...(n.firstSeen ? { firstSeen: n.firstSeen } : {}),
      resolved: n.kind === 'resolved',
    }),
  );
  const outcomes: Outcome[] = items.map(() => undefined);
  const byId = new Map<string, number[]>();
  asff.forEach((a, i) => byId.set(a.Id!, [...(byId.get(a.Id!) ?? []), i]));
  const fail = (id: string, failure: Omit<DeliveryFailure, 'target'>): void => {
    for (const i of byId.get(id) ?? []) outcomes[i] = { ...failure, target: items[i]!.target };
  };

  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  const fits = (ms: number): boolean =>
    (opts.now?.() ?? new Date()).getTime() + ms + callBudgetMs() <= deadline;
  for (const batch of batches(asff)) {
    let pending = batch;
    for (let attempt = 0; attempt <= retries && pending.length; attempt++) {
      const wait = attempt > 0 ? backoff * 2 ** (attempt - 1) : 0;
      // Out of time: what is still pending keeps its failure (or is handed back untried) for the queue.
      if (!fits(wait)) {
        if (attempt === 0)
          for (const f of pending)
            for (const i of byId.get(f.Id!) ?? [])
              outcomes[i] = notAttempted(items[i]!.target, 'the invocation is about to time out');
        break;
      }
      if (wait) await sleep(wait);
      try {
        const res = await client.send(new BatchImportFindingsCommand({ Findings: pending }));
        const failed = new Map((res.FailedFindings ?? []).map((f) => [f.Id ?? '', f]));
        for (const f of pending)
          if (!failed.has(f.Id!)) for (const i of byId.get(f.Id!) ?? []) outcomes[i] = undefined;
        for (const [id, f] of failed)
          fail(id, {
            error: f.ErrorCode ?? 'FailedFinding',
            message: `Security Hub did not import the finding: ${f.ErrorMessage ?? 'no reason given'}`,
            retryable: true,
          });
        pending = pending.filter((f) => failed.has(f.Id!));
      } catch (err) {
        const failure = failureFrom('securityhub', err);
        for (const f of pending) fail(f.Id!, failure);
        if (!failure.retryable) break;
      }
    }
  }
  return outcomes;
}
