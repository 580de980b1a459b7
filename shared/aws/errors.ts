/**
 * AWS SDK errors -> EnrichmentError. No SDK import: SDK v3 errors are read by their `name`, `$fault`
 * and `$metadata`, so this module costs nothing at cold start.
 */
import type * as v from 'valibot';
import { EnrichmentError } from '../engine/enrich';
import { InvalidEventError } from '../events/errors';
import { validate } from '../events/validate';
import { AccountAccessError, RemediationCallError } from './call-error';
import { AUTH_FAILURE_NAMES, classifyAwsError, NETWORK_ERROR_CODES } from './classify';

/** The EnrichmentError code of a read refused because the account's read role could not be assumed. */
export const NO_ACCESS = 'NoAccess';

/** The code an enrichment failure names: the Node network code when there is one (it says more than `TimeoutError`). */
export function errorCode(err: unknown): string {
  const { code, nodeCode } = classifyAwsError(err);
  return nodeCode !== undefined && NETWORK_ERROR_CODES.has(nodeCode) ? nodeCode : code;
}

export function isAuthFailure(code: string): boolean {
  return AUTH_FAILURE_NAMES.has(code);
}

function firstLine(s: string, max: number): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Any error from an SDK call -> EnrichmentError naming the operation, the subject and the AWS code. */
export function toEnrichmentError(err: unknown, operation: string, subject: string): EnrichmentError {
  if (err instanceof EnrichmentError) return err;
  // Not onboarded (or the role's trust is wrong): the credentials provider's message says which account
  // and role; STS throttling under it may pass, a denial will not.
  if (err instanceof AccountAccessError)
    return new EnrichmentError(operation, NO_ACCESS, err.retryable, err.message, {
      cause: err,
    });
  // The credentials provider's own call failed (e.g. sts:GetCallerIdentity without credentials).
  if (err instanceof RemediationCallError)
    return new EnrichmentError(
      operation,
      err.code,
      classifyAwsError(err.cause).retryable,
      `${operation} ${subject}: ${err.message}`,
      { cause: err },
    );
  const { retryable, attempts } = classifyAwsError(err);
  const code = errorCode(err);
  const e = (typeof err === 'object' && err !== null ? err : {}) as { readonly message?: unknown };
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
