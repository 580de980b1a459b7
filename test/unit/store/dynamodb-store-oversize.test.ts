/**
 * DynamoDbFindingStore when DynamoDB refuses an item as too large although the finding looked small
 * enough (its other attributes, a changed limit): the reduced finding is recorded, never dropped. A fake
 * client, because moto applies a refused UpdateItem partly (real DynamoDB is atomic).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { DynamoDbFindingStore, isItemTooLarge } from '../../../shared/store/dynamodb-store';
import { finding } from '../notify/fixtures';

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Refuses any item whose finding JSON is longer than `limit`; otherwise opens it (new item). */
function fakeClient(limit: number): { client: DynamoDBDocumentClient; refused: number } {
  const state = { refused: 0 };
  const client = {
    send: async (cmd: unknown) => {
      if (!(cmd instanceof UpdateCommand)) throw new Error('unexpected command');
      const v = cmd.input.ExpressionAttributeValues ?? {};
      if (typeof v[':finding'] === 'string' && v[':finding'].length > limit) {
        state.refused++;
        throw named('ValidationException', 'Item size to update has exceeded the maximum allowed size');
      }
      if (!String(cmd.input.UpdateExpression).includes('firstSeen'))
        throw named('ConditionalCheckFailedException', 'The conditional request failed');
      return {
        Attributes: {
          findingId: v[':findingId'],
          status: 'open',
          finding: v[':finding'],
          firstSeen: v[':firstSeen'],
          lastSeen: v[':lastSeen'],
          count: 1,
        },
      };
    },
  } as unknown as DynamoDBDocumentClient;
  return {
    client,
    get refused() {
      return state.refused;
    },
  };
}

describe('DynamoDbFindingStore: an item DynamoDB refuses as too large', () => {
  it('records the reduced finding: the first evidence entry and a count of the rest', async () => {
    const f: Finding = finding({
      evidence: Array.from({ length: 25 }, (_, i) => ({ path: `p${i}`, message: `entry ${i}` })),
    });
    const fake = fakeClient(JSON.stringify(f).length - 1); // refuses this finding, not the reduced one
    const store = new DynamoDbFindingStore({ client: fake.client, tableName: 't' });
    const out = await store.record(f, '2026-03-01T00:00:00Z');
    expect(fake.refused).toBe(1);
    expect(out.opened).toBe(true);
    expect(out.record.finding.evidence).toEqual([
      { path: 'p0', message: 'entry 0' },
      {
        path: 'evidence',
        message: "24 more evidence entries omitted: the finding exceeded DynamoDB's item size limit",
      },
    ]);
  });

  it('other validation errors are not mistaken for size: they are thrown', async () => {
    expect(isItemTooLarge(named('ValidationException', 'One or more parameter values were invalid'))).toBe(
      false,
    );
    expect(
      isItemTooLarge(named('ValidationException', 'Item size has exceeded the maximum allowed size')),
    ).toBe(true);
    const client = {
      send: async () => {
        throw named('ValidationException', 'One or more parameter values were invalid');
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoDbFindingStore({ client, tableName: 't' });
    await expect(store.record(finding(), '2026-03-01T00:00:00Z')).rejects.toThrow('parameter values');
  });
});
