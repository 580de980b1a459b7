/**
 * RemediationBudget on the state table (contract: `pk` S hash, `sk` S range, TTL attribute
 * `expiration`). One item per account and hour: pk `BUDGET#<account>`, sk = the hour's start in
 * ISO-8601 (`2026-11-22T14:00:00.000Z`, the key docs/state.md reserves),
 * `used` (N), `kind: "budget"`, `expiration` = end of the hour + 1 day.
 *
 * One UpdateItem per unit: `ADD used 1` under the condition `attribute_not_exists(used) OR used < limit`.
 * DynamoDB evaluates the condition and the update atomically, so however many invocations race, at most
 * `limit` of them succeed in an hour; the others get ConditionalCheckFailedException = refused.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailure } from '../aws/classify';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hourOf, type BudgetDecision, type RemediationBudget } from './budget';
import { budgetKey } from './dynamodb-keys';

export interface DynamoDbBudgetOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbBudget implements RemediationBudget {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoDbBudgetOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client);
    this.table = options.tableName;
  }

  async tryConsume(account: string, at: Date, limit: number): Promise<BudgetDecision> {
    const hour = hourOf(at);
    if (limit <= 0) return { allowed: false, used: 0, limit, hour };
    const hourStartS = Math.floor(Date.parse(`${hour}:00:00Z`) / 1000);
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: budgetKey(account, hourStartS * 1000),
          UpdateExpression: 'SET #kind = :kind, #exp = if_not_exists(#exp, :exp) ADD #used :one',
          ConditionExpression: 'attribute_not_exists(#used) OR #used < :limit',
          ExpressionAttributeNames: { '#used': 'used', '#kind': 'kind', '#exp': 'expiration' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':kind': 'budget',
            ':exp': hourStartS + 3600 + 86_400,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const used = typeof r.Attributes?.used === 'number' ? r.Attributes.used : Number(r.Attributes?.used);
      return { allowed: true, used, limit, hour };
    } catch (err) {
      if (isConditionFailure(err)) return { allowed: false, used: limit, limit, hour };
      throw err;
    }
  }
}
