/**
 * Errors of remediation calls. A failed action reports the AWS error NAME and the operation, never the
 * error message (messages can quote request parameters) and never credentials.
 */
import { awsErrorName, classifyAwsError } from '../aws/classify';
import { GuardrailError } from '../errors';

/** The AWS error code (`ThrottlingException`, `AccessDeniedException`, ...) or the error's name. */
export const errorName = awsErrorName;

/** An AWS call made by a remediation failed. */
export class RemediationCallError extends GuardrailError {
  override readonly name = 'RemediationCallError';
  /** e.g. `ecs:UpdateService`. */
  readonly operation: string;
  /** The AWS error name, e.g. `ThrottlingException`. */
  readonly code: string;
  /** SDK attempts made (first try included), when the SDK reported them. */
  readonly attempts: number | undefined;

  constructor(operation: string, err: unknown) {
    const { code, attempts } = classifyAwsError(err);
    super(`${code} on ${operation}${attempts && attempts > 1 ? ` after ${attempts} attempts` : ''}`, {
      cause: err,
    });
    this.operation = operation;
    this.code = code;
    this.attempts = attempts;
  }
}

/** Run one AWS call; any error becomes a RemediationCallError naming the operation. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof RemediationCallError) throw err;
    throw new RemediationCallError(operation, err);
  }
}

/** The text a `failed` action carries: the error name and the operation, nothing else. */
export function failureReason(err: unknown): string {
  if (err instanceof RemediationCallError) return err.message;
  return errorName(err);
}
