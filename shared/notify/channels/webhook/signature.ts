/**
 * The signature of a webhook delivery, as receivers verify it (docs/notifications.md "Generic webhook"):
 *   X-Guardrail-Request-Timestamp: <unix seconds>
 *   X-Guardrail-Signature: v1=<hex HMAC-SHA256 of `v1:<timestamp>:<raw body>` with the signing secret>
 * The timestamp is signed so a captured delivery cannot be replayed later (receivers refuse one older
 * than 5 minutes) and the body is signed byte for byte (verify before parsing).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Guardrail-Signature';
export const TIMESTAMP_HEADER = 'X-Guardrail-Request-Timestamp';
export const DELIVERY_HEADER = 'X-Guardrail-Delivery';

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex')}`;
}

/** What a receiver does: true only for a fresh timestamp and a matching signature (constant time). */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly signature?: string; readonly timestamp?: string },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds)
    return false;
  const want = Buffer.from(webhookSignature(secret, ts, body));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
