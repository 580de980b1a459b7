/**
 * SlackInteractionStore on the state table (keys: dynamodb-keys.ts):
 *   SLACKREQ#<sha256 of the signature>  a signed request seen, TTL 10 minutes (twice Slack's window);
 *   APPROVAL#<findingId> / <firstSeen>  the approval claim (PutItem attribute_not_exists), then its outcome;
 *   FINDING#<findingId>                 `snoozedUntil` set on the open finding record;
 *   SLACKMSG#<findingId>                the bot's first message (channel, ts), kept 90 days.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../aws/classify';
import type { FindingAction } from '../model/finding';
import { approvalKey, epochSeconds, findingKey, slackMessageKey, slackRequestKey } from './dynamodb-keys';
import type { ApprovalClaim, SlackInteractionStore, SlackMessageRef } from './slack-interactions';

const DAY_MS = 86_400_000;

export interface DynamoDbSlackInteractionsOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbSlackInteractions implements SlackInteractionStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoDbSlackInteractionsOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.table = options.tableName;
  }

  private async putOnce(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  firstSighting(signatureHash: string, expiresAtMs: number): Promise<boolean> {
    return this.putOnce({
      ...slackRequestKey(signatureHash),
      kind: 'slack-request',
      expiration: epochSeconds(expiresAtMs),
    });
  }

  async claimApproval(findingId: string, firstSeen: string, by: string, at: string): Promise<ApprovalClaim> {
    const key = approvalKey(findingId, firstSeen);
    const claimed = await this.putOnce({
      ...key,
      kind: 'approval',
      by,
      at,
      expiration: epochSeconds(Date.parse(at) + 400 * DAY_MS),
    });
    if (claimed) return { claimed: true, by, at };
    // An earlier approval that changed nothing (skipped, planned) may be approved again: one press takes it
    // over atomically (its outcome removed), so concurrent presses still act once.
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET #by = :by, #at = :at REMOVE outcome',
          ConditionExpression: 'outcome.#status IN (:skipped, :planned)',
          ExpressionAttributeNames: { '#by': 'by', '#at': 'at', '#status': 'status' },
          ExpressionAttributeValues: { ':by': by, ':at': at, ':skipped': 'skipped', ':planned': 'planned' },
        }),
      );
      return { claimed: true, by, at };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    return (await this.getApproval(findingId, firstSeen)) ?? { claimed: false, by: 'unknown', at: '' };
  }

  async getApproval(findingId: string, firstSeen: string): Promise<ApprovalClaim | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: approvalKey(findingId, firstSeen), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item) return undefined;
    return {
      claimed: false,
      by: String(item.by ?? 'unknown'),
      at: String(item.at ?? ''),
      ...(item.outcome ? { outcome: item.outcome as FindingAction } : {}),
    };
  }

  async saveApprovalOutcome(findingId: string, firstSeen: string, outcome: FindingAction): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: approvalKey(findingId, firstSeen),
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': outcome },
      }),
    );
  }

  async snooze(findingId: string, until: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: findingKey(findingId),
          UpdateExpression: 'SET snoozedUntil = :u',
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':u': until, ':open': 'open' },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async saveMessage(findingId: string, ref: SlackMessageRef): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...slackMessageKey(findingId),
          kind: 'slack-message',
          channel: ref.channel,
          ts: ref.ts,
          expiration: epochSeconds(Date.now() + 90 * DAY_MS),
        },
      }),
    );
  }

  async getMessage(findingId: string): Promise<SlackMessageRef | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: slackMessageKey(findingId), ConsistentRead: true }),
    );
    const item = out.Item;
    return item && typeof item.channel === 'string' && typeof item.ts === 'string'
      ? { channel: item.channel, ts: item.ts }
      : undefined;
  }
}
