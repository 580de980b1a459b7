import { describe, expect, it } from 'vitest';
import { chunks, Limiter, mapPool } from '../../../shared/base/pool';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('Limiter / mapPool', () => {
  it('never runs more than `concurrency` tasks at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([...Array(25).keys()], 4, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      return n * 2;
    });
    expect(peak).toBe(4);
    expect(out).toEqual([...Array(25).keys()].map((n) => n * 2));
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
    expect(limiter.inFlight).toBe(0);
  });

  it('rejects a concurrency that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });

  it('cuts lists into batches (DescribeServices takes 10)', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 10)).toEqual([]);
  });
});
