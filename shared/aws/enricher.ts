import type { Enricher } from '../engine/enrich';

/** Placeholder replaced by the AWS SDK implementation (see issue: enrichment). */
export async function createAwsEnricher(): Promise<Enricher> {
  throw new Error('enrichment is not available yet');
}
