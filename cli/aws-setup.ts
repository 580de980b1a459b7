/**
 * What the CLI checks before its first AWS call, and how it names an AWS failure that stops a command:
 * the cause (no region, no credentials, access denied, throttled; shared/aws/classify.ts decides) and what
 * to do, instead of the SDK's "Region is missing" or a stack trace.
 */
import { classifyAwsError, failureCause } from '../shared/aws/classify';

const HINTS: Readonly<Record<string, string>> = {
  region: 'no AWS region: set AWS_REGION (or a region in the AWS profile)',
  credentials:
    'no usable AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or run where a role is attached)',
  'access denied': 'access denied: the caller lacks an IAM permission this command needs',
  throttled: 'throttled by AWS after the SDK retries: run again later or with less concurrency',
};

/** True for what the SDK throws (service errors carry `$metadata`) and its configuration errors. */
export function isAwsError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ('$metadata' in err || '$fault' in err) return true;
  const kind = classifyAwsError(err);
  return kind.code === 'InvalidRegion' || kind.kind === 'auth';
}

/** `<cause>: <what to do>` for an AWS error, e.g. `no AWS region: set AWS_REGION ...`. */
export function describeAwsError(err: unknown): string {
  const cause = failureCause(err);
  const { code } = classifyAwsError(err);
  return HINTS[cause] ? `${HINTS[cause]} (${code})` : `${cause} (${code})`;
}

/** The exit code of an AWS error that stopped a command: 3 when it could not start (region, credentials), else 2. */
export function awsErrorExitCode(err: unknown): number {
  const cause = failureCause(err);
  return cause === 'region' || cause === 'credentials' ? 3 : 2;
}

/**
 * Before `--enrich`/`--remediate` read any input: the region the SDK would use for the CLI's own calls
 * (STS GetCallerIdentity: whose credentials these are), resolved from the environment and the profile
 * without a network call. Without it every event would fail alike; credentials are not resolved here:
 * their failure is named per event (enrichment failed, exit 2).
 */
export async function awsRegionProblem(): Promise<string | undefined> {
  // The SDK reads AWS_REGION and the profile, not AWS_DEFAULT_REGION (an AWS CLI variable).
  if (process.env.AWS_REGION) return undefined;
  const [{ STSClient }, { awsClientConfig }] = await Promise.all([
    import('@aws-sdk/client-sts'),
    import('../shared/aws/client-pool'),
  ]);
  const client = new STSClient(awsClientConfig('enrich'));
  try {
    return (await client.config.region()) ? undefined : HINTS.region;
  } catch {
    return HINTS.region;
  } finally {
    client.destroy();
  }
}
