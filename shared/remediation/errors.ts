/**
 * Errors of remediation calls: the call error lives with the AWS facts (shared/aws/call-error.ts, the
 * credentials provider raises it too). A failed action reports the AWS error NAME and the operation,
 * never the error message and never credentials.
 */
import { awsErrorName } from '../aws/classify';
import { RemediationCallError } from '../aws/call-error';

export { awsCall, RemediationCallError } from '../aws/call-error';

/** The AWS error code (`ThrottlingException`, `AccessDeniedException`, ...) or the error's name. */
export const errorName = awsErrorName;

/** The text a `failed` action carries: the error name and the operation, nothing else. */
export function failureReason(err: unknown): string {
  if (err instanceof RemediationCallError) return err.message;
  return errorName(err);
}
