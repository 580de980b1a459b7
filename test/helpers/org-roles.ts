/**
 * moto hands out credentials for any role ARN on AssumeRole. `enforceRoleExistence` restores what AWS
 * does for a role that does not exist: the AssumeRole call is refused with AccessDenied (checked with
 * IAM GetRole in the target account), so "an account whose role is missing" fails as it would on AWS.
 */
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { vi } from 'vitest';
import { motoClientConfig, type Moto } from './moto';
import { MANAGEMENT_ACCOUNT, memberCredentials } from './org-estate';

/**
 * AssumeRole of a role that does not exist is refused with AccessDenied, as on AWS (moto grants it).
 * Patches STSClient.prototype.send for the test file; returns the restore function.
 */
export function enforceRoleExistence(moto: Moto): () => void {
  const original = STSClient.prototype.send;
  const spy = vi.spyOn(STSClient.prototype, 'send').mockImplementation(async function (
    this: STSClient,
    command: unknown,
    ...rest: unknown[]
  ) {
    if (command instanceof AssumeRoleCommand) {
      const roleArn = command.input.RoleArn ?? '';
      const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
      if (m && m[2] !== 'OrganizationAccountAccessRole') {
        const credentials = await memberCredentials(moto, m[1]!);
        const iam = new IAMClient({ ...motoClientConfig(moto), credentials });
        try {
          await iam.send(new GetRoleCommand({ RoleName: m[2]! }));
        } catch {
          throw Object.assign(
            new Error(
              `User: arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/sweep/x is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            ),
            { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, attempts: 1 } },
          );
        }
      }
    }
    return (original as (...a: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  } as typeof original);
  return () => spy.mockRestore();
}
