/**
 * The scheduled sweep function (functions/sweep.ts, functions/edge/sweep-handler.ts), run in-process as Lambda would run it (middy +
 * Powertools around the handler, configuration from the environment) against moto: DynamoDB state
 * table, SQS outbox, and the seeded ECS estate. AWS_ENDPOINT_URL is the only thing pointing it at moto.
 */
import { createStateTable } from '../../shared/store/state-table';
import { findingIdOf } from '../../shared/engine/finding-id';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SweepSummary } from '../../functions/sweep';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { DynamoDbExemptionRecords } from '../../shared/store/dynamodb-exemption-records';
import { enableEcsRuntimeMonitoring } from '../helpers/guardduty';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { ACCOUNT, applyFixes, REGION, seedEstate, type SeededEstate } from '../helpers/seed-estate';

const TABLE = 'ecs-guardrail-test';
type Handler = (event: unknown, context: Context) => Promise<SweepSummary>;

const context = {
  functionName: 'ecs-guardrail-test-sweep',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ecs-guardrail-test-sweep`,
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/ecs-guardrail-test-sweep',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 600_000,
} as unknown as Context;

const scheduled = {
  version: '0',
  id: 'sched-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ACCOUNT,
  time: '2026-11-22T12:00:00Z',
  region: REGION,
  resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/sweep`],
  detail: {},
};

describe('sweep function against moto', () => {
  let moto: Moto;
  let estate: SeededEstate;
  let seed: { ecs: ECSClient; ec2: EC2Client };
  let store: DynamoDbFindingStore;
  let sqs: SQSClient;
  let queueUrl: string;
  let ddb: DynamoDBClient;
  const saved = { ...process.env };

  const loadHandler = async (): Promise<Handler> => {
    vi.resetModules(); // a new module instance = a cold Lambda container
    return (await import('../../functions/sweep')).handler as unknown as Handler;
  };
  const queued = async () =>
    Number(
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        )
      ).Attributes?.ApproximateNumberOfMessages,
    );
  const openFindings = async () => {
    const out: string[] = [];
    for await (const r of store.listOpen({ account: ACCOUNT, region: REGION })) out.push(r.finding.ruleId);
    return out.sort();
  };

  beforeAll(async () => {
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    const cfg = motoClientConfig(moto, REGION);
    seed = { ecs: new ECSClient(cfg), ec2: new EC2Client(cfg) };
    estate = await seedEstate(seed);
    await enableEcsRuntimeMonitoring(cfg);
    ddb = new DynamoDBClient(cfg);
    await createStateTable(ddb, TABLE);
    sqs = new SQSClient(cfg);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'outbox' }))).QueueUrl!;
    store = new DynamoDbFindingStore({
      client: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: TABLE,
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_MAX_ATTEMPTS: '1',
      GUARDRAIL_TABLE: TABLE,
      GUARDRAIL_OUTBOX_QUEUE_URL: queueUrl,
      GUARDRAIL_POLICY_FILE: '/nonexistent/guardrail.policy.yml',
      GUARDRAIL_SWEEP_NOTIFY_MAX: '10',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('records the findings, caches the revisions in the table and queues capped notifications', async () => {
    const handler = await loadHandler();
    const s = await handler(scheduled, context);
    expect(s).toMatchObject({
      account: ACCOUNT,
      region: REGION,
      complete: true,
      findings: 12,
      opened: 12,
      resolved: 0,
      notified: 10,
      gaps: [],
      taskDefinitions: { total: 4, described: 4, fromCache: 0 },
    });
    expect(s.calls['ecs:DescribeTaskDefinition']).toBe(4);
    expect(await openFindings()).toEqual(estate.expected.map((f) => f.ruleId).sort());
    expect(await queued()).toBe(10);
    const items = await ddb.send(new ScanCommand({ TableName: TABLE }));
    const tdItems = (items.Items ?? []).filter((i) => i.pk?.S?.startsWith('TD#'));
    expect(tdItems.map((i) => i.pk!.S).sort()).toEqual(
      Object.values(estate.taskDefinitions)
        .map((a) => `TD#${a}`)
        .sort(),
    );
  });

  it('after fixes, a cold container resolves them, reading every known revision from the table', async () => {
    await applyFixes(seed, estate);
    const handler = await loadHandler();
    const s = await handler(scheduled, context);
    expect(s).toMatchObject({ complete: true, findings: 6, opened: 0, resolved: 6, notified: 0 });
    expect(s.taskDefinitions).toMatchObject({ total: 3, described: 0, fromCache: 3 });
    expect(s.calls['ecs:DescribeTaskDefinition']).toBeUndefined();
    expect(await openFindings()).toEqual(estate.stillOpen.map((f) => f.ruleId).sort());
    // The same container again (warm): nothing new, nothing resolved, nothing queued.
    const warm = await handler(scheduled, context);
    expect(warm).toMatchObject({ complete: true, findings: 6, opened: 0, resolved: 0 });
    // Besides the 10 opened notifications of the first sweep: one "resolved" message for each resolved
    // finding that had been notified while open (the cap of 10 kept 2 of the 12 from being notified).
    let notifiedAndResolved = 0;
    for (const f of estate.fixed) {
      const r = await store.get(findingIdOf(f.ruleId, f.arn));
      if (r?.status === 'resolved' && r.lastNotifiedAt !== undefined) notifiedAndResolved++;
    }
    expect(notifiedAndResolved).toBeGreaterThan(0);
    expect(await queued()).toBe(10 + notifiedAndResolved);
  });

  it('honours an exemption record made from Slack like a policy exemption, and not once it has expired', async () => {
    const target = estate.stillOpen[0]!;
    const records = new DynamoDbExemptionRecords({ client: ddb, tableName: TABLE });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await records.put({
      id: 'sweep-test',
      rule: target.ruleId,
      arn: target.arn,
      until: tomorrow,
      reason: 'accepted from Slack',
      createdBy: 'slack:T0ACME/U0ALICE',
      createdAt: new Date().toISOString(),
    });
    const before = await openFindings();
    const s = await (await loadHandler())(scheduled, context);
    expect(s).toMatchObject({ complete: true, findings: estate.stillOpen.length - 1 });
    const after = await openFindings();
    expect(after.length).toBe(before.length - 1);
    expect((await store.get(findingIdOf(target.ruleId, target.arn)))?.status).toBe('resolved');

    // Three days later the record no longer exempts: the next sweep finds it again.
    vi.useFakeTimers({ now: Date.now() + 3 * 86_400_000, toFake: ['Date'] });
    try {
      const later = await (await loadHandler())(scheduled, context);
      expect(later).toMatchObject({ findings: estate.stillOpen.length });
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails loudly without its table configured', async () => {
    const handler = await loadHandler();
    const table = process.env.GUARDRAIL_TABLE;
    delete process.env.GUARDRAIL_TABLE;
    try {
      await expect(handler(scheduled, context)).rejects.toThrow(
        'environment variable GUARDRAIL_TABLE is not set',
      );
    } finally {
      process.env.GUARDRAIL_TABLE = table;
    }
  });
});
