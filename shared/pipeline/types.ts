/** The seams of the pipeline: where findings go after evaluation, and what it reports. */
import type { Finding, FindingAction } from '../model/finding';
import type { NotificationOutbox } from '../notify/outbox';

/**
 * Queue of findings to notify (the notifier function delivers them to SNS / Slack / Security Hub).
 * `send` resolves once the queue accepted the message; an error fails the event, which is retried.
 */
export interface Outbox extends NotificationOutbox {
  send(finding: Finding, meta: OutboxMeta): Promise<void>;
}

export interface OutboxMeta {
  /** The event's idempotency key: the same (finding, event) pair always carries the same key. */
  readonly dedupeKey: string;
}

/**
 * Acts on a finding whose rule is in `remediate` mode. Must not throw: a failure is returned as an action
 * with status `failed` (the pipeline converts a thrown error into one, too). Honours the policy's dryRun
 * itself (reads, then reports `planned`: "dry-run: would have ..."), so the pipeline always calls it.
 * The Lambdas use shared/remediation's PipelineRemediator, loaded lazily (lazy-remediator.ts).
 */
export interface Remediator {
  remediate(finding: Finding): Promise<FindingAction>;
}

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
  /** Set when the event lacked facts the rules need (and enrichment could not supply them). */
  readonly incomplete?: string;
  /**
   * Set when the event was dropped before processing: the accounts it names that are not on the policy's
   * scope.allowAccounts (shared/policy/scope.ts). Nothing was recorded, remediated or notified.
   */
  readonly outsideAllowList?: readonly string[];
}

/** The logger surface the pipeline uses (Powertools Logger satisfies it). */
export interface PipelineLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
  appendKeys(attributes: Record<string, unknown>): void;
  removeKeys(keys: string[]): void;
}

/** The metrics surface the pipeline uses (EMF through Powertools Metrics in the Lambdas). */
export interface PipelineMetrics {
  /** Add to a metric of this invocation (flushed by the middleware). */
  count(name: string, value?: number): void;
  /** A metric with its own dimensions, e.g. findings per rule and severity. */
  countWith(name: string, dimensions: Record<string, string>, value?: number): void;
}

export const noMetrics: PipelineMetrics = {
  count: () => undefined,
  countWith: () => undefined,
};
