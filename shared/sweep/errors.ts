/**
 * AWS SDK errors -> what a sweep missed and why. Reads SDK v3 errors by `name` / `$metadata` only, so
 * this module imports no SDK code. Error messages from AWS name resources and actions, never secrets.
 */

import { AUTH_FAILURE_NAMES, THROTTLING_ERROR_NAMES } from '../aws/error-codes';
import { GuardrailError } from '../errors';

export type GapKind = 'access-denied' | 'throttled' | 'timeout' | 'invalid-response' | 'error';

export interface ClassifiedError {
  readonly kind: GapKind;
  /** The SDK error name (e.g. AccessDeniedException) or a Node error code. */
  readonly code: string;
  readonly message: string;
  /** Attempts the SDK made (retries included), when it says. */
  readonly attempts?: number;
}

const ACCESS_DENIED: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  ...AUTH_FAILURE_NAMES,
]);

const THROTTLED = THROTTLING_ERROR_NAMES;

const TIMEOUT = new Set(['AbortError', 'TimeoutError', 'ETIMEDOUT', 'RequestTimeout', 'SweepDeadlineError']);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly attempts?: number };
}

/** Raised by the sweep itself when its deadline passes before a call could start. */
export class SweepDeadlineError extends GuardrailError {
  override readonly name = 'SweepDeadlineError';
  constructor() {
    super('the sweep deadline passed before this call could start');
  }
}

export function classifyError(err: unknown): ClassifiedError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const name = typeof e.name === 'string' && e.name && e.name !== 'Error' ? e.name : undefined;
  const code = name ?? (typeof e.code === 'string' && e.code ? e.code : 'Error');
  const raw = typeof e.message === 'string' ? e.message : String(err);
  // First line only, bounded: an HTML error page (moto's debug 500) must not flood a report.
  const message = raw.split('\n')[0]!.slice(0, 300);
  const kind: GapKind = ACCESS_DENIED.has(code)
    ? 'access-denied'
    : THROTTLED.has(code)
      ? 'throttled'
      : TIMEOUT.has(code) || (typeof e.code === 'string' && TIMEOUT.has(e.code))
        ? 'timeout'
        : code === 'InvalidEventError'
          ? 'invalid-response'
          : 'error';
  const attempts = e.$metadata?.attempts;
  return { kind, code, message, ...(typeof attempts === 'number' ? { attempts } : {}) };
}
