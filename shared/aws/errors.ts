/**
 * AWS SDK errors -> EnrichmentError. No SDK import: SDK v3 errors are read by their `name`, `$fault`
 * and `$metadata`, so this module costs nothing at cold start.
 */
import type * as v from 'valibot';
import { EnrichmentError } from '../engine/enrich';
import { InvalidEventError } from '../events/errors';
import { validate } from '../events/validate';
import { AUTH_FAILURE_NAMES, THROTTLING_ERROR_NAMES } from './error-codes';

interface SdkErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

const THROTTLING = THROTTLING_ERROR_NAMES;
const AUTH_FAILURES = AUTH_FAILURE_NAMES;

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

export function errorCode(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike;
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return e.code;
  if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string' && e.code) return e.code;
  return 'Error';
}

export function isAuthFailure(code: string): boolean {
  return AUTH_FAILURES.has(code);
}

function firstLine(s: string, max: number): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Any error from an SDK call -> EnrichmentError naming the operation, the subject and the AWS code. */
export function toEnrichmentError(err: unknown, operation: string, subject: string): EnrichmentError {
  if (err instanceof EnrichmentError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike;
  const code = errorCode(err);
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    THROTTLING.has(code) ||
    NETWORK.has(code) ||
    e.$fault === 'server' ||
    (status !== undefined && status >= 500);
  const attempts = e.$metadata?.attempts;
  const detail =
    typeof e.message === 'string' && e.message && e.message !== code ? ` (${firstLine(e.message, 200)})` : '';
  const tries = attempts ? ` after ${attempts} attempt(s)` : '';
  return new EnrichmentError(
    operation,
    code,
    retryable,
    `${operation} ${subject}: ${code}${tries}${detail}`,
    {
      cause: err,
    },
  );
}

/** Run one SDK call; every error it raises becomes an EnrichmentError. */
export async function guarded<T>(operation: string, subject: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toEnrichmentError(err, operation, subject);
  }
}

/** Validate an API response with the event schemas; a shape we cannot read is "unknown", not a crash. */
export function validated<S extends v.GenericSchema>(
  operation: string,
  subject: string,
  schema: S,
  input: unknown,
  path: string,
): v.InferOutput<S> {
  try {
    return validate(schema, input, path);
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    throw new EnrichmentError(
      operation,
      'InvalidResponse',
      false,
      `${operation} ${subject}: unexpected response: ${err.message}`,
    );
  }
}
