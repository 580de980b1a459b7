/** The organization sweep's plan (first state of the org sweep state machine): the (account, region) pairs. */
import { lambda } from './edge/observability';
import { planDepsFromEnvironment, sweepPlanHandler } from './edge/sweep-plan-handler';

export type { SweepPlanResult } from './edge/sweep-plan-handler';

export const handler = lambda(sweepPlanHandler(() => planDepsFromEnvironment()));
