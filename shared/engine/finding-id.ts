import { createHash } from 'node:crypto';

/** Stable finding id: rule + resource ARN (+ aggregation key and window for aggregated rules). */
export function findingIdOf(
  ruleId: string,
  arn: string,
  aggregate?: { key: string; windowStartMs: number },
): string {
  const h = createHash('sha256').update(ruleId).update('\n').update(arn);
  if (aggregate) h.update('\n').update(aggregate.key).update('\n').update(String(aggregate.windowStartMs));
  return h.digest('hex').slice(0, 32);
}
