/**
 * Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>" with the app's
 * signing secret>`. Compared in constant time (crypto.timingSafeEqual on equal-length buffers); a
 * timestamp more than 5 minutes from now (either way) is refused, so a captured request cannot be
 * replayed later, and the interactivity function refuses a second sighting of the same signature within
 * the window (store/slack-interactions.ts). The error says which check failed, never a header's value.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GuardrailError } from '../../../base/errors';

export const SIGNATURE_MAX_AGE_SECONDS = 300;

export type SignatureProblem =
  | 'missing signature header'
  | 'missing timestamp header'
  | 'malformed timestamp'
  | 'stale timestamp'
  | 'malformed signature'
  | 'signature mismatch'
  | 'replayed request';

export class SlackSignatureError extends GuardrailError {
  override readonly name = 'SlackSignatureError';
  constructor(readonly problem: SignatureProblem) {
    super(`Slack request refused: ${problem}`);
  }
}

/** Headers by lower-case name (Lambda Function URLs and API Gateway v2 give them lower-cased). */
export type Headers = Readonly<Record<string, string | undefined>>;

export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Verifies the request; returns the hash of its signature (the replay guard's key) or throws
 * SlackSignatureError. `nowMs`: the clock the timestamp is checked against.
 */
export function verifySlackSignature(headers: Headers, body: string, secret: string, nowMs: number): string {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (!signature) throw new SlackSignatureError('missing signature header');
  if (!timestamp) throw new SlackSignatureError('missing timestamp header');
  if (!/^\d{1,12}$/.test(timestamp)) throw new SlackSignatureError('malformed timestamp');
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_MAX_AGE_SECONDS)
    throw new SlackSignatureError('stale timestamp');
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) throw new SlackSignatureError('malformed signature');
  const expected = Buffer.from(slackSignature(secret, timestamp, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new SlackSignatureError('signature mismatch');
  return createHash('sha256').update(signature).digest('hex');
}
