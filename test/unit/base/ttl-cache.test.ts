/** The time-bounded cache of mutable facts (role policies, security groups). */
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../shared/base/ttl-cache';

const clockAt = (t = 0) => {
  const c = { t, now: () => c.t };
  return c;
};

describe('TtlCache', () => {
  it('serves a value for ttlMs, then loads again', async () => {
    const clock = clockAt();
    const cache = new TtlCache<number>({ ttlMs: 1000, now: clock.now });
    let n = 0;
    const load = () => Promise.resolve(++n);
    expect(await cache.get('k', load)).toBe(1);
    clock.t = 999;
    expect(await cache.get('k', load)).toBe(1);
    clock.t = 1000;
    expect(await cache.get('k', load)).toBe(2);
    expect(cache.loads).toBe(2);
  });

  it('concurrent callers share one in-flight load; a failure is not remembered', async () => {
    const cache = new TtlCache<number>({ ttlMs: 1000 });
    let n = 0;
    let release!: (v: number) => void;
    const slow = () => new Promise<number>((r) => ((release = r), n++));
    const a = cache.get('k', slow);
    const b = cache.get('k', slow);
    release(7);
    expect([await a, await b]).toEqual([7, 7]);
    expect(n).toBe(1);
    await expect(cache.get('x', () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    expect(await cache.get('x', () => Promise.resolve(3))).toBe(3);
  });

  it('ttlMs 0 caches nothing (only an in-flight load is shared)', async () => {
    const cache = new TtlCache<number>({ ttlMs: 0 });
    let n = 0;
    await cache.get('k', () => Promise.resolve(++n));
    await cache.get('k', () => Promise.resolve(++n));
    expect(n).toBe(2);
  });

  it('keeps at most maxEntries keys, the least recently used dropped first', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxEntries: 2 });
    await cache.get('a', () => Promise.resolve('a'));
    await cache.get('b', () => Promise.resolve('b'));
    await cache.get('a', () => Promise.resolve('a2')); // a is now the most recent
    await cache.get('c', () => Promise.resolve('c'));
    expect(cache.size).toBe(2);
    expect(await cache.get('a', () => Promise.resolve('again'))).toBe('a');
    expect(await cache.get('b', () => Promise.resolve('b reloaded'))).toBe('b reloaded');
  });

  it('getMany loads only the missing keys in one batch; a key the batch leaves out is `absent`', async () => {
    const cache = new TtlCache<string | null>({ ttlMs: 60_000 });
    await cache.get('sg-1', () => Promise.resolve('one'));
    const asked: string[][] = [];
    const out = await cache.getMany(
      ['sg-1', 'sg-2', 'sg-3', 'sg-2'],
      (missing) => {
        asked.push(missing);
        return Promise.resolve(new Map([['sg-2', 'two']]));
      },
      null,
    );
    expect(asked).toEqual([['sg-2', 'sg-3']]);
    expect([...out]).toEqual([
      ['sg-1', 'one'],
      ['sg-2', 'two'],
      ['sg-3', null],
    ]);
  });

  it('getMany: a failed batch fails the call and caches none of its keys', async () => {
    const cache = new TtlCache<string | null>({ ttlMs: 60_000, maxEntries: 1 });
    await expect(cache.getMany(['a', 'b'], () => Promise.reject(new Error('denied')), null)).rejects.toThrow(
      'denied',
    );
    expect(cache.size).toBe(0);
    // More keys than maxEntries: every answer still comes back (nothing is read after eviction).
    const out = await cache.getMany(
      ['a', 'b', 'c'],
      (m) => Promise.resolve(new Map(m.map((k) => [k, k]))),
      null,
    );
    expect([...out.values()]).toEqual(['a', 'b', 'c']);
  });
});
