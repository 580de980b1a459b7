/**
 * What every channel's delivery shares: a failure as a DeliveryFailure (error name, status, retryable,
 * unconfirmed; the message scrubbed of secrets), an untried delivery, and the lifecycle facts a message
 * shows. Channels return per-notification outcomes instead of throwing, so one channel's failure never
 * hides another's success.
 */
import { classifyAwsError } from '../../aws/classify';
import type { MessageContext } from './slack/message';
import { SlackDeliveryError } from './slack/webhook';
import { scrub, WebhookConfigError } from './slack/secrets';
import { ChannelDeliveryError } from './errors';
import type { DeliveryFailure, Notification } from '../types';

/** Any error as a DeliveryFailure: name, HTTP status, retryable; the message scrubbed of known secrets. */
export function failureFrom(target: string, err: unknown, secrets: readonly string[] = []): DeliveryFailure {
  // Slack's error and the other channels' carry the same facts.
  if (err instanceof SlackDeliveryError || err instanceof ChannelDeliveryError)
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

/** The lifecycle facts of a notification that its messages show. */
export function contextOf(n: Notification): MessageContext {
  return {
    ...(n.firstSeen !== undefined ? { firstSeen: n.firstSeen } : {}),
    ...(n.count !== undefined ? { count: n.count } : {}),
    ...(n.resolvedReason !== undefined ? { resolvedReason: n.resolvedReason } : {}),
  };
}
