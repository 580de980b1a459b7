/**
 * Deliver a payload to a Slack incoming webhook. 429: wait `Retry-After` when it is short, otherwise
 * hand back a retryable error carrying the delay (the notifier requeues the message for that long);
 * 5xx and connection failures: retry with exponential backoff and jitter, then a retryable error.
 *
 * Every request has a timeout (AbortSignal.timeout, default 10 s) and starts only when that whole
 * timeout fits before the deadline. A request that was sent but got no answer in time (timeout, reset
 * connection) is NOT retried: Slack may have posted it and incoming webhooks have no idempotency key, so
 * a blind retry is a duplicate post. It is handed back as `unconfirmed` and the notifier decides (see
 * ledger.ts). Nothing is ever dropped silently. The webhook URL is a secret: it never appears in an error
 * or a log.
 */
import type { SlackPayload } from './message';
import { GuardrailError } from '../../../base/errors';

export class SlackDeliveryError extends GuardrailError {
  override readonly name = 'SlackDeliveryError';
  constructor(
    message: string,
    /** False when trying again cannot help (e.g. 400 invalid_payload, 404 no_service). */
    readonly retryable: boolean,
    readonly status?: number,
    /** Slack asked to wait this long before the next attempt. */
    readonly retryAfterMs?: number,
    /** Sent, but no answer came in time: Slack may have posted it. */
    readonly unconfirmed = false,
    /** Not sent at all (no time left before the deadline). */
    readonly attempted = true,
  ) {
    super(message);
  }
}

/**
 * Failures after which Slack may have the post: our timeout fired, or the connection broke while the
 * request or the answer was under way. Anything else (refused, DNS, unreachable, bad port) never got a
 * request to Slack, so retrying cannot post twice.
 */
const MAYBE_SENT = new Set([
  'TimeoutError',
  'AbortError',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * A failed fetch as its error code (names and codes only: a cause's message may contain the URL) and
 * whether the service may have the request (MAYBE_SENT). Every HTTP channel reads failures through this.
 */
export function requestFailure(err: unknown): { readonly code: string; readonly maybeSent: boolean } {
  const name = (err as Error).name;
  const code = causeCode(err) ?? name;
  return { code, maybeSent: MAYBE_SENT.has(code) || MAYBE_SENT.has(name) };
}

export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

export interface SlackWebhookOptions {
  /** Attempts within one call (default 4). */
  readonly maxAttempts?: number;
  /** Longest Retry-After waited inline; longer ones are handed back (default 5 s). */
  readonly maxInlineWaitMs?: number;
  readonly baseBackoffMs?: number;
  /** Per request (default 10 s); a request starts only if it fits before the deadline. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /**
   * Epoch ms after which no further attempt or wait starts (the Lambda's remaining time): a wait that
   * would cross it is handed back as a retryable error instead, with the delay when Slack gave one.
   */
  readonly deadline?: number;
  readonly now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function parseRetryAfter(header: string | null): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

export async function postToSlack(
  url: string,
  payload: SlackPayload,
  opts: SlackWebhookOptions = {},
): Promise<void> {
  const maxAttempts = opts.maxAttempts ?? 4;
  const maxInlineWaitMs = opts.maxInlineWaitMs ?? 5000;
  const base = opts.baseBackoffMs ?? 250;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const body = JSON.stringify(payload);
  let last: SlackDeliveryError | undefined;
  /** Whether waiting `ms` and then a whole request still fit before the deadline. */
  const fits = (ms: number): boolean => now() + ms + timeoutMs <= deadline;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (!fits(0)) {
      if (attempt === 1)
        throw new SlackDeliveryError(
          'not sent: no time left for a Slack request before the invocation ends',
          true,
          undefined,
          undefined,
          false,
          false,
        );
      break;
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const { code, maybeSent } = requestFailure(err);
      if (maybeSent)
        // Timed out or cut off after sending: Slack may have posted it. Never retried blindly.
        throw new SlackDeliveryError(
          `Slack webhook gave no answer in time (${code}): it may have posted the message`,
          true,
          undefined,
          undefined,
          true,
        );
      last = new SlackDeliveryError(`Slack webhook unreachable (${code})`, true);
      const wait = base * 2 ** (attempt - 1) * (0.5 + random());
      if (attempt < maxAttempts && fits(wait)) await sleep(wait);
      else break;
      continue;
    }
    await res.text().catch(() => '');
    if (res.ok) return;
    if (res.status === 429) {
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      last = new SlackDeliveryError('Slack rate limited the webhook (HTTP 429)', true, 429, wait);
      if (attempt < maxAttempts && wait <= maxInlineWaitMs && fits(wait)) {
        await sleep(wait);
        continue;
      }
      throw last;
    }
    if (res.status >= 500) {
      last = new SlackDeliveryError(`Slack webhook failed (HTTP ${res.status})`, true, res.status);
      const wait = base * 2 ** (attempt - 1) * (0.5 + random());
      if (attempt < maxAttempts && fits(wait)) await sleep(wait);
      else break;
      continue;
    }
    throw new SlackDeliveryError(
      `Slack webhook rejected the message (HTTP ${res.status})`,
      false,
      res.status,
    );
  }
  throw last ?? new SlackDeliveryError('Slack delivery failed', true);
}
