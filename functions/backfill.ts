/**
 * Backfill: one batch of CloudTrail log objects of the backfill state machine's Distributed Map, through
 * the live pipeline, and the run's totals at the end (docs/backfill.md). Never remediates.
 */
import { backfillHandler, liveDeps } from './edge/backfill-handler';
import { lambda } from './edge/observability';

export const handler = lambda(
  backfillHandler(() =>
    // The enricher is loaded on the first record that lacks facts (a truncated RegisterTaskDefinition, ...);
    // member accounts are read through their read role, as in the live functions.
    liveDeps({ enricher: (o) => import('../shared/aws/enricher').then((m) => m.createAwsEnricher(o)) }),
  ),
);
