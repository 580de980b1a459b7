/**
 * Finding state: the finding lifecycle (docs/notifications.md) (open / resolved, first / last seen, count, last
 * event). Behind an interface: DynamoDB in the Lambdas, memory (optionally persisted) in the CLI and tests.
 */
import type { Finding, FindingAction } from '../model/finding';

export type FindingStatus = 'open' | 'resolved';

export interface FindingRecord {
  readonly findingId: string;
  readonly status: FindingStatus;
  readonly finding: Finding;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** How many times the finding was seen (events, sweeps) since it opened. */
  readonly count: number;
  readonly resolvedAt?: string;
  readonly resolvedReason?: string;
  /** When a notification for this finding was last queued (suppression window of the notifier). */
  readonly lastNotifiedAt?: string;
  /** Outbox marker: key of the event whose notification is claimed but not yet queued (see NotifyClaim). */
  readonly pendingNotification?: string;
  /** Snoozed from Slack: no reminder before this time (ISO); cleared when the finding re-opens. */
  readonly snoozedUntil?: string;
}

export interface RecordOutcome {
  readonly record: FindingRecord;
  /** True when the finding was not open before (new, or re-opened after being resolved). */
  readonly opened: boolean;
  /** Only with a NotifyClaim: true when the record's pending notification belongs to the claim's key. */
  readonly notify?: boolean;
}

/**
 * Ask `record` to mark a notification pending on the record (atomically with the update), owned by `key`
 * (the event's idempotency key): on `open` when this call opens the record, `always` (an aggregate that
 * crossed its threshold), `never` (only report whether `key` already owns the pending notification: a
 * retry of an event whose first attempt failed before queueing).
 */
export interface NotifyClaim {
  readonly key: string;
  readonly when: 'open' | 'always' | 'never';
}

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export interface FindingStore {
  /** Create or update the finding as seen at `at` (ISO time); increments its count. */
  record(finding: Finding, at: string, claim?: NotifyClaim): Promise<RecordOutcome>;
  /** Resolve an open finding; undefined when it was not open. */
  resolve(findingId: string, reason: string, at: string): Promise<FindingRecord | undefined>;
  get(findingId: string): Promise<FindingRecord | undefined>;
  /** Open findings of one account and region (sweep reconciliation). */
  listOpen(scope: Scope): AsyncIterable<FindingRecord>;
  /** Sets lastNotifiedAt; clears the pending notification when `claimKey` owns it. */
  markNotified(findingId: string, at: string, claimKey?: string): Promise<void>;
}

/**
 * Where the remediation outcome is written back into the stored finding (DynamoDB in the Lambdas:
 * dynamodb-finding-actions.ts). `key` is the event's idempotency key: a retry of the same event (its
 * notification failed after the remediation ran) finds the outcome of its first attempt with `previous`
 * instead of acting again and reporting "already compliant".
 */
export interface FindingActionStore {
  save(finding: Finding, action: FindingAction, key: string, at: string): Promise<void>;
  previous(findingId: string, key: string): Promise<FindingAction | undefined>;
}
