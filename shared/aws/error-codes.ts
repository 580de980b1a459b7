/**
 * AWS error names shared by every caller that classifies SDK v3 errors (enrichment, sweep). No SDK
 * import: errors are read by `name`. The CloudTrail throttling codes (docs/events.md) are the base list.
 */
import { THROTTLING_ERROR_CODES } from '../events/signals';

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
