/**
 * The Jira issue created for each finding: recorded when the issue is created, so a retried, redelivered
 * or redriven message, a reminder and the resolution all find the same issue and a second one is never
 * created (in the state table: ./dynamodb-issue-refs.ts, loaded lazily). Should the record be lost (the
 * write failed after Jira created the issue), the issue is still found by its finding label (./index.ts),
 * and recorded then.
 *
 * DynamoDB layout (the state table): pk = CHANNELREF#<findingId>, sk = jira; `issueKey`, `createdBy` (the
 * dedupe id of the notification that created it), `expiration` (one year after the last write).
 */

export interface IssueRef {
  readonly issueKey: string;
  /** Dedupe id of the notification that created the issue (absent when found by label). */
  readonly createdBy?: string;
}

export interface IssueRefStore {
  get(findingId: string): Promise<IssueRef | undefined>;
  put(findingId: string, ref: IssueRef): Promise<void>;
}

export class MemoryIssueRefStore implements IssueRefStore {
  readonly refs = new Map<string, IssueRef>();
  async get(findingId: string): Promise<IssueRef | undefined> {
    return this.refs.get(findingId);
  }
  async put(findingId: string, ref: IssueRef): Promise<void> {
    this.refs.set(findingId, ref);
  }
}
