/**
 * The Slack interactivity items on the state table, with the real DynamoDB client against moto_server:
 * the replay guard, the approval claim under concurrent presses (exactly one), the re-claim of an
 * approval that changed nothing, snoozes only on open findings, exemption records (idempotent put,
 * expired ones left out), the bot's first message.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExemptionRecords } from '../../shared/store/dynamodb-exemption-records';
import { DynamoDbSlackInteractions } from '../../shared/store/dynamodb-slack-interactions';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { createStateTable } from '../../shared/store/state-table';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { finding } from '../unit/notify/fixtures';

const TABLE = 'guardrail-slack-store';
let moto: Moto;
let slack: DynamoDbSlackInteractions;
let records: DynamoDbExemptionRecords;
let store: DynamoDbFindingStore;

beforeAll(async () => {
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  slack = new DynamoDbSlackInteractions({ client: ddb, tableName: TABLE });
  records = new DynamoDbExemptionRecords({ client: ddb, tableName: TABLE });
  store = new DynamoDbFindingStore({
    client: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: TABLE,
  });
});

afterAll(async () => {
  await moto?.stop();
});

describe('Slack items on the state table (moto)', () => {
  it('replay guard: the first sighting of a signature is true, every later one false', async () => {
    const h = 'e'.repeat(64);
    expect(await slack.firstSighting(h, Date.now() + 600_000)).toBe(true);
    expect(await slack.firstSighting(h, Date.now() + 600_000)).toBe(false);
  });

  it('twenty concurrent approval claims: exactly one wins; the others see it', async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        slack.claimApproval('f1', '2026-12-01T00:00:00.000Z', `slack:T0A/U${i}`, '2026-12-08T00:00:00.000Z'),
      ),
    );
    const winners = claims.filter((c) => c.claimed);
    expect(winners).toHaveLength(1);
    for (const c of claims.filter((x) => !x.claimed)) expect(c.by).toBe(winners[0]!.by);
  });

  it('an approval that changed nothing (skipped) can be claimed again, by one press; one that acted cannot', async () => {
    const seen = '2026-12-02T00:00:00.000Z';
    expect((await slack.claimApproval('f2', seen, 'a', '2026-12-08T00:00:01.000Z')).claimed).toBe(true);
    await slack.saveApprovalOutcome('f2', seen, {
      name: 'stop-task',
      status: 'skipped',
      reason: 'budget exhausted',
    });
    const again = await Promise.all([
      slack.claimApproval('f2', seen, 'b', '2026-12-08T00:00:02.000Z'),
      slack.claimApproval('f2', seen, 'c', '2026-12-08T00:00:03.000Z'),
    ]);
    expect(again.filter((c) => c.claimed)).toHaveLength(1);
    await slack.saveApprovalOutcome('f2', seen, { name: 'stop-task', status: 'done', reason: 'stopped' });
    const after = await slack.claimApproval('f2', seen, 'd', '2026-12-08T00:00:04.000Z');
    expect(after).toMatchObject({ claimed: false, outcome: { status: 'done' } });
    // Another opening of the same finding is a new approval.
    expect(
      (await slack.claimApproval('f2', '2026-12-09T00:00:00.000Z', 'e', '2026-12-09T00:00:05.000Z')).claimed,
    ).toBe(true);
  });

  it('snooze: set on an open finding, refused on a resolved or unknown one', async () => {
    const f = finding({ findingId: '1'.repeat(32) });
    await store.record(f, '2026-12-08T00:00:00.000Z');
    expect(await slack.snooze(f.findingId, '2026-12-09T00:00:00.000Z')).toBe(true);
    expect((await store.get(f.findingId))?.snoozedUntil).toBe('2026-12-09T00:00:00.000Z');
    await store.resolve(f.findingId, 'fixed', '2026-12-08T01:00:00.000Z');
    expect(await slack.snooze(f.findingId, '2026-12-10T00:00:00.000Z')).toBe(false);
    expect(await slack.snooze('2'.repeat(32), '2026-12-10T00:00:00.000Z')).toBe(false);
    // Re-opened: the snooze of the earlier opening is gone.
    await store.record(f, '2026-12-08T02:00:00.000Z');
    expect((await store.get(f.findingId))?.snoozedUntil).toBeUndefined();
  });

  it('exemption records: a retried put keeps the first, expired ones are not listed', async () => {
    const r = {
      id: 'r1',
      rule: 'td-privileged',
      arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
      until: '2026-12-31',
      reason: 'first',
      createdBy: 'slack:T0A/U0B',
      createdAt: '2026-12-08T00:00:00.000Z',
    };
    await records.put(r);
    await records.put({ ...r, reason: 'retried' });
    await records.put({ ...r, id: 'r2', until: '2026-12-01' });
    const active = await records.listActive(new Date('2026-12-10T00:00:00Z'));
    expect(active).toEqual([expect.objectContaining({ id: 'r1', reason: 'first' })]);
  });

  it("the bot's first message of a finding", async () => {
    await slack.saveMessage('f9', { channel: 'C0SEC', ts: '1700000000.000100' });
    expect(await slack.getMessage('f9')).toEqual({ channel: 'C0SEC', ts: '1700000000.000100' });
    expect(await slack.getMessage('nope')).toBeUndefined();
  });
});
