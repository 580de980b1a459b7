/**
 * The organization sweep: each (account, region) pair is swept on its own (shared/sweep/run.ts: sweep ->
 * evaluate -> record -> reconcile that pair only), with the member read role's clients from the pool
 * and the one task definition cache shared by every pair and run. A pair never throws: a role that
 * cannot be assumed, a denied listing or an internal error makes that pair `failed` with its reason,
 * and the other pairs go on. A partial pair resolves nothing (reconcile.ts); a complete pair resolves
 * only its own account and region's findings.
 */
import { classifyAwsError } from '../aws/classify';
import { partitionOf } from '../model/arn';
import { mapPool } from '../base/pool';
import type { PairClients, SweepClientPool } from './clients';
import { classifyError, type GapKind } from './errors';
import type { SweepPair } from './pair';
import { runScan, type ScanOptions, type ScanOutcome } from './run';
import type { SweepGap } from './types';

export type PairStatus = 'complete' | 'partial' | 'failed';

/** The per-pair result (the sweep Lambda's output for a Map item, without `scan` and `failure`). */
export interface PairOutcome extends SweepPair {
  readonly status: PairStatus;
  readonly findings: number;
  readonly resolved: number;
  /** AWS calls the pair's sweep made (retries excluded). */
  readonly calls: number;
  /** Why the pair is partial or failed. Names operations, roles and error codes; never credentials. */
  readonly reason?: string;
  /** What made it fail or partial: `throttled` is worth a retry later, `access-denied` is not. */
  readonly failure?: GapKind;
  /** The full scan, for the CLI's report (absent when the pair failed before sweeping). */
  readonly scan?: ScanOutcome;
}

export type PairScanOptions = Omit<ScanOptions, 'ecs' | 'ec2' | 'account' | 'region'>;

export interface SweepPairOptions extends PairScanOptions {
  readonly pool: SweepClientPool;
  /** The role name, for the "no access" reason (the pool's credentials source assumes it). */
  readonly roleName: string;
}

const MAX_REASON = 600;
/** The STS session name of the sweep's read role (CloudTrail in the member account shows it). */
export const SWEEP_SESSION_NAME = 'ecs-guardrail-sweep';

/** The role a pair's sweep assumes, as named in its "no access" reason. */
export function readRoleArn(pair: SweepPair, roleName: string): string {
  return `arn:${partitionOf(pair.region)}:iam::${pair.account}:role/${roleName}`;
}

function gapReason(gaps: readonly SweepGap[]): string {
  const shown = gaps
    .slice(0, 3)
    .map((g) => `missed ${g.missed} (${g.operation}: ${g.code})`)
    .join('; ');
  const more = gaps.length > 3 ? `; and ${gaps.length - 3} more` : '';
  return `${gaps.length} gap(s): ${shown}${more}`.slice(0, MAX_REASON);
}

function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5; i++) {
    const next = (e as { cause?: unknown } | null)?.cause;
    if (next === undefined) break;
    e = next;
  }
  return e;
}

/** The one kind every gap shares, else `error`. */
function failureOf(gaps: readonly SweepGap[]): GapKind {
  const kinds = new Set(gaps.map((g) => g.kind));
  return kinds.size === 1 ? [...kinds][0]! : 'error';
}

export async function sweepPair(pair: SweepPair, o: SweepPairOptions): Promise<PairOutcome> {
  const { pool, roleName, ...scanOptions } = o;
  let pc: PairClients;
  try {
    pc = await pool.get(pair.account, pair.region);
  } catch (err) {
    // The credentials provider wraps the STS error (once or twice): classify what AWS said.
    const cause = rootCause(err);
    // AccountAccessError names no-role and invalid-account cases itself (no AWS error under it).
    const own = err as { name?: unknown; code?: unknown };
    const code =
      cause === err && own.name === 'AccountAccessError' && typeof own.code === 'string'
        ? own.code
        : classifyAwsError(cause).code;
    const kind = classifyError(cause).kind;
    return {
      ...pair,
      status: 'failed',
      findings: 0,
      resolved: 0,
      calls: 0,
      reason: `no access to account ${pair.account} (role ${readRoleArn(pair, roleName)}): ${code}`,
      failure: kind,
    };
  }
  const before = pc.counter.total();
  try {
    const scan = await runScan({ ...scanOptions, ...pc.clients, account: pair.account, region: pair.region });
    const calls = pc.counter.total() - before;
    const { sweep, evaluation, reconcile } = scan;
    const base = {
      ...pair,
      findings: evaluation.findings.length,
      resolved: reconcile.resolved.length,
      calls,
      scan,
    };
    if (sweep.complete) return { ...base, status: 'complete' };
    // Nothing of the estate was read when the cluster listing itself failed.
    const nothingRead = sweep.gaps.some((g) => g.operation === 'ListClusters');
    return {
      ...base,
      status: nothingRead ? 'failed' : 'partial',
      reason: gapReason(sweep.gaps),
      failure: failureOf(sweep.gaps),
    };
  } catch (err) {
    // A store or evaluation failure: this pair only.
    const c = classifyError(err);
    return {
      ...pair,
      status: 'failed',
      findings: 0,
      resolved: 0,
      calls: pc.counter.total() - before,
      reason: `sweep failed (${c.code})`,
      failure: c.kind,
    };
  }
}

export interface OrganizationSweepOptions extends SweepPairOptions {
  /** Pairs swept at once (each with its own limit of AWS calls in flight, `concurrency`). */
  readonly pairConcurrency: number;
  /** Called as each pair finishes (done counts finished pairs). */
  readonly onPairDone?: (outcome: PairOutcome, done: number, total: number) => void;
}

/** Sweep every pair, at most `pairConcurrency` at once; results in the order of `pairs`. */
export async function sweepOrganization(
  pairs: readonly SweepPair[],
  o: OrganizationSweepOptions,
): Promise<PairOutcome[]> {
  const { pairConcurrency, onPairDone, ...pairOptions } = o;
  let done = 0;
  return mapPool(pairs, pairConcurrency, async (pair) => {
    const outcome = await sweepPair(pair, pairOptions);
    done++;
    onPairDone?.(outcome, done, pairs.length);
    return outcome;
  });
}
