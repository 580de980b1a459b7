/** Helpers shared by the signal rules (throttle-*, ops-*): evaluated on signals, aggregated per key and window. */
import * as v from 'valibot';
import { compileSecretPatterns, DEFAULT_SECRET_PATTERNS, redactText } from '../secrets';

export const minutes = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1440));

const SECRETS = compileSecretPatterns(DEFAULT_SECRET_PATTERNS);
/** An ECS reason text as it may be shown: `: <reason>` with credentials redacted, or nothing. */
export const reasonSuffix = (reason: string | undefined): string =>
  reason ? `: ${redactText(reason, SECRETS)}` : '';

export const THROTTLE_ADVICE =
  'Retry with exponential backoff and jitter; when throttling is sustained, request a quota increase through AWS Support.';
