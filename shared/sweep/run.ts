/** One scan, as the CLI and the sweep function run it: sweep -> evaluate -> record and reconcile. */
import type { Policy } from '../policy/types';
import type { FindingStore } from '../store/types';
import {
  evaluateSweep,
  reconcile,
  type ReconcileOptions,
  type ReconcileOutcome,
  type SweepEvaluation,
} from './reconcile';
import { sweepEstate } from './sweep';
import type { SweepOptions, SweepResult } from './types';

export interface ScanOptions extends SweepOptions {
  readonly policy: Policy;
  readonly store: FindingStore;
  /** Store writes in flight at once (default 8). */
  readonly storeConcurrency?: number;
  /** Notify findings the sweep opens (the sweep function; the CLI prints instead). */
  readonly notify?: ReconcileOptions['notify'];
}

export interface ScanOutcome {
  readonly sweep: SweepResult;
  readonly evaluation: SweepEvaluation;
  readonly reconcile: ReconcileOutcome;
}

export async function runScan(options: ScanOptions): Promise<ScanOutcome> {
  const sweep = await sweepEstate(options);
  const evaluation = evaluateSweep(sweep, options.policy, options.now?.() ?? new Date());
  const outcome = await reconcile(options.store, sweep, evaluation, {
    ...(options.storeConcurrency ? { concurrency: options.storeConcurrency } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
  });
  return { sweep, evaluation, reconcile: outcome };
}
