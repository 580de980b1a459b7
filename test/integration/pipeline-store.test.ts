/**
 * DynamoDbFindingStore and DynamoDbWindowCounter against moto_server DynamoDB (real lib-dynamodb client).
 * Concurrent calls go through the serializing proxy (test/helpers/pipeline-harness.ts): moto's
 * conditional writes are not atomic under concurrent requests, DynamoDB's are.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { DynamoDbFindingActions } from '../../shared/store/dynamodb-finding-actions';
import { findingKey, windowKey } from '../../shared/store/dynamodb-keys';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { DynamoDbWindowCounter } from '../../shared/store/dynamodb-window-counter';
import type { FindingRecord } from '../../shared/store/types';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { createStateTable, startSerialProxy, type SerialProxy } from '../helpers/pipeline-harness';

const TABLE = 'guardrail-store';
let moto: Moto;
let proxy: SerialProxy;
let docs: DynamoDBDocumentClient;
let store: DynamoDbFindingStore;
let counter: DynamoDbWindowCounter;

function finding(id: string, eventId: string, time: string, extra: Partial<Finding> = {}): Finding {
  return {
    findingId: id,
    ruleId: 'svc-public-ip',
    severity: 'high',
    title: 'Service assigns public IPs',
    resource: { type: 'AWS::ECS::Service', arn: `arn:aws:ecs:us-west-2:111122223333:service/c/${id}` },
    account: '111122223333',
    region: 'us-west-2',
    evidence: [{ path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp', message: 'ENABLED' }],
    event: { id: eventId, source: 'aws.ecs', detailType: 'AWS API Call via CloudTrail', time },
    controls: { securityHub: 'ECS.2' },
    mode: 'notify',
    ...extra,
  };
}

async function collect(it: AsyncIterable<FindingRecord>): Promise<FindingRecord[]> {
  const out: FindingRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startSerialProxy(moto.endpoint);
  const ddb = new DynamoDBClient({ ...motoClientConfig(moto), endpoint: proxy.endpoint });
  await createStateTable(ddb, TABLE);
  docs = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoDbFindingStore({ client: docs, tableName: TABLE });
  counter = new DynamoDbWindowCounter({ client: docs, tableName: TABLE });
});

afterAll(async () => {
  await proxy?.close();
  await moto?.stop();
});

describe('DynamoDbFindingStore', () => {
  it('30 concurrent sightings of a new finding: opened exactly once, no count lost, latest event kept', async () => {
    const base = Date.parse('2026-03-09T12:00:00Z');
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const t = new Date(base + i * 1000).toISOString();
        return store.record(finding('conc', `e${i}`, t), t);
      }),
    );
    expect(outcomes.filter((o) => o.opened)).toHaveLength(1);
    const rec = await store.get('conc');
    expect(rec).toMatchObject({
      status: 'open',
      count: 30,
      firstSeen: expect.any(String),
      lastSeen: '2026-03-09T12:00:29.000Z',
    });
    expect(rec!.finding.event.id).toBe('e29');
    expect(rec!.firstSeen <= rec!.lastSeen).toBe(true);
  });

  it('an older event (out-of-order delivery) is counted but does not replace the latest', async () => {
    await store.record(finding('ooo', 'new', '2026-03-09T12:10:00Z'), '2026-03-09T12:10:00Z');
    const older = await store.record(finding('ooo', 'old', '2026-03-09T12:00:00Z'), '2026-03-09T12:00:00Z');
    expect(older.opened).toBe(false);
    expect(older.record).toMatchObject({ count: 2, lastSeen: '2026-03-09T12:10:00.000Z' });
    expect(older.record.finding.event.id).toBe('new');
  });

  it('resolve, then re-open only for an event after the resolution', async () => {
    const f = finding('life', 'e1', '2026-03-09T12:00:00Z');
    await store.record(f, '2026-03-09T12:00:00Z');
    await store.markNotified('life', '2026-03-09T12:00:05Z');
    const resolved = await store.resolve('life', 'fixed: assignPublicIp DISABLED', '2026-03-09T13:00:00Z');
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-09T13:00:00.000Z' });
    expect(await store.resolve('life', 'again', '2026-03-09T13:00:01Z')).toBeUndefined();
    const item = await docs.send(new GetCommand({ TableName: TABLE, Key: findingKey('life') }));
    expect(item.Item!.gsi1pk).toBeUndefined(); // out of the open-findings index
    expect(item.Item!.expiration).toBe(Date.parse('2026-03-09T13:00:00Z') / 1000 + 90 * 86400);

    // A late event from before the resolution shows the old state: it must not re-open the finding.
    const late = await store.record(finding('life', 'late', '2026-03-09T12:30:00Z'), '2026-03-09T12:30:00Z');
    expect(late.opened).toBe(false);
    expect(late.record.status).toBe('resolved');

    const again = await store.record(finding('life', 'e2', '2026-03-09T14:00:00Z'), '2026-03-09T14:00:00Z');
    expect(again.opened).toBe(true);
    expect(again.record).toMatchObject({ status: 'open', count: 1, firstSeen: '2026-03-09T14:00:00.000Z' });
    expect(again.record.lastNotifiedAt).toBeUndefined();
    expect(again.record.resolvedAt).toBeUndefined();
    const reopened = await docs.send(new GetCommand({ TableName: TABLE, Key: findingKey('life') }));
    expect(reopened.Item!.expiration).toBeUndefined();
  });

  it('lists the open findings of one account and region through gsi1, without expired ones', async () => {
    const scope = { account: '444455556666', region: 'eu-west-1' };
    const mine = (id: string, extra: Partial<Finding> = {}) =>
      finding(id, `ev-${id}`, '2026-03-09T12:00:00Z', { ...scope, ...extra });
    await store.record(mine('open-1'), '2026-03-09T12:00:00Z');
    await store.record(mine('open-2'), '2026-03-09T12:01:00Z');
    await store.record(mine('gone'), '2026-03-09T12:02:00Z');
    await store.resolve('gone', 'fixed', '2026-03-09T12:03:00Z');
    // A throttle window from 2020: its finding expired long ago (moto never deletes expired items).
    await store.record(
      mine('old-window', {
        aggregate: {
          key: 'k',
          windowStart: '2020-01-01T00:00:00.000Z',
          windowEnd: '2020-01-01T00:05:00.000Z',
          count: 10,
          crossed: true,
        },
      }),
      '2020-01-01T00:01:00Z',
    );
    await store.record(finding('elsewhere', 'x', '2026-03-09T12:00:00Z'), '2026-03-09T12:00:00Z');

    const open = await collect(store.listOpen(scope));
    expect(open.map((r) => r.findingId)).toEqual(['open-1', 'open-2']); // oldest first
    expect(open[0]!.finding.account).toBe('444455556666');
  });

  it('outbox markers: owned by the event that opened (or crossed), cleared once queued', async () => {
    const t = '2026-03-09T12:00:00Z';
    const first = await store.record(finding('claim', 'a', t), t, { key: 'A', when: 'open' });
    expect(first).toMatchObject({ opened: true, notify: true });
    expect(first.record.pendingNotification).toBe('A');

    // Another event sees the open finding: not its notification.
    const other = await store.record(finding('claim', 'b', t), t, { key: 'B', when: 'open' });
    expect(other).toMatchObject({ opened: false, notify: false });

    // A retry of A (its send failed before markNotified) still owns it: it must queue again.
    const retry = await store.record(finding('claim', 'a', t), t, { key: 'A', when: 'open' });
    expect(retry).toMatchObject({ opened: false, notify: true });

    await store.markNotified('claim', '2026-03-09T12:00:01Z', 'A');
    const after = await store.record(finding('claim', 'a', t), t, { key: 'A', when: 'open' });
    expect(after).toMatchObject({ opened: false, notify: false });
    expect(after.record.lastNotifiedAt).toBe('2026-03-09T12:00:01.000Z');
    expect(after.record.pendingNotification).toBeUndefined();

    // An aggregate crossing claims the marker on an open record; a stale owner's markNotified leaves it.
    const crossed = await store.record(finding('claim', 'c', t), t, { key: 'C', when: 'always' });
    expect(crossed.notify).toBe(true);
    await store.markNotified('claim', '2026-03-09T12:00:02Z', 'A');
    expect((await store.get('claim'))!.pendingNotification).toBe('C');
    const never = await store.record(finding('claim', 'c', t), t, { key: 'C', when: 'never' });
    expect(never.notify).toBe(true);
  });
});

describe('DynamoDbWindowCounter', () => {
  it('100 concurrent increments of one window return 1..100, each exactly once', async () => {
    const start = Date.parse('2026-03-09T12:00:00Z');
    const counts = await Promise.all(
      Array.from({ length: 100 }, () => counter.increment('throttle-api-calls|k1', start, 300_000)),
    );
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    const item = await docs.send(
      new GetCommand({ TableName: TABLE, Key: windowKey('throttle-api-calls|k1', start) }),
    );
    expect(item.Item).toMatchObject({
      count: 100,
      kind: 'window',
      windowEnd: '2026-03-09T12:05:00.000Z',
      expiration: Date.parse('2026-03-09T12:05:00Z') / 1000 + 48 * 3600, // TTL past the window end
    });
  });

  it('each window and key counts on its own; very long keys are hashed into the item key', async () => {
    const start = Date.parse('2026-03-09T12:00:00Z');
    expect(await counter.increment('k2', start, 300_000)).toBe(1);
    expect(await counter.increment('k2', start + 300_000, 300_000)).toBe(1);
    expect(await counter.increment('k2', start, 300_000)).toBe(2);
    const long = `k3|${'x'.repeat(3000)}`;
    expect(await counter.increment(long, start, 300_000)).toBe(1);
    expect(await counter.increment(long, start, 300_000)).toBe(2);
    expect(windowKey(long, start).pk).toMatch(/^WINDOW#sha256:[0-9a-f]{64}$/);
  });
});

describe('DynamoDbFindingActions (remediation outcome written back)', () => {
  it("sets the action on the item and in the stored finding while the event is the latest; else beside a newer event's finding", async () => {
    const actions = new DynamoDbFindingActions({ client: docs, tableName: TABLE });
    const t1 = '2026-03-09T13:00:00.000Z';
    const f1 = finding('act', 'ev-1', t1, { mode: 'remediate' });
    await store.record(f1, t1);
    const done = { name: 'disable-public-ip', status: 'done' as const, reason: 'set DISABLED' };
    await actions.save(f1, done, 'key-1', '2026-03-09T13:00:01.000Z');
    expect((await store.get('act'))!.finding.action).toEqual(done);
    expect(await actions.previous('act', 'key-1')).toEqual(done);
    expect(await actions.previous('act', 'key-2')).toBeUndefined();

    // A newer event's sighting is stored; the older event's outcome must not replace its finding.
    const t2 = '2026-03-09T13:05:00.000Z';
    await store.record(finding('act', 'ev-2', t2, { mode: 'remediate' }), t2);
    const skipped = { name: 'disable-public-ip', status: 'skipped' as const, reason: 'already compliant' };
    await actions.save(f1, skipped, 'key-1b', '2026-03-09T13:05:01.000Z');
    const rec = await store.get('act');
    expect(rec!.finding.event.id).toBe('ev-2');
    expect(rec!.finding.action).toBeUndefined();
    expect(await actions.previous('act', 'key-1b')).toEqual(skipped);
    const item = await docs.send(new GetCommand({ TableName: TABLE, Key: findingKey('act') }));
    expect(item.Item).toMatchObject({ action: skipped, actionEventKey: 'key-1b', count: 2 });

    // Never creates an item for a finding that is not stored.
    await expect(actions.save(finding('none', 'e', t1), done, 'k', t1)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });
});
