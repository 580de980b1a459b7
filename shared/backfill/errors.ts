import { GuardrailError } from '../base/errors';

/**
 * A bad backfill request (a flag of `guardrail backfill`, a field of the state machine's input or of a
 * batch): the message names the flag or field and the problem, never the value.
 */
export class BackfillInputError extends GuardrailError {
  override readonly name = 'BackfillInputError';
}

/**
 * A batch failed for a reason that passes (S3 or DynamoDB throttled, a timeout, a server fault, a record
 * another invocation is processing): the backfill state machine's Retry names it and runs the batch again.
 * The records evaluated before it are idempotent, so the replay writes nothing twice.
 */
export class BackfillRetryableError extends GuardrailError {
  override readonly name = 'BackfillRetryable';
}
