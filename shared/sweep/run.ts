/** One scan, as the CLI and the sweep function run it: sweep -> evaluate -> record and reconcile. */
import type { Policy } from '../policy/types';
import type { FindingStore } from '../store/types';
import type { RunningInventory } from '../store/running-inventory';
import { mapPool } from '../base/pool';
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
  /**
   * The running inventory (docs/running.md): the sweep records every running task it sees (new ones, and
   * known ones whose entry it keeps from expiring).
   */
  readonly inventory?: RunningInventory;
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
  const inventory = options.inventory;
  if (inventory && sweep.runningTasks?.length)
    await mapPool(sweep.runningTasks, options.storeConcurrency ?? 8, (t) => inventory.apply(t));
  return { sweep, evaluation, reconcile: outcome };
}
