/**
 * The remediation outcome written back into the finding's item (docs/state.md, `FINDING#<id>`/`FINDING`):
 *
 *   SET action (map: name, status, reason), actionEventKey (the event's idempotency key), actionAt,
 *       and `finding` (the JSON that is notified) with its `action` set,
 *   the latter only if `lastEventId` is still this event's (a newer event's finding is never replaced;
 *   then only the three action attributes are set).
 *
 * `previous` reads them back (consistent read) for a retry of the same event: the pipeline then reports
 * the first attempt's outcome instead of remediating again.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Finding, FindingAction } from '../model/finding';
import { findingKey, TABLE_KEYS } from './dynamodb-keys';
import type { FindingActionStore } from './types';
import { isConditionFailure } from '../aws/classify';

export interface DynamoDbFindingActionsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

function plainAction(a: FindingAction): FindingAction {
  return { name: a.name, status: a.status, ...(a.reason !== undefined ? { reason: a.reason } : {}) };
}

export class DynamoDbFindingActions implements FindingActionStore {
  constructor(private readonly options: DynamoDbFindingActionsOptions) {}

  async save(finding: Finding, action: FindingAction, key: string, at: string): Promise<void> {
    const { client, tableName } = this.options;
    const names = {
      '#action': 'action',
      '#actionEventKey': 'actionEventKey',
      '#actionAt': 'actionAt',
    };
    const values = { ':action': plainAction(action), ':key': key, ':at': at };
    const sets = '#action = :action, #actionEventKey = :key, #actionAt = :at';
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(finding.findingId),
          UpdateExpression: `SET ${sets}, #finding = :finding`,
          ConditionExpression: '#lastEventId = :eventId',
          ExpressionAttributeNames: { ...names, '#finding': 'finding', '#lastEventId': 'lastEventId' },
          ExpressionAttributeValues: {
            ...values,
            ':finding': JSON.stringify({ ...finding, action }),
            ':eventId': finding.event.id,
          },
        }),
      );
      return;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // A newer event's finding is stored: keep it, record the outcome beside it.
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: findingKey(finding.findingId),
        UpdateExpression: `SET ${sets}`,
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { ...names, '#pk': TABLE_KEYS.pk },
        ExpressionAttributeValues: values,
      }),
    );
  }

  async previous(findingId: string, key: string): Promise<FindingAction | undefined> {
    const out = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: findingKey(findingId),
        ConsistentRead: true,
        ProjectionExpression: '#action, #actionEventKey',
        ExpressionAttributeNames: { '#action': 'action', '#actionEventKey': 'actionEventKey' },
      }),
    );
    const item = out.Item as { action?: FindingAction; actionEventKey?: string } | undefined;
    return item?.actionEventKey === key && item.action ? plainAction(item.action) : undefined;
  }
}
