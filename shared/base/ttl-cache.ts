/**
 * A small time-bounded cache for facts that change behind our back (IAM role policies, security groups,
 * tags): an entry is served for `ttlMs` after it was loaded, then loaded again. Concurrent callers of one
 * key share one in-flight load; a failed load is not remembered (the next caller tries again); at most
 * `maxEntries` keys are kept, the least recently used dropped first. Immutable facts (task definition
 * revisions) have their own unbounded-in-time cache (shared/aws/task-definitions.ts).
 */

export interface TtlCacheOptions {
  /** How long a loaded value is served, in ms (0: never cached, only in-flight loads are shared). */
  readonly ttlMs: number;
  /** Keys kept (default 1,000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: Promise<V>;
  /** +Infinity while the load is in flight. */
  expires: number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Loads started (cache misses), for tests and metrics. */
  loads = 0;

  constructor(options: TtlCacheOptions) {
    if (!(options.ttlMs >= 0)) throw new RangeError('ttlMs must be a non-negative number');
    this.ttlMs = options.ttlMs;
    this.maxEntries = Math.max(1, options.maxEntries ?? 1_000);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The fresh cached (or in-flight) value of `key`, else `load()` once for every concurrent caller. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.fresh(key);
    if (hit) return hit;
    this.loads++;
    const entry: Entry<V> = { value: load(), expires: Number.POSITIVE_INFINITY };
    this.put(key, entry);
    entry.value.then(
      () => {
        if (this.entries.get(key) !== entry) return;
        if (this.ttlMs > 0) entry.expires = this.now() + this.ttlMs;
        else this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  /**
   * Many keys with one batched load for the ones not cached: `loadMany(missing)` answers a map; a key it
   * leaves out gets `absent` (e.g. a security group deleted meanwhile). A failed batch fails each of its
   * keys and is not remembered.
   */
  async getMany(
    keys: readonly string[],
    loadMany: (missing: string[]) => Promise<ReadonlyMap<string, V>>,
    absent: V,
  ): Promise<Map<string, V>> {
    const unique = [...new Set(keys)];
    const pending = new Map<string, Promise<V>>();
    const missing: string[] = [];
    for (const k of unique) {
      const hit = this.fresh(k);
      if (hit) pending.set(k, hit);
      else missing.push(k);
    }
    if (missing.length) {
      const batch = loadMany(missing);
      batch.catch(() => undefined); // observed through each key's promise below
      this.loads += 1 - missing.length; // one batch, however many keys
      for (const k of missing)
        pending.set(
          k,
          this.get(k, async () => (await batch).get(k) ?? absent),
        );
    }
    const out = new Map<string, V>();
    for (const k of unique) out.set(k, await pending.get(k)!);
    return out;
  }

  /** Forget one key (e.g. a change event says it is stale). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private fresh(key: string): Promise<V> | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key); // most recently used goes last
    this.entries.set(key, hit);
    return hit.value;
  }

  private put(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
