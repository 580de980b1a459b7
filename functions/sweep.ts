/** Scheduled sweep (EventBridge schedule, rate(6 hours)) of the function's own account and region. */
import { lambda } from './edge/observability';
import { depsFromEnvironment, sweepHandler } from './edge/sweep-handler';

export type { SweepSummary } from './edge/sweep-handler';

export const handler = lambda(sweepHandler(() => depsFromEnvironment()));
