/**
 * The state table as infra/state.yml deploys it (docs/state.md): pk/sk, sparse GSI gsi1 (gsi1pk/gsi1sk,
 * projection ALL), TTL on `expiration`, on demand. Created here only where CloudFormation does not run:
 * the local pipeline, tests and benchmarks against moto_server (test/unit/store/state-table.test.ts checks
 * it matches the template). Not imported by any handler.
 */
import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from './dynamodb-keys';

export function stateTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Create the table (an existing one is kept when `keepExisting`), wait for it, enable TTL. */
export async function createStateTable(
  client: DynamoDBClient,
  tableName: string,
  options: { readonly keepExisting?: boolean } = {},
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(stateTableDefinition(tableName)));
  } catch (err) {
    if (!options.keepExisting || (err as Error).name !== 'ResourceInUseException') throw err;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttl, Enabled: true },
    }),
  );
}
