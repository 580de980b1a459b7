/**
 * The sweep function's handler, two inputs:
 * - a scheduled event (or no input): the same sweep as `guardrail scan` (shared/sweep) over the
 *   function's own account and region, returning the full SweepSummary as before;
 * - `{ "account": "123456789012", "region": "eu-west-1" }` (one item of the organization sweep's Map
 *   state): that pair swept through the member account's read role (policy organization.readRoleName
 *   and organization.externalId, as enrichment; the
 *   function's own account with its own role), returning the small `PairResult` the state machine
 *   collects. A bad input throws SweepInputError naming the field; throttling beyond the SDK's retries
 *   throws SweepThrottled (the state machine retries it with backoff); access denied is `failed`.
 *
 * In both cases findings are recorded recording findings in the state table (DynamoDbFindingStore) and
 * caching task definition revisions there (TD#<arn> items). Findings the sweep opens are queued on the
 * notification outbox (at most GUARDRAIL_SWEEP_NOTIFY_MAX per run); a complete sweep resolves the open
 * findings it no longer sees; a partial one resolves nothing and logs every gap.
 *
 * Environment: env.ts (readSweepConfig); AWS_MAX_ATTEMPTS (default 8, adaptive retries) is read by the
 * sweep's clients.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Outbox } from '../../shared/lifecycle/outbox';
import { SqsNotificationOutbox } from '../../shared/notify/outbox';
import { loadPolicy } from '../../shared/policy/file';
import type { Policy } from '../../shared/policy/types';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import type { FindingStore } from '../../shared/store/types';
import { STSClient } from '@aws-sdk/client-sts';
import { CrossAccountCredentials } from '../../shared/aws/credentials';
import { awsClientConfig } from '../../shared/aws/client-pool';
import { CallCounter } from '../../shared/sweep/call-counter';
import { createSweepClients, SweepClientPool } from '../../shared/sweep/clients';
import { SweepThrottledError } from '../../shared/sweep/errors';
import { SWEEP_SESSION_NAME, sweepPair, type PairStatus } from '../../shared/sweep/organization';
import { DEFAULT_ORGANIZATION_POLICY } from '../../shared/policy/document';
import { parseSweepPair, type SweepPair } from '../../shared/sweep/pair';
import { DynamoDBTaskDefinitionCache } from '../../shared/store/dynamodb-td-cache';
import { DynamoDbRunningInventory } from '../../shared/store/dynamodb-running-inventory';
import type { RunningInventory } from '../../shared/store/running-inventory';
import { runScan } from '../../shared/sweep/run';
import { DynamoDbExemptionRecords } from '../../shared/store/dynamodb-exemption-records';
import { withExemptionRecords, type ExemptionRecords } from '../../shared/store/exemption-records';
import type { TaskDefinitionCache } from '../../shared/store/td-cache';
import type { SweepClients, SweepGap } from '../../shared/sweep/types';
import { ConfigError, readRuntime, readSweepConfig, type Env } from './env';
import { logger, metrics } from './observability';

export interface SweepFunctionDeps {
  readonly policy: Policy;
  readonly store: FindingStore;
  readonly cache: TaskDefinitionCache;
  /** The running inventory the sweep refreshes (docs/running.md); absent: not kept. */
  readonly inventory?: RunningInventory;
  readonly clients: SweepClients;
  readonly concurrency: number;
  readonly notify?: { readonly notifier: Outbox; readonly max: number };
  /** Time kept back from the Lambda timeout for recording findings and reconciling (default 30 s). */
  readonly reserveMs?: number;
  /** Per-pair clients through the member read role (the organization sweep's Map items). */
  readonly pairs?: { readonly pool: SweepClientPool; readonly roleName: string };
  /** Exemptions made from Slack: read at the start of every run and honoured like the policy's own. */
  readonly exemptionRecords?: ExemptionRecords;
}

/** The deps of one run: the policy with the exemption records active now. */
async function withRecords(deps: SweepFunctionDeps): Promise<SweepFunctionDeps> {
  if (!deps.exemptionRecords) return deps;
  const now = new Date();
  return {
    ...deps,
    policy: withExemptionRecords(deps.policy, await deps.exemptionRecords.listActive(now), now),
  };
}

/** What the sweep function returns for one Map item (the state machine's contract). */
export interface PairResult {
  readonly account: string;
  readonly region: string;
  readonly status: PairStatus;
  readonly findings: number;
  readonly resolved: number;
  readonly calls: number;
  readonly reason?: string;
}

export interface SweepSummary {
  readonly account: string;
  readonly region: string;
  readonly complete: boolean;
  readonly durationMs: number;
  readonly counts: Record<string, number>;
  readonly taskDefinitions: Record<string, number>;
  readonly findings: number;
  readonly suppressed: number;
  readonly opened: number;
  readonly resolved: number;
  readonly notified: number;
  readonly gaps: readonly SweepGap[];
  readonly calls: Record<string, number>;
}

/**
 * The member read role of the policy's `organization:` section (the same role and external id enrichment
 * uses), assumed with the sweep's retry profile and its own session name.
 */
export function pairsOf(policy: Policy): NonNullable<SweepFunctionDeps['pairs']> {
  const organization = policy.organization ?? DEFAULT_ORGANIZATION_POLICY;
  return {
    roleName: organization.readRoleName,
    pool: new SweepClientPool({
      credentials: new CrossAccountCredentials({
        sts: new STSClient(awsClientConfig('sweep')),
        roleName: organization.readRoleName,
        roleKey: 'organization.readRoleName',
        sessionName: SWEEP_SESSION_NAME,
        ...(organization.externalId ? { externalId: organization.externalId } : {}),
      }),
    }),
  };
}

/** Production dependencies from the environment (the contract with serverless.yml). */
export async function depsFromEnvironment(env: Env = process.env): Promise<SweepFunctionDeps> {
  const config = readSweepConfig(env);
  const policy = await loadPolicy(config.policyFile, logger);
  const dynamodb = new DynamoDBClient({});
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    policy,
    store: new DynamoDbFindingStore({ client: documents, tableName: config.tableName }),
    cache: new DynamoDBTaskDefinitionCache(documents, { tableName: config.tableName }),
    inventory: new DynamoDbRunningInventory({
      client: documents,
      tableName: config.tableName,
      ttlHours: config.runningTtlHours,
    }),
    clients: createSweepClients(),
    concurrency: config.concurrency,
    pairs: pairsOf(policy),
    exemptionRecords: new DynamoDbExemptionRecords({ client: dynamodb, tableName: config.tableName }),
    ...(config.notify
      ? {
          notify: {
            notifier: new SqsNotificationOutbox({ queueUrl: config.notify.queueUrl }),
            max: config.notify.max,
          },
        }
      : {}),
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` -> account and region. */
export function scopeOf(context: Pick<Context, 'invokedFunctionArn'>): { account: string; region: string } {
  const parts = context.invokedFunctionArn.split(':');
  const account = parts[4];
  const region = readRuntime().region ?? parts[3];
  if (!account || !/^\d{12}$/.test(account) || !region)
    throw new ConfigError('cannot tell the account and region from the function ARN');
  return { account, region };
}

/**
 * A scheduled event (EventBridge: it has a `detail-type`), an empty input or none: sweep the function's
 * own account and region. Anything else is a Map item and must be exactly `{ account, region }`.
 */
export function pairOf(event: unknown): SweepPair | undefined {
  if (event === undefined || event === null) return undefined;
  if (typeof event === 'object' && !Array.isArray(event)) {
    if ('detail-type' in event || Object.keys(event).length === 0) return undefined;
  }
  return parseSweepPair(event);
}

function deadlineOf(context: Context, deps: SweepFunctionDeps): number {
  const remaining = context.getRemainingTimeInMillis();
  const reserve = deps.reserveMs ?? Math.max(30_000, Math.round(remaining * 0.1));
  return Date.now() + Math.max(0, remaining - reserve);
}

const PAIR_METRIC: Record<PairStatus, string> = {
  complete: 'SweepPairComplete',
  partial: 'SweepPairPartial',
  failed: 'SweepPairFailed',
};

/** One Map item: the pair through the read role (the function's own account: its own role). */
async function runPair(pair: SweepPair, deps: SweepFunctionDeps, context: Context): Promise<PairResult> {
  const allow = deps.policy.scope?.allowAccounts ?? [];
  if (!deps.pairs) throw new ConfigError('this sweep function has no member-account read role configured');
  if (allow.length && !allow.includes(pair.account)) {
    metrics.addMetric('SweepPairOutOfScope', MetricUnit.Count, 1);
    logger.warn('sweep pair refused: account not on scope.allowAccounts', { ...pair });
    return {
      ...pair,
      status: 'failed',
      findings: 0,
      resolved: 0,
      calls: 0,
      reason: `account ${pair.account} is not on the allow-list (scope.allowAccounts)`,
    };
  }
  logger.info('sweep pair started', { ...pair });
  const outcome = await sweepPair(pair, {
    pool: deps.pairs.pool,
    roleName: deps.pairs.roleName,
    policy: deps.policy,
    store: deps.store,
    cache: deps.cache,
    ...(deps.inventory ? { inventory: deps.inventory } : {}),
    concurrency: deps.concurrency,
    deadline: deadlineOf(context, deps),
    ...(deps.notify ? { notify: deps.notify } : {}),
    onWarning: (message) => logger.warn('sweep warning', { message, ...pair }),
  });
  for (const gap of outcome.scan?.sweep.gaps ?? [])
    logger.warn('sweep gap: part of the estate was not read', { gap, ...pair });
  const result: PairResult = {
    account: outcome.account,
    region: outcome.region,
    status: outcome.status,
    findings: outcome.findings,
    resolved: outcome.resolved,
    calls: outcome.calls,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  };
  metrics.addMetric(PAIR_METRIC[outcome.status], MetricUnit.Count, 1);
  metrics.addMetric('SweepFindings', MetricUnit.Count, outcome.findings);
  metrics.addMetric('SweepResolvedFindings', MetricUnit.Count, outcome.resolved);
  if (outcome.status !== 'complete' && outcome.failure === 'throttled') {
    logger.warn('sweep pair throttled: the state machine retries it', { result });
    throw new SweepThrottledError(`${pair.account} ${pair.region}: ${outcome.reason ?? 'throttled'}`);
  }
  if (outcome.status === 'complete') logger.info('sweep pair finished', { result });
  else logger.warn(`sweep pair ${outcome.status}: nothing was resolved`, { result });
  return result;
}

/** The base handler; `getDeps` runs once per container (on the first invocation). */
export function sweepHandler(getDeps: () => SweepFunctionDeps | Promise<SweepFunctionDeps>) {
  let containerDeps: SweepFunctionDeps | undefined;
  const counter = new CallCounter();
  async function handle(event: unknown, context: Context): Promise<SweepSummary | PairResult> {
    // Validate before any setup: a bad item fails fast with the field it names.
    const pair = pairOf(event);
    if (!containerDeps) {
      containerDeps = await getDeps();
      counter.attach(containerDeps.clients.ecs);
      counter.attach(containerDeps.clients.ec2);
    }
    const deps = await withRecords(containerDeps);
    if (pair) return runPair(pair, deps, context);
    counter.reset();
    const { account, region } = scopeOf(context);
    const deadline = deadlineOf(context, deps);
    logger.info('sweep started', { account, region, deadlineInMs: deadline - Date.now() });

    const { sweep, evaluation, reconcile } = await runScan({
      ...deps.clients,
      account,
      region,
      policy: deps.policy,
      store: deps.store,
      cache: deps.cache,
      ...(deps.inventory ? { inventory: deps.inventory } : {}),
      concurrency: deps.concurrency,
      deadline,
      ...(deps.notify ? { notify: deps.notify } : {}),
      onWarning: (message) => logger.warn('sweep warning', { message }),
    });

    for (const gap of sweep.gaps) logger.warn('sweep gap: part of the estate was not read', { gap });
    const summary: SweepSummary = {
      account,
      region,
      complete: sweep.complete,
      durationMs: sweep.durationMs,
      counts: { ...sweep.counts },
      taskDefinitions: { ...sweep.taskDefinitions },
      findings: evaluation.findings.length,
      suppressed: evaluation.suppressed.length,
      opened: reconcile.opened.length,
      resolved: reconcile.resolved.length,
      notified: reconcile.notified,
      gaps: sweep.gaps,
      calls: counter.snapshot(),
    };
    metrics.addMetric('SweepComplete', MetricUnit.Count, sweep.complete ? 1 : 0);
    metrics.addMetric('SweepGaps', MetricUnit.Count, sweep.gaps.length);
    metrics.addMetric('SweepFindings', MetricUnit.Count, summary.findings);
    metrics.addMetric('SweepNewFindings', MetricUnit.Count, summary.opened);
    metrics.addMetric('SweepResolvedFindings', MetricUnit.Count, summary.resolved);
    metrics.addMetric('SweepDescribedTaskDefinitions', MetricUnit.Count, sweep.taskDefinitions.described);
    metrics.addMetric('SweepDuration', MetricUnit.Milliseconds, sweep.durationMs);
    if (reconcile.notNotified)
      logger.warn('new findings past the notification cap were recorded but not notified', {
        notNotified: reconcile.notNotified,
      });
    if (sweep.complete) logger.info('sweep finished', { summary });
    else
      logger.warn('sweep partial: nothing was resolved', { summary, reason: reconcile.notReconciledReason });
    return summary;
  }
  return handle;
}
