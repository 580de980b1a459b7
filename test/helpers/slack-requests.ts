/**
 * Slack interaction requests as Slack sends them (https://api.slack.com/interactivity/handling): a form
 * body `payload=<JSON>`, signed with `v0` HMAC-SHA256 over `v0:<timestamp>:<body>`, and the Lambda
 * Function URL event (payload format 2.0, lower-cased headers) that carries it. The payload shapes follow
 * Slack's block_actions and view_submission reference (only the fields the guardrail reads, plus a few it
 * must ignore).
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { slackSignature } from '../../shared/notify/channels/slack/signature';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const TEAM = 'T0GUARD01';
export const ALLOWED = 'U0ALLOWED1';
export const STRANGER = 'U0STRANGER';

let pressed = 0;

/** A button press; each call is a distinct press (its own action_ts), as two clicks are in Slack. */
export function blockActions(o: {
  findingId: string;
  action: string;
  user?: string;
  team?: string;
  responseUrl?: string;
  triggerId?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: o.team ?? TEAM, domain: 'guardrail-test' },
    user: { id: o.user ?? ALLOWED, username: 'alice', name: 'alice', team_id: o.team ?? TEAM },
    api_app_id: 'A0GUARDAPP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0SECURITY' },
    trigger_id: o.triggerId ?? '1234567890.123456.abcdef',
    channel: { id: 'C0SECURITY', name: 'security' },
    ...(o.responseUrl ? { response_url: o.responseUrl } : {}),
    actions: [
      {
        action_id: o.action,
        block_id: 'guardrail:finding',
        value: o.findingId,
        type: 'button',
        action_ts: `1700000001.${String(++pressed).padStart(6, '0')}`,
      },
    ],
  };
}

export function formBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface SignOptions {
  readonly secret?: string;
  /** Epoch seconds (default now). */
  readonly timestamp?: number;
  readonly omit?: 'signature' | 'timestamp';
  /** Change the body after signing. */
  readonly tamper?: (body: string) => string;
  readonly base64?: boolean;
}

export function signedEvent(payload: unknown, o: SignOptions = {}): LambdaFunctionURLEvent {
  const body = formBody(payload);
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = slackSignature(o.secret ?? SIGNING_SECRET, ts, body);
  const sent = o.tamper ? o.tamper(body) : body;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...(o.omit === 'signature' ? {} : { 'x-slack-signature': signature }),
    ...(o.omit === 'timestamp' ? {} : { 'x-slack-request-timestamp': ts }),
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fnurl',
      domainName: 'fnurl.lambda-url.us-east-1.on.aws',
      domainPrefix: 'fnurl',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '08/Dec/2026:02:00:00 +0000',
      timeEpoch: Date.now(),
    },
    body: o.base64 ? Buffer.from(sent).toString('base64') : sent,
    isBase64Encoded: o.base64 ?? false,
  } as LambdaFunctionURLEvent;
}
