import type { Finding } from '../model/finding';
import type { FindingRecord, FindingStore, RecordOutcome, Scope } from './types';

/** In-memory FindingStore for the CLI and unit tests. */
export class MemoryFindingStore implements FindingStore {
  readonly records = new Map<string, FindingRecord>();

  constructor(initial: Iterable<FindingRecord> = []) {
    for (const r of initial) this.records.set(r.findingId, r);
  }

  async record(finding: Finding, at: string): Promise<RecordOutcome> {
    const prev = this.records.get(finding.findingId);
    // As in DynamoDB: an event that predates the resolution shows the old state and does not re-open it.
    if (
      prev?.status === 'resolved' &&
      prev.resolvedAt !== undefined &&
      Date.parse(prev.resolvedAt) > Date.parse(at)
    )
      return { record: prev, opened: false };
    const opened = !prev || prev.status !== 'open';
    const record: FindingRecord = opened
      ? { findingId: finding.findingId, status: 'open', finding, firstSeen: at, lastSeen: at, count: 1 }
      : { ...prev, finding, lastSeen: at > prev.lastSeen ? at : prev.lastSeen, count: prev.count + 1 };
    this.records.set(finding.findingId, record);
    return { record, opened };
  }

  async resolve(findingId: string, reason: string, at: string): Promise<FindingRecord | undefined> {
    const prev = this.records.get(findingId);
    if (!prev || prev.status !== 'open') return undefined;
    const next: FindingRecord = { ...prev, status: 'resolved', resolvedAt: at, resolvedReason: reason };
    this.records.set(findingId, next);
    return next;
  }

  async get(findingId: string): Promise<FindingRecord | undefined> {
    return this.records.get(findingId);
  }

  async *listOpen(scope: Scope): AsyncIterable<FindingRecord> {
    for (const r of this.records.values())
      if (r.status === 'open' && r.finding.account === scope.account && r.finding.region === scope.region)
        yield r;
  }

  async markNotified(findingId: string, at: string): Promise<void> {
    const prev = this.records.get(findingId);
    if (prev) this.records.set(findingId, { ...prev, lastNotifiedAt: at });
  }
}
