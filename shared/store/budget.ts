/**
 * The per-account hourly remediation budget (default 10 actions per account and hour; past it
 * the guardrail notifies instead). A unit is taken just before a change is made, so already-compliant
 * resources, skips and dry-runs cost nothing. Behind an interface: an atomic conditional counter in
 * DynamoDB for the Lambdas (./dynamodb-budget.ts), memory for the CLI and unit tests.
 */

export interface BudgetDecision {
  readonly allowed: boolean;
  /** Units used in the hour after this decision (equals the limit when refused). */
  readonly used: number;
  readonly limit: number;
  /** The hour the unit was counted in, e.g. `2026-11-22T14` (UTC). */
  readonly hour: string;
}

export interface RemediationBudget {
  /** Take one unit for `account` in the hour of `at` if fewer than `limit` were taken; atomic. */
  tryConsume(account: string, at: Date, limit: number): Promise<BudgetDecision>;
}

/** `2026-11-22T14:05:00Z` -> `2026-11-22T14`. */
export function hourOf(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export class MemoryBudget implements RemediationBudget {
  private readonly used = new Map<string, number>();

  async tryConsume(account: string, at: Date, limit: number): Promise<BudgetDecision> {
    const hour = hourOf(at);
    const key = `${account}|${hour}`;
    const used = this.used.get(key) ?? 0;
    if (used >= limit) return { allowed: false, used, limit, hour };
    this.used.set(key, used + 1);
    return { allowed: true, used: used + 1, limit, hour };
  }
}
