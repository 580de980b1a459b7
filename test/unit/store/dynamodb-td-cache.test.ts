import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskDefinitionResource } from '../../../shared/model/resources';
import { evaluate } from '../../../shared/engine/evaluate';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { DynamoDBTaskDefinitionCache } from '../../../shared/store/dynamodb-td-cache';

const T = 'state';
const NOW = new Date('2026-06-01T00:00:00.000Z');
const nowS = NOW.getTime() / 1000;
const arn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const def = (n: number): TaskDefinitionResource => ({
  kind: 'TaskDefinition',
  arn: arn(n),
  account: '123456789012',
  region: 'us-east-1',
  family: 'web',
  revision: n,
  containers: [],
  volumes: [],
});
const item = (n: number, over: Record<string, unknown> = {}) => ({
  pk: `TD#${arn(n)}`,
  sk: 'TD',
  kind: 'TaskDefinition',
  arn: arn(n),
  definition: JSON.stringify(def(n)),
  valuesRedacted: true,
  describedAt: '2026-05-01T00:00:00.000Z',
  tagsCheckedAt: '2026-05-02T00:00:00.000Z',
  expiration: nowS + 100,
  ...over,
});

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);
const cache = () =>
  new DynamoDBTaskDefinitionCache(doc, { tableName: T, now: () => NOW, sleep: async () => {} });

describe('DynamoDBTaskDefinitionCache', () => {
  beforeEach(() => ddb.reset());

  it('reads in batches of 100, retries unprocessed keys, ignores expired and corrupt items', async () => {
    const arns = Array.from({ length: 150 }, (_, i) => arn(i + 1));
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [T]: [item(1), item(2, { expiration: nowS - 1 }), item(3, { definition: '{' })] },
        UnprocessedKeys: { [T]: { Keys: [{ pk: `TD#${arn(4)}`, sk: 'TD' }] } },
      })
      .resolvesOnce({ Responses: { [T]: [] } })
      .resolves({ Responses: { [T]: [item(4)] } });
    const got = await cache().getMany(arns);
    expect([...got.keys()].sort()).toEqual([arn(1), arn(4)]);
    expect(got.get(arn(1))).toEqual({
      arn: arn(1),
      definition: def(1),
      describedAt: '2026-05-01T00:00:00.000Z',
      tagsCheckedAt: '2026-05-02T00:00:00.000Z',
    });
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.args[0].input.RequestItems![T]!.Keys!.length).sort((a, b) => a - b)).toEqual([
      1, 50, 100,
    ]);
  });

  it('keeps what it read in memory: a warm container reads DynamoDB once per revision', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [T]: [item(1)] } });
    const c = cache();
    await c.getMany([arn(1)]);
    const again = await c.getMany([arn(1)]);
    expect(again.has(arn(1))).toBe(true);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('writes in batches of 25 with a 30-day expiration and retries unprocessed items', async () => {
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [T]: [{ PutRequest: { Item: item(1) } }] } })
      .resolves({});
    const entries = Array.from({ length: 30 }, (_, i) => ({
      arn: arn(i + 1),
      definition: def(i + 1),
      describedAt: NOW.toISOString(),
      tagsCheckedAt: NOW.toISOString(),
    }));
    await cache().putMany(entries);
    const calls = ddb.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(3);
    const first = calls[0]!.args[0].input.RequestItems![T]![0]!.PutRequest!.Item!;
    expect(first).toMatchObject({
      pk: `TD#${arn(1)}`,
      sk: 'TD',
      kind: 'TaskDefinition',
      expiration: nowS + 30 * 86_400,
    });
    expect(JSON.parse(first.definition as string)).toEqual(def(1));
  });

  it('gives up on keys DynamoDB keeps leaving unprocessed (the sweep then describes them)', async () => {
    ddb
      .on(BatchGetCommand)
      .resolves({ UnprocessedKeys: { [T]: { Keys: [{ pk: `TD#${arn(1)}`, sk: 'TD' }] } } });
    await expect(cache().getMany([arn(1)])).rejects.toThrow(/unprocessed after 6 attempts/);
  });

  it('an item written with plain-text values (before issue 15) is a miss: the sweep describes it again', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [T]: [item(1, { valuesRedacted: undefined })] } });
    expect((await cache().getMany([arn(1)])).size).toBe(0);
  });

  it('stores no environment or log-option value, and the rules reach the same verdicts on what it stores', async () => {
    const secrets = {
      aws: 'AKIAABCDEFGHIJKLMNOP',
      password: 'hunter2-hunter2-hunter2',
      pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      inName: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      splunk: 'B5A79AAD-D822-46CC-80D1-819F80D7BFB0',
    };
    const leaky: TaskDefinitionResource = {
      ...def(7),
      containers: [
        {
          name: 'app',
          capabilitiesAdd: [],
          environment: [
            { name: 'CONFIG_BLOB', value: secrets.aws },
            { name: 'DB_PASSWORD', value: secrets.password },
            { name: 'TLS_KEY', value: secrets.pem },
            { name: `GITHUB=${secrets.inName}`, value: 'placeholder-1' },
            { name: 'LOG_LEVEL', value: 'info' }, // benign: no finding
            { name: 'API_TOKEN', value: 'true' }, // a flag: no finding
            { name: 'FEATURE_FLAGS', value: 'long-but-harmless' }, // no finding
          ],
          logDriver: 'splunk',
          logOptions: { 'splunk-token': secrets.splunk, 'splunk-url': 'https://splunk.example.com' },
        },
      ],
    };
    ddb.on(BatchWriteCommand).resolves({});
    const c = cache();
    const entry = {
      arn: arn(7),
      definition: leaky,
      describedAt: NOW.toISOString(),
      tagsCheckedAt: NOW.toISOString(),
    };
    await c.putMany([entry]);
    const written = JSON.stringify(ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input);
    const inMemory = JSON.stringify((await c.getMany([arn(7)])).get(arn(7)));
    for (const [where, text] of Object.entries({ DynamoDB: written, memory: inMemory }))
      for (const secret of [
        ...Object.values(secrets),
        'MIIEowIBAAKCAQEA',
        'abcdefghijklmnop',
        'splunk.example.com/',
      ])
        expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);

    const findingOf = (td: TaskDefinitionResource) =>
      evaluate(
        {
          resources: [td],
          signals: [],
          taskDefinitionRefs: [],
          account: td.account,
          region: td.region,
          event: { id: 'e', source: 'aws.ecs', detailType: 'Sweep', time: NOW.toISOString() },
        },
        { policy: DEFAULT_POLICY, now: NOW },
      ).findings.find((f) => f.ruleId === 'td-secrets-in-environment');
    const stored = (await c.getMany([arn(7)])).get(arn(7))!.definition;
    expect(findingOf(stored)).toEqual(findingOf(leaky));
    expect(findingOf(stored)!.evidence).toHaveLength(5);
  });
});
