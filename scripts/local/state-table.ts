/** The state table for the local pipeline: the shared definition; a table an earlier run made is kept. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStateTable as create } from '../../shared/store/state-table';

export function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return create(client, tableName, { keepExisting: true });
}
