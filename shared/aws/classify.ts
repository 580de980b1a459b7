/**
 * The one classifier of AWS SDK v3 errors (and the Node network errors under them): enrichment, the
 * sweep, remediation and notification delivery all read errors through it. No SDK import: errors are
 * read by `name`, `code`, `$fault` and `$metadata`, so this module costs nothing at cold start. The
 * CloudTrail throttling codes (docs/events.md) are the base list of throttling names.
 */
import { THROTTLING_ERROR_CODES } from '../events/signals';

export type AwsErrorKind =
  /** Throttled by the service: retry later, slower. */
  | 'throttled'
  /** The caller's identity or signature failed (expired token, bad key), not a permission on one resource. */
  | 'auth'
  /** The caller may not do this (IAM, KMS key policy, SCP). */
  | 'denied'
  /** The named resource (topic, parameter, key) does not exist. */
  | 'not-found'
  /** The request itself is invalid: retrying the same request cannot help. */
  | 'invalid'
  /** The request went out but no answer came in time: the service may have acted on it. */
  | 'timeout'
  /** The connection failed (refused, reset, DNS). */
  | 'network'
  /** The service failed (5xx). */
  | 'server'
  /** Anything else the client was told. */
  | 'client';

export interface AwsErrorFacts {
  readonly kind: AwsErrorKind;
  /** The SDK error name (e.g. AccessDeniedException), else the Node error code, else `Error`. */
  readonly code: string;
  /** The Node error code (ECONNRESET, ETIMEDOUT, ...) when the error carries one. */
  readonly nodeCode: string | undefined;
  /** True when the same call may succeed later (throttled, timeout, network, server). */
  readonly retryable: boolean;
  /** True when retrying cannot help until someone fixes the configuration (denied, not found, invalid). */
  readonly permanent: boolean;
  /** Sent, but not answered: the service may have acted on the request (matters for non-idempotent calls). */
  readonly unanswered: boolean;
  readonly status: number | undefined;
  /** Attempts the SDK made (retries included), when it says. */
  readonly attempts: number | undefined;
}

/** Throttling across ECS (JSON) and EC2 (query) APIs, as the SDK names them. */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  ...THROTTLING_ERROR_CODES,
  'EC2ThrottledException',
]);

/** Failures of the caller's identity or signature, not of one resource. */
export const AUTH_FAILURE_NAMES: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);

const DENIED: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'AuthorizationErrorException',
  'InvalidAccessException',
  'KMSAccessDeniedException',
  'InvalidSecurityException',
]);

const NOT_FOUND: ReadonlySet<string> = new Set([
  'NotFoundException',
  'NotFound',
  'ResourceNotFoundException',
  'KMSNotFoundException',
  'ParameterNotFound',
  'ParameterVersionNotFound',
]);

const INVALID: ReadonlySet<string> = new Set([
  'InvalidRegion',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidInputException',
  'ValidationException',
  'KMSDisabledException',
  'KMSInvalidStateException',
]);

const TIMEOUT: ReadonlySet<string> = new Set(['AbortError', 'TimeoutError', 'ETIMEDOUT', 'RequestTimeout']);

/** Node connection failures (and the SDK's own request timeout, which ends the connection). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

/** Sent but not answered in time: the service may have acted on the request. */
const NO_ANSWER: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'EPIPE',
  'AbortError',
]);

interface SdkErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

const str = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : undefined);

/** The SDK's region configuration errors are plain `Error`s ("Region is missing", "Region not accepted: ..."). */
const REGION_CONFIG_ERROR = /^Region (is missing|not accepted)/;

/**
 * The AWS error name (`ThrottlingException`, `AccessDeniedException`, ...), else the error's code, else
 * `InvalidRegion` for the SDK's region configuration errors, else `Error`.
 */
export function awsErrorName(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike & {
    readonly message?: unknown;
  };
  const name = str(e.name);
  const regionError = typeof e.message === 'string' && REGION_CONFIG_ERROR.test(e.message);
  return (name !== 'Error' ? name : undefined) ?? str(e.code) ?? (regionError ? 'InvalidRegion' : 'Error');
}

export function classifyAwsError(err: unknown): AwsErrorFacts {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike;
  const code = awsErrorName(err);
  const nodeCode = str(e.code);
  const status = e.$metadata?.httpStatusCode;
  const either = (set: ReadonlySet<string>) => set.has(code) || (nodeCode !== undefined && set.has(nodeCode));
  const kind: AwsErrorKind = THROTTLING_ERROR_NAMES.has(code)
    ? 'throttled'
    : AUTH_FAILURE_NAMES.has(code)
      ? 'auth'
      : DENIED.has(code)
        ? 'denied'
        : NOT_FOUND.has(code)
          ? 'not-found'
          : INVALID.has(code)
            ? 'invalid'
            : either(TIMEOUT)
              ? 'timeout'
              : either(NETWORK_ERROR_CODES)
                ? 'network'
                : e.$fault === 'server' || (status !== undefined && status >= 500)
                  ? 'server'
                  : 'client';
  const attempts = e.$metadata?.attempts;
  return {
    kind,
    code,
    nodeCode,
    retryable: kind === 'throttled' || kind === 'timeout' || kind === 'network' || kind === 'server',
    permanent: kind === 'denied' || kind === 'not-found' || kind === 'invalid',
    unanswered: either(NO_ANSWER),
    status,
    attempts: typeof attempts === 'number' ? attempts : undefined,
  };
}

/** DynamoDB refused a conditional write: the condition (not the service) said no. */
export function isConditionFailure(err: unknown): boolean {
  return awsErrorName(err) === 'ConditionalCheckFailedException';
}

/**
 * The cause of a failed read in a few words, for a person deciding what to fix: `credentials`, `region`,
 * `access denied`, `throttled`, ... Takes an SDK error or just its name/code (an EnrichmentError's code).
 */
export function failureCause(err: unknown): string {
  const { kind, code, nodeCode } = classifyAwsError(err);
  if (code === 'InvalidRegion') return 'region';
  if (code === 'InvalidResponse') return 'unexpected response';
  // The enricher's own codes (shared/aws/errors.ts, enricher.ts): a member account's read role refused,
  // an event naming a resource of another account.
  if (code === 'NoAccess') return 'no access to the account (read role)';
  if (code === 'AccountMismatch') return 'resource of another account';
  const dns =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN' || nodeCode === 'ENOTFOUND' || nodeCode === 'EAI_AGAIN';
  if (dns) return 'network or region (endpoint not found)';
  const CAUSES: Record<AwsErrorKind, string> = {
    throttled: 'throttled',
    auth: 'credentials',
    denied: 'access denied',
    'not-found': 'not found',
    invalid: 'invalid request',
    timeout: 'timeout',
    network: 'network',
    server: 'AWS server error',
    client: 'AWS error',
  };
  return CAUSES[kind];
}
