/**
 * AWS SDK errors -> what a sweep missed and why. Reads SDK v3 errors by `name` / `$metadata` only, so
 * this module imports no SDK code. Error messages from AWS name resources and actions, never secrets.
 */

import { classifyAwsError } from '../aws/classify';
import { GuardrailError } from '../base/errors';

export type GapKind = 'access-denied' | 'throttled' | 'timeout' | 'invalid-response' | 'error';

export interface ClassifiedError {
  readonly kind: GapKind;
  /** The SDK error name (e.g. AccessDeniedException) or a Node error code. */
  readonly code: string;
  readonly message: string;
  /** Attempts the SDK made (retries included), when it says. */
  readonly attempts?: number;
}

/** Raised by the sweep itself when its deadline passes before a call could start. */
export class SweepDeadlineError extends GuardrailError {
  override readonly name = 'SweepDeadlineError';
  constructor() {
    super('the sweep deadline passed before this call could start');
  }
}

export function classifyError(err: unknown): ClassifiedError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { readonly message?: unknown };
  const { kind: aws, code, attempts } = classifyAwsError(err);
  const raw = typeof e.message === 'string' ? e.message : String(err);
  // First line only, bounded: an HTML error page (moto's debug 500) must not flood a report.
  const message = raw.split('\n')[0]!.slice(0, 300);
  const kind: GapKind =
    aws === 'denied' || aws === 'auth'
      ? 'access-denied'
      : aws === 'throttled'
        ? 'throttled'
        : aws === 'timeout' || err instanceof SweepDeadlineError
          ? 'timeout'
          : code === 'InvalidEventError'
            ? 'invalid-response'
            : 'error';
  return { kind, code, message, ...(typeof attempts === 'number' ? { attempts } : {}) };
}

/**
 * A pair of the organization sweep was throttled beyond the SDK's retries (AssumeRole, or every gap of
 * its sweep): the per-pair Lambda throws it so the state machine's Retry (ErrorEquals `SweepThrottled`)
 * tries the pair again later with backoff. Access denied is not retried: that pair is `failed`.
 */
export class SweepThrottledError extends GuardrailError {
  override readonly name = 'SweepThrottled';
}
