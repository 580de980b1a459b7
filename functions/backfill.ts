/**
 * Backfill: one batch of CloudTrail log objects of the backfill state machine's Distributed Map, through
 * the live pipeline, and the run's totals at the end (docs/backfill.md).
 */
import patterns from '../infra/event-patterns.json';
import { backfillHandler, s3Reader } from './edge/backfill-handler';
import { lambda } from './edge/observability';

export const handler = lambda(
  backfillHandler(() => ({
    // The rules whose events are CloudTrail records (state-change events are not in CloudTrail logs).
    patterns: [patterns['cloudtrail-api-call'], patterns.throttling],
    read: s3Reader(),
    options: {
      // Loaded on the first record that lacks facts (a truncated RegisterTaskDefinition, ...).
      enricher: () => import('../shared/aws/enricher').then((m) => m.createAwsEnricher()),
    },
  })),
);
