/**
 * One HTTPS call of an HTTP channel (PagerDuty, Jira, Microsoft Teams, webhook), with Slack's delivery
 * rules (./slack/webhook.ts): 429 waits a short `Retry-After` inline, a long one is handed back with the
 * delay; 5xx and connection failures retry with exponential backoff and jitter; every request has a
 * timeout and starts only when the whole timeout fits before the deadline; a request sent but not
 * answered in time is never retried blindly (`unconfirmed`: the notifier holds the ledger claim, or, for
 * a channel the service dedupes, tries again). Errors carry the service name and status only: the URL
 * (often a secret), the headers (tokens) and both bodies never appear in one.
 */
import { parseRetryAfter, requestFailure, type SlackWebhookOptions } from './slack/webhook';
import { ChannelConfigError, ChannelDeliveryError } from './errors';

/** Slack's retry rules for every HTTP channel (attempts, Retry-After, backoff, timeouts, deadline). */
export type HttpOptions = SlackWebhookOptions;

export interface HttpRequest {
  /** Who answers, for error messages (e.g. "PagerDuty"). */
  readonly service: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads at most this much of an answer (a hostile endpoint cannot make the notifier hold a huge body). */
const MAX_ANSWER_BYTES = 1_048_576;

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function sendHttp(req: HttpRequest, opts: HttpOptions = {}): Promise<HttpResponse> {
  const maxAttempts = opts.maxAttempts ?? 4;
  const maxInlineWaitMs = opts.maxInlineWaitMs ?? 5000;
  const base = opts.baseBackoffMs ?? 250;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const fits = (ms: number): boolean => now() + ms + timeoutMs <= deadline;
  const s = req.service;
  let last: ChannelDeliveryError | undefined;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (!fits(0)) {
      if (attempt === 1)
        throw new ChannelDeliveryError(
          `not sent: no time left for a ${s} request before the invocation ends`,
          true,
          undefined,
          undefined,
          false,
          false,
        );
      break;
    }
    const backoff = base * 2 ** (attempt - 1) * (0.5 + random());
    let res: Response;
    let text: string;
    try {
      res = await fetch(req.url, {
        method: req.method ?? 'POST',
        headers: req.headers ?? {},
        ...(req.body !== undefined ? { body: req.body } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await readBounded(res);
    } catch (err) {
      const { code, maybeSent } = requestFailure(err);
      if (maybeSent)
        throw new ChannelDeliveryError(
          `${s} gave no answer in time (${code}): it may have the request`,
          true,
          undefined,
          undefined,
          true,
        );
      last = new ChannelDeliveryError(`${s} unreachable (${code})`, true);
      if (attempt < maxAttempts && fits(backoff)) await sleep(backoff);
      else break;
      continue;
    }
    if (res.ok) {
      let json: unknown;
      try {
        json = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json };
    }
    if (res.status === 429) {
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      last = new ChannelDeliveryError(`${s} rate limited the request (HTTP 429)`, true, 429, wait);
      if (attempt < maxAttempts && wait <= maxInlineWaitMs && fits(wait)) {
        await sleep(wait);
        continue;
      }
      throw last;
    }
    if (res.status >= 500 || res.status === 408) {
      last = new ChannelDeliveryError(`${s} failed (HTTP ${res.status})`, true, res.status);
      if (attempt < maxAttempts && fits(backoff)) await sleep(backoff);
      else break;
      continue;
    }
    throw new ChannelDeliveryError(`${s} rejected the request (HTTP ${res.status})`, false, res.status);
  }
  throw last ?? new ChannelDeliveryError(`${s} delivery failed`, true);
}

/**
 * A test endpoint replacing a service's fixed one: only a loopback http(s) origin is accepted, so a
 * dependency cannot redirect real findings and secrets to an arbitrary host.
 */
export function loopbackEndpoint(url: string | undefined, fallback: string): string {
  if (url === undefined) return fallback;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ChannelConfigError('endpoint override is not a URL');
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || !/^https?:$/.test(u.protocol))
    throw new ChannelConfigError('endpoint override must be a loopback URL (tests only)');
  return url.replace(/\/+$/, '');
}

/** A webhook URL read from a secret: https (or loopback http in tests), else refused without echoing it. */
export function checkedWebhookUrl(value: string, ref: string, allowLoopback = false): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  const loopback =
    allowLoopback && u?.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(u.hostname);
  if (!u || (u.protocol !== 'https:' && !loopback))
    throw new ChannelConfigError(`secret ${ref} does not hold an https webhook URL`);
  return value;
}
