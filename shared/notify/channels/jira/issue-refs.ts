/**
 * The Jira issue created for each finding: recorded when the issue is created, so a retried, redelivered
 * or redriven message, a reminder and the resolution all find the same issue and a second one is never
 * created. Should the record be lost (the write failed after Jira created the issue), the issue is still
 * found by its finding label (./index.ts), and recorded then.
 *
 * DynamoDB layout (the state table): pk = CHANNELREF#<findingId>, sk = jira; `issueKey`, `createdBy` (the
 * dedupe id of the notification that created it), `expiration` (one year after the last write).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { channelRefKey } from '../../../store/dynamodb-keys';

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

const YEAR_S = 365 * 86_400;

export class DynamoDbIssueRefStore implements IssueRefStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(findingId: string): Promise<IssueRef | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: channelRefKey(findingId, 'jira'),
        ConsistentRead: true,
      }),
    );
    if (!Item || typeof Item.issueKey !== 'string') return undefined;
    return {
      issueKey: Item.issueKey,
      ...(typeof Item.createdBy === 'string' ? { createdBy: Item.createdBy } : {}),
    };
  }

  async put(findingId: string, ref: IssueRef): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...channelRefKey(findingId, 'jira'),
          kind: 'channel-ref',
          issueKey: ref.issueKey,
          ...(ref.createdBy ? { createdBy: ref.createdBy } : {}),
          expiration: Math.floor(this.now() / 1000) + YEAR_S,
        },
      }),
    );
  }
}
