import { hash } from 'node:crypto';

/**
 * Stable finding id: rule + resource ARN (+ aggregation key and window for aggregated rules, + the key of
 * a rule with several findings per resource: SignalOutcome.key).
 */
export function findingIdOf(
  ruleId: string,
  arn: string,
  aggregate?: { key: string; windowStartMs: number },
  key?: string,
): string {
  if (key !== undefined) return hash('sha256', `${ruleId}\n${arn}\n#${key}`).slice(0, 32);
  // One-shot hash of the same bytes as update(ruleId), update('\n'), ...: about half the cost per finding.
  const data = aggregate
    ? `${ruleId}\n${arn}\n${aggregate.key}\n${String(aggregate.windowStartMs)}`
    : `${ruleId}\n${arn}`;
  return hash('sha256', data).slice(0, 32);
}
