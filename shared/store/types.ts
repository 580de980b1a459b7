/**
 * Finding state: the lifecycle of rules.md / DESIGN.md (open / resolved, first / last seen, count, last
 * event). Behind an interface: DynamoDB in the Lambdas, memory (optionally persisted) in the CLI and tests.
 */
import type { Finding } from '../model/finding';

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
}

export interface RecordOutcome {
  readonly record: FindingRecord;
  /** True when the finding was not open before (new, or re-opened after being resolved). */
  readonly opened: boolean;
}

export interface Scope {
  readonly account: string;
  readonly region: string;
}

export interface FindingStore {
  /** Create or update the finding as seen at `at` (ISO time); increments its count. */
  record(finding: Finding, at: string): Promise<RecordOutcome>;
  /** Resolve an open finding; undefined when it was not open. */
  resolve(findingId: string, reason: string, at: string): Promise<FindingRecord | undefined>;
  get(findingId: string): Promise<FindingRecord | undefined>;
  /** Open findings of one account and region (sweep reconciliation). */
  listOpen(scope: Scope): AsyncIterable<FindingRecord>;
  markNotified(findingId: string, at: string): Promise<void>;
}
