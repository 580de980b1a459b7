/**
 * What every channel's delivery shares: a failure as a DeliveryFailure (error name, status, retryable,
 * unconfirmed; the message scrubbed of secrets), an untried delivery, and the lifecycle facts a message
 * shows. Channels return per-notification outcomes instead of throwing, so one channel's failure never
 * hides another's success.
 */
import type { MessageContext } from './slack/message';
import { SlackDeliveryError } from './slack/webhook';
import { scrub, WebhookConfigError } from './slack/secrets';
import type { DeliveryFailure, Notification } from '../types';

/** AWS errors that retrying cannot fix (configuration: a missing topic, a denied action, bad input). */
const NOT_RETRYABLE_AWS = new Set([
  'NotFoundException',
  'NotFound',
  'ResourceNotFoundException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidInputException',
  'ValidationException',
  'AuthorizationErrorException',
  'AccessDeniedException',
  'AccessDenied',
  'InvalidAccessException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSAccessDeniedException',
  'InvalidSecurityException',
]);

/** SDK errors of a request that was sent but not answered in time: the service may have acted on it. */
const NO_ANSWER = new Set(['TimeoutError', 'RequestTimeout', 'ECONNRESET', 'EPIPE', 'AbortError']);

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
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (e as { code?: unknown }).code;
  const noAnswer = NO_ANSWER.has(e.name) || (typeof code === 'string' && NO_ANSWER.has(code));
  return {
    target,
    error: e.name || 'Error',
    message: scrub(e.message, secrets),
    retryable: !NOT_RETRYABLE_AWS.has(e.name),
    ...(status !== undefined ? { status } : {}),
    ...(noAnswer && status === undefined ? { unconfirmed: true } : {}),
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
