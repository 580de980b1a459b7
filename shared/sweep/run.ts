/** One scan, as the CLI and the sweep function run it: sweep -> evaluate -> record and reconcile. */
import type { Policy } from '../policy/types';
import type { FindingStore } from '../store/types';
import type { RunningInventory } from '../store/running-inventory';
import type { RunningTask } from '../model/running';
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

/**
 * The running tasks the sweep saw -> the inventory, one at a time (most are already recorded: one read and
 * no write each). Best effort: a task that cannot be recorded is a warning, never a failed sweep (its
 * entry is written by its next state change or the next sweep).
 */
export async function recordRunning(
  inventory: RunningInventory,
  tasks: readonly RunningTask[],
  onWarning: ((message: string) => void) | undefined,
): Promise<void> {
  let failed = 0;
  let firstError = '';
  for (const t of tasks) {
    try {
      await inventory.apply(t);
    } catch (err) {
      failed++;
      firstError ||= err instanceof Error ? err.name : 'NonError';
    }
  }
  if (failed)
    onWarning?.(
      `running inventory: ${failed} of ${tasks.length} running task(s) not recorded (${firstError})`,
    );
}

export async function runScan(options: ScanOptions): Promise<ScanOutcome> {
  const sweep = await sweepEstate(options);
  const evaluation = evaluateSweep(sweep, options.policy, options.now?.() ?? new Date());
  const outcome = await reconcile(options.store, sweep, evaluation, {
    ...(options.storeConcurrency ? { concurrency: options.storeConcurrency } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
  });
  if (options.inventory && sweep.runningTasks?.length)
    await recordRunning(options.inventory, sweep.runningTasks, options.onWarning);
  return { sweep, evaluation, reconcile: outcome };
}
