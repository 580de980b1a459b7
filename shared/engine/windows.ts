/**
 * Time windows for aggregated rules. Windows are tumbling and aligned to the epoch, computed from the
 * EVENT time (not arrival time), so every invocation, replay and backfill agrees on the window.
 */

export function windowStart(eventTimeMs: number, windowMs: number): number {
  return Math.floor(eventTimeMs / windowMs) * windowMs;
}

/** Counts events per key and window. The CLI uses memory; the Lambdas use DynamoDB atomic counters. */
export interface WindowCounter {
  /** Add one to the window's count and return the new count. */
  increment(key: string, windowStartMs: number, windowMs: number): number | Promise<number>;
}

export class MemoryWindowCounter implements WindowCounter {
  private readonly counts = new Map<string, number>();
  increment(key: string, windowStartMs: number): number {
    const k = `${key}\n${windowStartMs}`;
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    return n;
  }
}
