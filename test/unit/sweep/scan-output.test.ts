/** The scan command's terminal output pieces: progress bar (TTY only), summary lines. */
import { describe, expect, it } from 'vitest';
import { coverageLine, findingsLine, ScanProgressBar } from '../../../cli/scan-command';
import type { Finding } from '../../../shared/model/finding';
import type { SweepProgress, SweepResult } from '../../../shared/sweep/types';

const counts = {
  clusters: 3,
  services: 1200,
  taskSets: 0,
  tasks: 40,
  containerInstances: 2,
  taskDefinitions: 900,
};
const p = (phase: SweepProgress['phase'], done: number, total: number): SweepProgress => ({
  phase,
  done,
  total,
  counts,
});

describe('ScanProgressBar', () => {
  it('prints nothing when stderr is not a terminal', () => {
    const out: string[] = [];
    const bar = new ScanProgressBar(false, (s) => out.push(s));
    bar.update(p('clusters', 1, 3));
    bar.done();
    expect(out).toEqual([]);
  });

  it('draws one line that fills over both phases and clears it at the end', () => {
    const out: string[] = [];
    const bar = new ScanProgressBar(true, (s) => out.push(s), 10);
    bar.update(p('clusters', 3, 3));
    bar.update(p('task-definitions', 900, 900));
    bar.done();
    expect(out).toEqual([
      '\r\x1b[2K[#####-----] clusters 3/3 · 3 clusters · 1,200 services · 40 tasks · 900 task definitions',
      '\r\x1b[2K[##########] task definitions 900/900 · 3 clusters · 1,200 services · 40 tasks · 900 task definitions',
      '\r\x1b[2K',
    ]);
  });
});

describe('summary lines', () => {
  it('counts findings by severity and says what was swept', () => {
    const f = (severity: Finding['severity'], ruleId: string) => ({ severity, ruleId }) as Finding;
    expect(findingsLine([f('high', 'a'), f('high', 'b'), f('low', 'a')], 10)).toBe(
      '3 findings from 2 rules over 10 resources: critical 0, high 2, medium 0, low 1, info 0',
    );
    const sweep = {
      account: '123456789012',
      region: 'eu-west-1',
      durationMs: 12_345,
      counts: { ...counts, taskSets: 1 },
      taskDefinitions: { total: 900, described: 12, fromCache: 888, tagsRefreshed: 0 },
    } as SweepResult;
    expect(coverageLine(sweep)).toBe(
      'swept 123456789012 eu-west-1 in 12.3 s: 3 clusters, 1,200 services, 1 task set, 40 running tasks, 2 container instances, 900 task definitions (12 described, 888 from cache)',
    );
  });
});
