/**
 * Bounded concurrency for the sweep: one Limiter caps how many AWS calls are in flight at once, whatever
 * part of the sweep issues them, so a large estate never bursts past the ECS API rate limits.
 */

export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError('concurrency must be a positive integer');
  }

  /** Run `fn` when a slot is free. Never call `run` from inside `fn` (a full pool would deadlock). */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  /** Calls running now (for tests and progress). */
  get inFlight(): number {
    return this.active;
  }
}

/** Map with at most `concurrency` calls of `fn` running at once; results keep the input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limiter = new Limiter(concurrency);
  return Promise.all(items.map((item, i) => limiter.run(() => fn(item, i))));
}

/** `[1..n]` cut into arrays of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
