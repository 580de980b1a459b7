/**
 * The Jira issue refs in the state table (./issue-refs.ts): pk = CHANNELREF#<findingId>, sk = jira;
 * `issueKey`, `createdBy`, `expiration` (one year after the last write). Its own module so that loading
 * the channel registry does not load lib-dynamodb (the notifier imports this with its first batch).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { channelRefKey } from '../../../store/dynamodb-keys';
import type { IssueRef, IssueRefStore } from './issue-refs';

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
