/**
 * The organization sweep's plan function (first state of the org sweep state machine): the (account,
 * region) pairs to sweep, from Organizations ListAccounts (ACTIVE accounts) x GUARDRAIL_SWEEP_REGIONS
 * (`all` = the enabled regions), minus accounts outside the policy's scope.allowAccounts, each skipped
 * account with its reason. Returns `{ pairs: [{account, region}], skipped: [{account, reason}] }`.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Context } from 'aws-lambda';
import { GuardrailError } from '../../shared/base/errors';
import { awsClientConfig } from '../../shared/aws/client-pool';
import { loadPolicy } from '../../shared/policy/file';
import type { Policy } from '../../shared/policy/types';
import type { SweepPair } from '../../shared/sweep/pair';
import { parseRegionList, planOrganization, type SkippedAccount } from '../../shared/sweep/plan';
import { SweepInputError } from '../../shared/sweep/pair';
import { ConfigError, readSweepPlanConfig, type Env } from './env';
import { logger, metrics } from './observability';

export interface SweepPlanDeps {
  readonly policy: Policy;
  readonly organizations: OrganizationsClient;
  readonly ec2: EC2Client;
  readonly regions: readonly string[] | 'all';
}

export interface SweepPlanResult {
  readonly pairs: SweepPair[];
  readonly skipped: SkippedAccount[];
}

/**
 * Step Functions passes at most 256 KiB between states: past this the plan fails with a clear error
 * instead of the state machine's DataLimitExceeded (about 4,000 pairs).
 */
export const MAX_PLAN_BYTES = 240 * 1024;

export class SweepPlanTooLargeError extends GuardrailError {
  override readonly name = 'SweepPlanTooLarge';
}

export async function planDepsFromEnvironment(env: Env = process.env): Promise<SweepPlanDeps> {
  const config = readSweepPlanConfig(env);
  let regions: readonly string[] | 'all';
  try {
    regions = parseRegionList(config.regions, 'GUARDRAIL_SWEEP_REGIONS');
  } catch (err) {
    if (err instanceof SweepInputError)
      throw new ConfigError('environment variable GUARDRAIL_SWEEP_REGIONS must be all or region names R1,R2');
    throw err;
  }
  const client = awsClientConfig('sweep');
  return {
    policy: await loadPolicy(config.policyFile, logger),
    organizations: new OrganizationsClient(client),
    ec2: new EC2Client(client),
    regions,
  };
}

export function sweepPlanHandler(getDeps: () => SweepPlanDeps | Promise<SweepPlanDeps>) {
  let deps: SweepPlanDeps | undefined;
  return async (_event: unknown, _context: Context): Promise<SweepPlanResult> => {
    deps ??= await getDeps();
    const plan = await planOrganization({
      organizations: deps.organizations,
      ec2: deps.ec2,
      regions: deps.regions,
      allowAccounts: deps.policy.scope?.allowAccounts ?? [],
    });
    const result = { pairs: plan.pairs, skipped: plan.skipped };
    const bytes = Buffer.byteLength(JSON.stringify(result));
    metrics.addMetric('SweepPlanPairs', MetricUnit.Count, plan.pairs.length);
    metrics.addMetric('SweepPlanSkippedAccounts', MetricUnit.Count, plan.skipped.length);
    logger.info('sweep plan', {
      pairs: plan.pairs.length,
      accounts: plan.accounts.length,
      regions: plan.regions,
      skipped: plan.skipped,
      bytes,
    });
    if (bytes > MAX_PLAN_BYTES)
      throw new SweepPlanTooLargeError(
        `the plan of ${plan.pairs.length} pairs is ${bytes} bytes, over the ${MAX_PLAN_BYTES} bytes a state can pass: narrow GUARDRAIL_SWEEP_REGIONS or scope.allowAccounts`,
      );
    return result;
  };
}
