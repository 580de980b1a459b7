/** The seams of the pipeline: where findings go after evaluation, and what it reports. */
import type { Remediator } from '../remediation/remediator';

/**
 * The remediation seam: the Remediator's own `remediate(finding, { resources })` (shared/remediation),
 * given the event's resources (services and tasks carry their cluster there). It resolves to the finding
 * with its `action` set to the outcome, or without one when it did not act (not in remediate mode,
 * exempted); a failure is an action with status `failed` (the pipeline converts a thrown error into one,
 * too). It honours the policy's dryRun itself (reads, then reports `planned`), so the pipeline always
 * calls it. The Lambdas load the real one on the first finding to remediate (functions/edge/lazy.ts).
 */
export type RemediatorPort = Pick<Remediator, 'remediate'>;

export type { FindingActionStore } from '../store/types';

/** What the handler returns for one event (also the value Powertools idempotency stores and replays). */
export interface PipelineSummary {
  readonly eventId: string;
  /** The parsed kind: task, containerInstance, deployment, serviceAction, cloudTrail, other. */
  readonly kind: string;
  /** Findings evaluated (exempted ones excluded). */
  readonly findings: number;
  /** Findings this event opened (new, or re-opened after being resolved). */
  readonly new: number;
  /** Notifications queued on the outbox by this event. */
  readonly queued: number;
  /** Findings suppressed by a valid exemption (neither recorded nor notified). */
  readonly exempted: number;
  /** Remediation actions run (or replayed from an earlier attempt of this event). */
  readonly remediations: number;
  /** Open findings this event resolved (it shows the fix, or a remediation succeeded). */
  readonly resolved: number;
  /** Task state changes with a running inventory: what it did (added, removed, stale, ...: docs/running.md). */
  readonly inventory?: string;
  /** Set when the event lacked facts the rules need (and enrichment could not supply them). */
  readonly incomplete?: string;
  /**
   * Set when the event was dropped before processing: the accounts it names that are not on the policy's
   * scope.allowAccounts (shared/policy/scope.ts). Nothing was recorded, remediated or notified.
   */
  readonly outsideAllowList?: readonly string[];
}
