/**
 * AuditLog on the state table (contract: `pk` S hash, `sk` S range, TTL attribute `expiration`).
 *
 * Item: pk `AUDIT#<account>`, sk `<ISO time>#<auditId>` (a Query on pk lists an account's trail in time
 * order; `sk >= <ISO time>` from a date), `kind: "audit"`, the entry's fields, `expiration` = time +
 * retention (default 400 days). Written with `attribute_not_exists(pk)`: an entry is never overwritten.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from './audit';
import { auditKey, auditPartition } from './dynamodb-keys';

export interface DynamoDbAuditLogOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days an entry is kept before DynamoDB's TTL removes it (default 400). */
  readonly retentionDays?: number;
}

export class DynamoDbAuditLog implements AuditLog {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retentionS: number;

  constructor(options: DynamoDbAuditLogOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.table = options.tableName;
    this.retentionS = (options.retentionDays ?? 400) * 86_400;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...auditKey(entry.account, entry.at, entry.auditId),
          kind: 'audit',
          ...entry,
          expiration: Math.floor(Date.parse(entry.at) / 1000) + this.retentionS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(account: string, since = ''): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    const nowS = Math.floor(Date.now() / 1000);
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': auditPartition(account),
            ...(since ? { ':since': since } : {}),
          },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) {
        // TTL deletes lazily: an expired entry may still be returned.
        if (typeof item.expiration === 'number' && item.expiration <= nowS) continue;
        const { pk: _pk, sk: _sk, kind: _kind, expiration: _exp, ...entry } = item;
        out.push(entry as AuditEntry);
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
