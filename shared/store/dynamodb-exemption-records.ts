/**
 * ExemptionRecords on the state table: pk `EXEMPTION#all`, sk `<rule>#<arn>#<id>` (dynamodb-keys.ts),
 * `kind: "exemption"`, the record's fields, `expiration` = the day after `until` (TTL deletes it; the
 * list leaves expired ones out before that, TTL being lazy). One partition: exemptions are few (people
 * make them one at a time) and the pipeline reads them all, cached (`CachedExemptionRecords`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../aws/classify';
import { isExpired } from '../policy/exemptions';
import { epochSeconds, EXEMPTION_RECORDS_PARTITION, exemptionRecordKey } from './dynamodb-keys';
import type { ExemptionRecord, ExemptionRecords } from './exemption-records';

const DAY_MS = 86_400_000;

export interface DynamoDbExemptionRecordsOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbExemptionRecords implements ExemptionRecords {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoDbExemptionRecordsOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.table = options.tableName;
  }

  /** Idempotent: a record with the same id (a retried job) is already there and is kept as it is. */
  async put(record: ExemptionRecord): Promise<void> {
    try {
      await this.write(record);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  private async write(record: ExemptionRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...exemptionRecordKey(record.rule, record.arn, record.id),
          kind: 'exemption',
          ...record,
          // Through the whole `until` day, then one more before TTL removes it.
          expiration: epochSeconds(Date.parse(`${record.until}T00:00:00Z`) + 2 * DAY_MS),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async listActive(now: Date): Promise<ExemptionRecord[]> {
    const out: ExemptionRecord[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': EXEMPTION_RECORDS_PARTITION },
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, kind: _kind, expiration: _exp, ...record } = item;
        const r = record as ExemptionRecord;
        if (typeof r.until === 'string' && !isExpired(r.until, now)) out.push(r);
      }
    return out;
  }
}

/**
 * The records read at most once per `ttlMs` (default 60 s) per container: every event of the pipeline
 * needs them, and a minute's delay for a new exemption is what a person clicking in Slack can live with.
 */
export class CachedExemptionRecords implements ExemptionRecords {
  private cached: { at: number; records: Promise<ExemptionRecord[]> } | undefined;

  constructor(
    private readonly inner: ExemptionRecords,
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  put(record: ExemptionRecord): Promise<void> {
    this.cached = undefined;
    return this.inner.put(record);
  }

  async listActive(now: Date): Promise<ExemptionRecord[]> {
    const t = this.clock();
    if (!this.cached || t - this.cached.at >= this.ttlMs) {
      const records = this.inner.listActive(now);
      this.cached = { at: t, records };
      records.catch(() => (this.cached = undefined));
    }
    const all = await this.cached.records;
    return all.filter((r) => !isExpired(r.until, now));
  }
}
