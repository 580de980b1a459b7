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

/**
 * A member account's role could not be assumed, or no role is configured to reach it. The message names
 * the account, the role and the AWS error name; never a credential or the external id.
 */
export class AccountAccessError extends GuardrailError {
  override readonly name = 'AccountAccessError';
  readonly account: string;
  /** The role name (undefined: none configured). */
  readonly roleName: string | undefined;
  /** The AWS error name (`AccessDenied`, ...) or `NoRoleConfigured`. */
  readonly code: string;
  /** True when asking again later may succeed (STS throttled, network), false when refused. */
  readonly retryable: boolean;

  constructor(account: string, roleName: string | undefined, code: string, detail: string, cause?: unknown) {
    super(
      `no access to account ${account} (${roleName ? `role ${roleName}` : 'no role'}): ${detail}`,
      cause === undefined ? undefined : { cause },
    );
    this.account = account;
    this.roleName = roleName;
    this.code = code;
    const under = cause instanceof RemediationCallError ? cause.cause : cause;
    this.retryable = under !== undefined && classifyAwsError(under).retryable;
  }
}
