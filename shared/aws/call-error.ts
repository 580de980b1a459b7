/**
 * An AWS call that changes or reads live state on the guardrail's behalf (remediation, assuming a
 * member-account role) failed. The error reports the AWS error NAME and the operation, never the error
 * message (messages can quote request parameters) and never credentials.
 */
import { GuardrailError } from '../base/errors';
import { classifyAwsError } from './classify';

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
