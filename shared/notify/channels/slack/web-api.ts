/**
 * The few Slack Web API methods the guardrail calls with its bot token: chat.postMessage, chat.update,
 * views.open, usergroups.users.list, and the interaction's response_url. JSON over fetch with a timeout
 * that fires (AbortSignal.timeout); Slack answers HTTP 200 with `{ok: false, error}` for most failures
 * and 429 with Retry-After when rate limited: both become a SlackDeliveryError the notifier understands
 * (retryable or not, Retry-After kept). The token is sent in the Authorization header only and never
 * appears in an error. The base URL is configurable (tests point it at a loopback fake).
 */
import { parseRetryAfter, SlackDeliveryError } from './webhook';

export const SLACK_API_BASE = 'https://slack.com/api';

export interface SlackWebApiOptions {
  readonly baseUrl?: string;
  /** One request's timeout (default 3 s: the interactivity function answers Slack within 3 s). */
  readonly timeoutMs?: number;
}

/** Slack errors that no retry fixes (token revoked, channel gone, bad request). */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'message_not_found',
  'cant_update_message',
  'missing_scope',
  'expired_trigger_id',
  'invalid_trigger_id',
  'no_permission',
  'used_url',
  'expired_url',
]);

export class SlackWebApi {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: SlackWebApiOptions = {}) {
    this.baseUrl = (options.baseUrl ?? SLACK_API_BASE).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 3_000;
  }

  /** Calls `method` with a JSON body; the answer's fields when `ok`, else a SlackDeliveryError. */
  call(method: string, token: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.post(`${this.baseUrl}/${method}`, body, method, { authorization: `Bearer ${token}` });
  }

  /** Calls a read method with form-encoded arguments (read methods do not all take JSON bodies). */
  callForm(method: string, token: string, args: Record<string, string>): Promise<Record<string, unknown>> {
    return this.post(`${this.baseUrl}/${method}`, args, method, { authorization: `Bearer ${token}` }, true);
  }

  /** Answers through an interaction's response_url (no token: the URL is the credential). */
  async respond(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    await this.post(responseUrl, body, 'response_url', {});
  }

  private async post(
    url: string,
    body: Record<string, unknown>,
    what: string,
    headers: Record<string, string>,
    form = false,
  ): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8',
          ...headers,
        },
        body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // The cause may hold the URL (response_url is a credential): only the error's name is kept.
      const name = err instanceof Error ? err.name : 'Error';
      throw new SlackDeliveryError(
        `Slack ${what} failed (${name})`,
        true,
        undefined,
        undefined,
        name === 'TimeoutError',
      );
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429) {
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      throw new SlackDeliveryError(`Slack rate limited ${what} (HTTP 429)`, true, 429, wait);
    }
    if (res.status >= 500)
      throw new SlackDeliveryError(`Slack ${what} failed (HTTP ${res.status})`, true, res.status);
    if (!res.ok)
      throw new SlackDeliveryError(`Slack refused ${what} (HTTP ${res.status})`, false, res.status);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : { ok: true };
    } catch {
      // response_url answers plain "ok"-like text; the Web API always answers JSON.
      parsed = { ok: what === 'response_url' };
    }
    const answer = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (answer.ok !== true) {
      const error =
        typeof answer.error === 'string' && /^[a-z_]{1,64}$/.test(answer.error) ? answer.error : 'unknown';
      throw new SlackDeliveryError(
        `Slack ${what} answered error ${error}`,
        !PERMANENT.has(error),
        res.status,
      );
    }
    return answer;
  }
}
