import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../../../cli/progress';

afterEach(() => vi.restoreAllMocks());

/** A Progress whose clock is `clock.now` (ms), writing into `out`. */
function setup(enabled: boolean, after?: number) {
  const clock = { now: 1_000_000 };
  vi.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const out: string[] = [];
  const p = new Progress(enabled, (s) => out.push(s), after);
  return { clock, out, p };
}

describe('Progress', () => {
  it('prints nothing when stderr is not a terminal, however long the run', () => {
    const { clock, out, p } = setup(false);
    for (let n = 1; n <= 10_000; n++) {
      clock.now += 10;
      p.tick(n);
    }
    p.done();
    expect(out).toEqual([]);
  });

  it('prints nothing for a short run, and done() writes nothing when nothing was printed', () => {
    const { clock, out, p } = setup(true);
    for (let n = 1; n < 2000; n++) {
      clock.now += 10;
      p.tick(n);
    }
    p.done();
    expect(out).toEqual([]);
  });

  it('from 2,000 events on, prints every 500 events at most every 200 ms, with the rate', () => {
    const { clock, out, p } = setup(true);
    clock.now += 1000;
    p.tick(2000); // 2,000 events in 1 s
    expect(out).toEqual(['\r\x1b[2Kevaluated 2,000 events (2,000/s)']);
    p.tick(2001); // not a multiple of 500
    clock.now += 100;
    p.tick(2500); // within 200 ms of the last print
    expect(out).toHaveLength(1);
    clock.now += 200;
    p.tick(3000);
    expect(out[1]).toBe('\r\x1b[2Kevaluated 3,000 events (2,308/s)');
    p.done();
    expect(out[2]).toBe('\r\x1b[2K');
  });

  it('honours a custom start threshold', () => {
    const { clock, out, p } = setup(true, 500);
    clock.now += 500;
    p.tick(500);
    expect(out).toEqual(['\r\x1b[2Kevaluated 500 events (1,000/s)']);
  });
});
