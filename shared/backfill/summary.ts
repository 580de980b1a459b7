/**
 * What a backfill batch reports, and the totals of a run: the batch summaries of every child workflow
 * added up (the Distributed Map writes them to S3; the run's last state reads them back: docs/backfill.md).
 */

/** Why records or objects were not evaluated: a problem (never a value) -> how many. */
export type Reasons = Record<string, number>;

export interface BatchSummary {
  readonly objects: number;
  /** Objects that could not be read to the end (not gzip/JSON, not a log, stream failure). */
  readonly invalidObjects: number;
  readonly records: number;
  /** Records whose eventTime is outside [from, to). */
  readonly outsideWindow: number;
  /** Records no live rule routes to the guardrail (not ECS, read-only calls, ...). */
  readonly notRouted: number;
  /** Records evaluated through the pipeline (first time or replayed). */
  readonly evaluated: number;
  /** Evaluated records already processed by an earlier run of the same record: nothing written again. */
  readonly duplicates: number;
  /** Records (or objects) refused: the problem, with the path when the parser named one. */
  readonly invalid: number;
  readonly invalidReasons: Reasons;
  readonly findings: number;
  /** Findings these records opened. */
  readonly new: number;
  readonly resolved: number;
  readonly queued: number;
  /** Records evaluated without every fact (enrichment failed): the reasons. */
  readonly incomplete: number;
  /** Records that failed for another reason (they are counted, the batch goes on). */
  readonly failed: number;
  readonly failedReasons: Reasons;
}

export const emptySummary = (): BatchSummary => ({
  objects: 0,
  invalidObjects: 0,
  records: 0,
  outsideWindow: 0,
  notRouted: 0,
  evaluated: 0,
  duplicates: 0,
  invalid: 0,
  invalidReasons: {},
  findings: 0,
  new: 0,
  resolved: 0,
  queued: 0,
  incomplete: 0,
  failed: 0,
  failedReasons: {},
});

/** At most this many distinct reasons are kept per summary; the rest are counted under "other". */
export const MAX_REASONS = 20;

function addReasons(a: Reasons, b: Reasons): Reasons {
  const out: Reasons = { ...a };
  for (const [reason, n] of Object.entries(b)) {
    const key = reason in out || Object.keys(out).length < MAX_REASONS ? reason : 'other';
    out[key] = (out[key] ?? 0) + n;
  }
  return out;
}

const COUNTS = [
  'objects',
  'invalidObjects',
  'records',
  'outsideWindow',
  'notRouted',
  'evaluated',
  'duplicates',
  'invalid',
  'findings',
  'new',
  'resolved',
  'queued',
  'incomplete',
  'failed',
] as const;

export function addSummaries(a: BatchSummary, b: BatchSummary): BatchSummary {
  const out: Record<string, unknown> = {};
  for (const k of COUNTS) out[k] = a[k] + b[k];
  return {
    ...(out as Omit<BatchSummary, 'invalidReasons' | 'failedReasons'>),
    invalidReasons: addReasons(a.invalidReasons, b.invalidReasons),
    failedReasons: addReasons(a.failedReasons, b.failedReasons),
  };
}

/** A batch summary read back from a child workflow's output; anything else is not one (null). */
export function asBatchSummary(x: unknown): BatchSummary | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  for (const k of COUNTS) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) return null;
  const reasons = (r: unknown): Reasons =>
    typeof r === 'object' && r !== null
      ? Object.fromEntries(Object.entries(r).filter((e): e is [string, number] => typeof e[1] === 'number'))
      : {};
  return {
    ...(o as unknown as BatchSummary),
    invalidReasons: reasons(o.invalidReasons),
    failedReasons: reasons(o.failedReasons),
  };
}

/** The totals of a run: every batch summary added, and the batches that failed or did not report. */
export interface RunSummary extends BatchSummary {
  readonly batches: number;
  readonly failedBatches: number;
}
