/**
 * The scheduled sweep function's handler: the same sweep as `guardrail scan` (shared/sweep), over the
 * function's own account and region, recording findings in the state table (DynamoDbFindingStore) and
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
import { CallCounter } from '../../shared/sweep/call-counter';
import { createSweepClients } from '../../shared/sweep/clients';
import { DynamoDBTaskDefinitionCache } from '../../shared/store/dynamodb-td-cache';
import { runScan } from '../../shared/sweep/run';
import type { TaskDefinitionCache } from '../../shared/store/td-cache';
import type { SweepClients, SweepGap } from '../../shared/sweep/types';
import { ConfigError, readRuntime, readSweepConfig, type Env } from './env';
import { logger, metrics } from './observability';

export interface SweepFunctionDeps {
  readonly policy: Policy;
  readonly store: FindingStore;
  readonly cache: TaskDefinitionCache;
  readonly clients: SweepClients;
  readonly concurrency: number;
  readonly notify?: { readonly notifier: Outbox; readonly max: number };
  /** Time kept back from the Lambda timeout for recording findings and reconciling (default 30 s). */
  readonly reserveMs?: number;
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

/** Production dependencies from the environment (the contract with serverless.yml). */
export async function depsFromEnvironment(env: Env = process.env): Promise<SweepFunctionDeps> {
  const config = readSweepConfig(env);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    policy: await loadPolicy(config.policyFile, logger),
    store: new DynamoDbFindingStore({ client: documents, tableName: config.tableName }),
    cache: new DynamoDBTaskDefinitionCache(documents, { tableName: config.tableName }),
    clients: createSweepClients(),
    concurrency: config.concurrency,
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

/** The base handler; `getDeps` runs once per container (on the first invocation). */
export function sweepHandler(getDeps: () => SweepFunctionDeps | Promise<SweepFunctionDeps>) {
  let deps: SweepFunctionDeps | undefined;
  const counter = new CallCounter();
  return async (_event: unknown, context: Context): Promise<SweepSummary> => {
    if (!deps) {
      deps = await getDeps();
      counter.attach(deps.clients.ecs);
      counter.attach(deps.clients.ec2);
    }
    counter.reset();
    const { account, region } = scopeOf(context);
    const remaining = context.getRemainingTimeInMillis();
    const reserve = deps.reserveMs ?? Math.max(30_000, Math.round(remaining * 0.1));
    const deadline = Date.now() + Math.max(0, remaining - reserve);
    logger.info('sweep started', { account, region, deadlineInMs: deadline - Date.now() });

    const { sweep, evaluation, reconcile } = await runScan({
      ...deps.clients,
      account,
      region,
      policy: deps.policy,
      store: deps.store,
      cache: deps.cache,
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
  };
}
