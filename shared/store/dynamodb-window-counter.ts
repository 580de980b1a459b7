/**
 * WindowCounter on DynamoDB: one item per aggregation key and window, incremented with an atomic `ADD`
 * that returns the new count. Concurrent invocations each get a distinct count (1, 2, 3, ...), so exactly
 * one of them sees the threshold: the engine's completeWindow marks `aggregate.crossed` on that one only,
 * and only that invocation queues the notification. The window is part of the key (windows are aligned to
 * the epoch and computed from the event time), so counting never depends on TTL; TTL only cleans up.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WindowCounter } from '../engine/windows';
import { epochSeconds, windowKey } from './dynamodb-keys';

export interface DynamoDbWindowCounterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * How long a window item outlives its window end before TTL may delete it. Late events (EventBridge
   * retries for up to 24 h, Lambda async retries for up to 6 h) must still find their window, or the
   * count would restart and cross the threshold a second time. Default 48 h.
   */
  readonly retainAfterWindowMs?: number;
}

export const DEFAULT_WINDOW_RETENTION_MS = 48 * 3600_000;

export class DynamoDbWindowCounter implements WindowCounter {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retainMs: number;

  constructor(options: DynamoDbWindowCounterOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retainMs = options.retainAfterWindowMs ?? DEFAULT_WINDOW_RETENTION_MS;
  }

  async increment(key: string, windowStartMs: number, windowMs: number): Promise<number> {
    const windowEndMs = windowStartMs + windowMs;
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: windowKey(key, windowStartMs),
        UpdateExpression:
          'ADD #count :one SET #kind = :kind, #key = :key, #windowEnd = :windowEnd, #expiration = :expiration',
        ExpressionAttributeNames: {
          '#count': 'count',
          '#kind': 'kind',
          '#key': 'windowKey',
          '#windowEnd': 'windowEnd',
          '#expiration': 'expiration',
        },
        ExpressionAttributeValues: {
          ':one': 1,
          ':kind': 'window',
          ':key': key,
          ':windowEnd': new Date(windowEndMs).toISOString(),
          ':expiration': epochSeconds(windowEndMs + this.retainMs),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = out.Attributes?.count;
    if (typeof count !== 'number') throw new Error('window counter: UpdateItem returned no count');
    return count;
  }
}
