/**
 * Scheduled sweep (EventBridge schedule, rate(6 hours)) of the function's own account and region, and one
 * (account, region) pair per item of the organization sweep's Map state (functions/edge/sweep-handler.ts).
 */
import { lambda } from './edge/observability';
import { depsFromEnvironment, sweepHandler } from './edge/sweep-handler';

export type { PairResult, SweepSummary } from './edge/sweep-handler';

export const handler = lambda(sweepHandler(() => depsFromEnvironment()));
