/**
 * The local pipeline end to end (docs/local-pipeline.md), against moto_server: fixture events go in
 * through moto's PutEvents, are routed by the real rules of infra/event-patterns.json to one SQS queue per
 * function, and are given to the real handlers (functions/*.ts); the finding is read back from the state
 * table and the notification from the outbox queue with separate clients. An event that no pattern routes
 * reaches no handler and records nothing. Then the documented command itself (`npm run local`, i.e.
 * scripts/local-pipeline.mjs) on the same inputs, with --json.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { LocalPipeline, LOCAL_FUNCTIONS, type Delivery } from '../../scripts/local/pipeline';

const ROOT = join(__dirname, '..', '..');
const PRIVILEGED = 'events/cloudtrail-register-task-definition-privileged.json';
const INSTANCE = 'events/ecs-container-instance-state-change-active.json';
/** A Service Action no rule's pattern takes (steady state): nothing can come of it. */
const UNROUTED = 'events/compliant/ecs-service-action-steady-state.json';

const read = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

let pipeline: LocalPipeline;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let deliveries: Delivery[];
/** What the handlers reported, summed over the deliveries: the state table and the outbox hold that many. */
const total = (key: 'findings' | 'queued'): number =>
  deliveries.reduce((n, d) => n + Number((d.summary as Record<string, unknown> | undefined)?.[key] ?? 0), 0);

beforeAll(async () => {
  const envBefore = process.env.AWS_ENDPOINT_URL;
  pipeline = await LocalPipeline.start({ policyFile: join(ROOT, 'guardrail.policy.yml') });
  expect(process.env.AWS_ENDPOINT_URL).toBe(pipeline.endpoint);
  expect(envBefore).not.toBe(pipeline.endpoint);
  const config = {
    endpoint: pipeline.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  sqs = new SQSClient(config);

  const puts = await pipeline.put(
    [PRIVILEGED, INSTANCE, UNROUTED].map((f) => ({ label: f, value: read(f) })),
  );
  expect(puts.every((p) => p.eventId && !p.error)).toBe(true);
  deliveries = await pipeline.drain(Date.now() + 60_000);
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('local pipeline: PutEvents -> real patterns -> handlers -> DynamoDB + outbox (moto)', () => {
  it('moto listens on loopback only', () => {
    expect(pipeline.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(pipeline.moto.owned).toBe(true);
  });

  it('each routed event reached exactly its function, once, and its handler succeeded', () => {
    const byLabel = Object.fromEntries(deliveries.map((d) => [d.label, d]));
    expect(deliveries).toHaveLength(2);
    expect(byLabel[PRIVILEGED]).toMatchObject({
      function: 'cloudtrail-api-call',
      detailType: 'AWS API Call via CloudTrail',
      eventName: 'RegisterTaskDefinition',
      summary: { kind: 'cloudTrail' },
    });
    // Every finding of the privileged registration is new and queued (which rules: the golden test's concern).
    const td = byLabel[PRIVILEGED]!.summary as { findings: number; new: number; queued: number };
    expect(td.findings).toBeGreaterThan(1);
    expect(td).toMatchObject({ new: td.findings, queued: td.findings });
    expect(byLabel[INSTANCE]).toMatchObject({
      function: 'ecs-state-change',
      // instance-privileged-allowed and (v2) instance-task-role-host-network.
      summary: { kind: 'containerInstance', findings: 2, new: 2, queued: 2 },
    });
    // moto stamps its own account/region; the event's own were put back (the finding shows it below).
    expect(deliveries.every((d) => d.restored && !d.error)).toBe(true);
  });

  it('the finding is recorded in the state table (DynamoDB in moto)', async () => {
    const items = (
      await docs.send(
        new ScanCommand({
          TableName: pipeline.tableName,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': 'FINDING#' },
        }),
      )
    ).Items!;
    const privileged = items.filter((i) => i.ruleId === 'td-privileged');
    expect(privileged).toHaveLength(1);
    expect(privileged[0]).toMatchObject({
      status: 'open',
      count: 1,
      severity: 'critical',
      account: '111122223333',
      region: 'us-west-2',
      resourceArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
      gsi1pk: 'OPEN#111122223333#us-west-2',
      lastNotifiedAt: expect.any(String),
    });
    expect(items.map((i) => i.ruleId)).toContain('instance-privileged-allowed');
    expect(items).toHaveLength(total('findings'));
    // And the idempotency record of the delivery (Powertools, same table).
    const idem = await docs.send(
      new ScanCommand({
        TableName: pipeline.tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'idempotency#cloudtrail-api-call' },
      }),
    );
    expect(idem.Items).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
    const one = await docs.send(
      new GetCommand({
        TableName: pipeline.tableName,
        Key: { pk: `FINDING#${String(privileged[0]!.findingId)}`, sk: 'FINDING' },
      }),
    );
    expect(JSON.parse(String(one.Item!.finding))).toMatchObject({ ruleId: 'td-privileged', mode: 'notify' });
  });

  it('the notification is queued on the outbox (SQS in moto)', async () => {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: pipeline.outboxUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0, // leave them for the next assertion
        MessageAttributeNames: ['All'],
      }),
    );
    const bodies = (got.Messages ?? []).map((m) => JSON.parse(m.Body!) as Finding);
    expect(bodies.length).toBeGreaterThan(0);
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: pipeline.outboxUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(attrs.Attributes!.ApproximateNumberOfMessages)).toBe(total('queued'));
    const all = await pipeline.takeNotifications();
    expect(all).toHaveLength(total('queued'));
    expect(all.find((f) => f.ruleId === 'td-privileged')).toMatchObject({
      severity: 'critical',
      account: '111122223333',
      resource: { arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7' },
      event: { eventName: 'RegisterTaskDefinition' },
    });
  });

  it('negative: the event no pattern routes reached no function and recorded nothing', async () => {
    expect(pipeline.unrouted().map((u) => u.label)).toEqual([UNROUTED]);
    expect(deliveries.some((d) => d.label === UNROUTED)).toBe(false);
    for (const fn of LOCAL_FUNCTIONS) {
      const left = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.queueOf(fn), WaitTimeSeconds: 0 }),
      );
      expect(left.Messages ?? [], fn).toEqual([]);
    }
    // Nothing about the steady-state service was recorded.
    const findings = await pipeline.findings();
    expect(findings.some((f) => f.resourceArn.includes('service/'))).toBe(false);
  });
});

describe('npm run local (scripts/local-pipeline.mjs)', () => {
  it('runs the same inputs with its own moto_server, reports them and stops by itself', () => {
    const r = spawnSync(
      process.execPath,
      ['scripts/local-pipeline.mjs', '--json', '--max-seconds', '90', PRIVILEGED, UNROUTED],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, AWS_ENDPOINT_URL: '', GUARDRAIL_TABLE: '' },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      endpoint: string;
      deliveries: Delivery[];
      unrouted: { label: string }[];
      findings: { ruleId: string; status: string }[];
      notifications: Finding[];
    };
    expect(report.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(report.deliveries.map((d) => [d.function, d.label])).toEqual([
      ['cloudtrail-api-call', PRIVILEGED],
    ]);
    expect(report.unrouted.map((u) => u.label)).toEqual([UNROUTED]);
    expect(report.findings.find((f) => f.ruleId === 'td-privileged')).toMatchObject({ status: 'open' });
    expect(report.notifications.map((n) => n.ruleId)).toContain('td-privileged');
    // Its moto_server is gone.
    const port = new URL(report.endpoint).port;
    const probe = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { encoding: 'utf8' });
    expect(probe.status).not.toBe(0);
  }, 150_000);

  it('a usage error exits 2 without starting anything', () => {
    const r = spawnSync(process.execPath, ['scripts/local-pipeline.mjs', '--bogus'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus');
  }, 60_000);
});
