/**
 * The running inventory against moto_server DynamoDB (docs/running.md): real SDK clients, the state table
 * of the deployment contract, behind the serial proxy that gives moto DynamoDB's per-request atomicity.
 * - the DynamoDB inventory under reordering, duplicates, racing RUNNING/STOPPED deliveries and expiry;
 * - the scan results store (older reports never win);
 * - the Done-when scenario through the real Lambda handlers (ecs-state-change, image-findings) with the
 *   SQS outbox: a scan of a digest running in two services opens exactly two findings naming each
 *   service's tasks, resolves them when the tasks stop, and `guardrail running --image` lists the tasks;
 * - `guardrail running` without a table reads ECS (moto RunTask).
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  ListTasksCommand,
  RunTaskCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { runningTaskOf } from '../../shared/events/running';
import { parseEvent } from '../../shared/events/parse';
import type { Finding } from '../../shared/model/finding';
import type { RunningTask } from '../../shared/model/running';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { imageFindingId } from '../../shared/pipeline/running-images';
import {
  DynamoDbImageScanStore,
  DynamoDbRunningInventory,
} from '../../shared/store/dynamodb-running-inventory';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import { MemoryFindingStore } from '../../shared/store/memory-store';
import { MemoryRunningInventory } from '../../shared/store/memory-running-inventory';
import { runScan } from '../../shared/sweep/run';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  scanTable,
  startSerialProxy,
  stubPipelineEnv,
  type SerialProxy,
} from '../helpers/pipeline-harness';
import {
  ecrScanEvent,
  runningFixture,
  SCANNED_DIGEST,
  SCANNED_IMAGE,
  SCANNED_REPOSITORY,
  taskEvent,
} from '../helpers/running-events';
import { recordingIo } from '../unit/cli/memory-io';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;

const TABLE = 'guardrail-running';
/** The Done-when scenario's own table: the inventory tests above leave tasks of the same digest running. */
const DONE_TABLE = 'guardrail-done-when';
const REPO_ROOT = join(__dirname, '..', '..');
const SERVICE = (name: string) => `arn:aws:ecs:us-east-1:123456789012:service/example-cluster/${name}`;
const TASK = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/example-cluster/${id}`;

let moto: Moto;
let proxy: SerialProxy;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;

const io = () => recordingIo({});

const task = (o: Parameters<typeof taskEvent>[0]): RunningTask => {
  const p = parseEvent(taskEvent(o));
  if (p.kind !== 'task') throw new Error('not a task event');
  return runningTaskOf(p)!;
};

beforeAll(async () => {
  moto = await startMoto();
  await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  proxy = await startSerialProxy(moto.endpoint);
  docs = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...motoClientConfig(moto), endpoint: proxy.endpoint }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  await createStateTable(ddb, DONE_TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-running-outbox');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy?.close();
  await moto?.stop();
});

describe('DynamoDbRunningInventory (moto)', () => {
  const inventory = () => new DynamoDbRunningInventory({ client: docs, tableName: TABLE });

  it('RUNNING adds one task item and one item per image; the same RUNNING again changes nothing', async () => {
    const inv = inventory();
    expect((await inv.apply(task({ id: 'inv-1', service: 'web' }))).change).toBe('added');
    expect((await inv.apply(task({ id: 'inv-1', service: 'web' }))).change).toBe('unchanged');
    expect(await inv.taskOf(TASK('inv-1'))).toMatchObject({
      status: 'RUNNING',
      owner: { arn: SERVICE('web'), name: 'web' },
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5',
    });
    expect(await inv.taskOf(TASK('never-seen'))).toBeUndefined();
    const listed = await inv.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST, SERVICE('web'));
    expect(listed.map((t) => t.taskArn)).toContain(TASK('inv-1'));
    const items = (await scanTable(docs, TABLE)).filter(
      (i) => String(i.sk).includes(TASK('inv-1')) || String(i.pk).includes(TASK('inv-1')),
    );
    // The AWS Fargate example runs two images with a digest (web, the OpenTelemetry collector) and the
    // GuardDuty agent without an image: one task item and two image items, written in one transaction.
    expect(items.map((i) => String(i.pk).split('#').slice(0, 2).join('#')).sort()).toEqual([
      'RUNNING#REPO',
      'RUNNING#REPO',
      'RUNNING#TASK',
    ]);
    expect(items.every((i) => typeof i.expiration === 'number')).toBe(true);
  });

  it('a STOPPED before its RUNNING leaves a tombstone and no image item; the late RUNNING is stale', async () => {
    const inv = inventory();
    expect((await inv.apply(task({ id: 'inv-2', service: 'web', status: 'STOPPED' }))).change).toBe(
      'tombstoned',
    );
    expect((await inv.apply(task({ id: 'inv-2', service: 'web', status: 'RUNNING' }))).change).toBe('stale');
    expect((await inv.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST)).map((t) => t.taskArn)).not.toContain(
      TASK('inv-2'),
    );
  });

  it('an older RUNNING (lower version) after a newer one is stale; a STOPPED removes the image item', async () => {
    const inv = inventory();
    await inv.apply(task({ id: 'inv-3', service: 'web', version: 4 }));
    expect((await inv.apply(task({ id: 'inv-3', service: 'web', version: 3 }))).change).toBe('stale');
    expect(
      (await inv.apply(task({ id: 'inv-3', service: 'web', status: 'STOPPED', version: 6 }))).change,
    ).toBe('removed');
    expect((await inv.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST)).map((t) => t.taskArn)).not.toContain(
      TASK('inv-3'),
    );
  });

  it('RUNNING and STOPPED of 20 tasks delivered at once in both orders: no task is left running', async () => {
    const inv = inventory();
    const ids = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    await Promise.all(
      ids.flatMap((id, i) => {
        const run = () => inv.apply(task({ id, service: 'race' }));
        const stop = () => inv.apply(task({ id, service: 'race', status: 'STOPPED' }));
        return i % 2 ? [run(), stop()] : [stop(), run()];
      }),
    );
    expect(await inv.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST, SERVICE('race'))).toEqual([]);
  });

  it('a lost STOPPED cannot keep a task running for ever: after its TTL the entry is ignored', async () => {
    const inv = inventory();
    await inv.apply(task({ id: 'inv-4', service: 'ghost' }));
    const later = new DynamoDbRunningInventory({
      client: docs,
      tableName: TABLE,
      now: () => new Date(Date.now() + 73 * 3_600_000),
    });
    expect(await inv.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST, SERVICE('ghost'))).toHaveLength(1);
    expect(await later.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST, SERVICE('ghost'))).toEqual([]);
    // The expired entry is overwritten by the next RUNNING (moto, like DynamoDB, had not deleted it yet).
    expect(
      (
        await later.apply(
          task({
            id: 'inv-4',
            service: 'ghost',
            version: 9,
            time: new Date(Date.now() + 73 * 3_600_000).toISOString(),
          }),
        )
      ).change,
    ).toBe('added');
  });
});

describe('DynamoDbImageScanStore (moto)', () => {
  it('an older basic scan never replaces a newer one; Inspector findings open and close by id', async () => {
    const scans = new DynamoDbImageScanStore({ client: docs, tableName: TABLE });
    const digest = 'sha256:' + 'c'.repeat(64);
    await scans.save({
      source: 'ecr',
      repository: 'team/x',
      digest,
      counts: { LOW: 1 },
      at: '2025-01-02T00:00:00.000Z',
    });
    await scans.save({
      source: 'ecr',
      repository: 'team/x',
      digest,
      counts: { CRITICAL: 9 },
      at: '2025-01-01T00:00:00.000Z',
    });
    expect((await scans.factsOf('team/x', digest))?.counts).toEqual({ LOW: 1 });
    const v = { id: 'CVE-2024-1', severity: 'CRITICAL' as const };
    await scans.save({
      source: 'inspector',
      repository: 'team/x',
      digest,
      vulnerability: v,
      active: true,
      at: '2025-01-03T00:00:00.000Z',
    });
    expect(await scans.factsOf('team/x', digest)).toMatchObject({
      counts: { LOW: 1, CRITICAL: 1 },
      vulnerabilities: [v],
    });
    await scans.save({
      source: 'inspector',
      repository: 'team/x',
      digest,
      vulnerability: v,
      active: false,
      at: '2025-01-04T00:00:00.000Z',
    });
    expect(await scans.factsOf('team/x', digest)).toMatchObject({ counts: { LOW: 1 }, vulnerabilities: [] });
    expect(await scans.factsOf('team/x', 'sha256:' + 'd'.repeat(64))).toBeUndefined();
  });
});

describe('Done when: the handlers against moto DynamoDB + SQS', () => {
  let ecs: Handler;
  let images: Handler;

  beforeAll(async () => {
    stubPipelineEnv(proxy.endpoint, DONE_TABLE, queueUrl);
    vi.stubEnv('GUARDRAIL_POLICY_FILE', join(REPO_ROOT, 'guardrail.policy.yml'));
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');
    vi.resetModules();
    ecs = (await import('../../functions/ecs-state-change')).handler as Handler;
    images = (await import('../../functions/image-findings')).handler as Handler;
  });

  it("a scan of a digest running in two services: two findings naming each service's tasks, resolved when they stop; guardrail running lists them", async () => {
    const output = captureOutput();
    try {
      await drainQueue(sqs, queueUrl);
      const ctx = fakeContext('ecs-state-change');
      for (const [id, service] of [
        ['dw-a1', 'checkout'],
        ['dw-a2', 'checkout'],
        ['dw-b1', 'search'],
      ] as const)
        expect(await ecs(taskEvent({ id, service }), ctx)).toMatchObject({
          kind: 'task',
          inventory: 'added',
        });

      const scan = await images(
        ecrScanEvent({ time: '2025-05-06T12:00:00Z', id: 'dw-scan' }),
        fakeContext('image-findings'),
      );
      expect(scan).toMatchObject({ kind: 'ecrImageScan', findings: 2, new: 2, queued: 2 });
      const queued = (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body!) as Finding);
      expect(queued.map((f) => f.resource.arn).sort()).toEqual([SERVICE('checkout'), SERVICE('search')]);
      const checkout = queued.find((f) => f.resource.arn === SERVICE('checkout'))!;
      const text = checkout.evidence.map((e) => e.message).join('\n');
      expect(text).toContain(TASK('dw-a1'));
      expect(text).toContain(TASK('dw-a2'));
      expect(text).not.toContain(TASK('dw-b1'));
      expect(checkout.findingId).toBe(imageFindingId(SERVICE('checkout'), SCANNED_DIGEST));

      // guardrail running --image, from the table: the three tasks, by tag and by digest.
      for (const image of [SCANNED_IMAGE, `${SCANNED_REPOSITORY}@${SCANNED_DIGEST}`]) {
        const o = io();
        expect(await main(['running', '--image', image, '--table', DONE_TABLE, '--format', 'json'], o)).toBe(
          0,
        );
        const listed = o.out.map((l) => JSON.parse(l) as { taskArn: string; owner: { arn: string } });
        expect(
          listed
            .map((t) => t.taskArn)
            .filter((a) => a.includes('/dw-'))
            .sort(),
        ).toEqual([TASK('dw-a1'), TASK('dw-a2'), TASK('dw-b1')]);
      }
      const missing = io();
      expect(await main(['running', '--image', SCANNED_IMAGE, '--table', 'no-such-table'], missing)).toBe(2);
      expect(missing.err.join('')).toMatch(/could not read table no-such-table: .*ResourceNotFoundException/);
      const none = io();
      expect(
        await main(['running', '--image', `${SCANNED_REPOSITORY}:no-such-tag`, '--table', DONE_TABLE], none),
      ).toBe(0);
      expect(none.out).toEqual([]);
      expect(none.err.join('')).toContain('0 running task(s)');

      const stop = (id: string, service: string, minute: number) =>
        ecs(taskEvent({ id, service, status: 'STOPPED', time: `2025-05-06T12:${minute}:00Z` }), ctx);
      expect(await stop('dw-a1', 'checkout', 10)).toMatchObject({ inventory: 'removed', resolved: 0 });
      expect(await stop('dw-a2', 'checkout', 11)).toMatchObject({ inventory: 'removed', resolved: 1 });
      expect(await stop('dw-b1', 'search', 12)).toMatchObject({ inventory: 'removed', resolved: 1 });
      const items = (await scanTable(docs, DONE_TABLE)).filter(
        (i) => String(i.pk).startsWith('FINDING#') && i.ruleId === 'image-vulnerable-running',
      );
      expect(items.map((i) => i.status)).toEqual(['resolved', 'resolved']);
      const resolvedMessages = (await drainQueue(sqs, queueUrl)).filter(
        (m) => m.MessageAttributes?.kind?.StringValue === 'resolved',
      );
      expect(resolvedMessages).toHaveLength(2);
    } finally {
      output.restore();
    }
  });

  it('a digest already known vulnerable fires when a task starts after the scan (Inspector finding, AWS example)', async () => {
    const output = captureOutput();
    try {
      await drainQueue(sqs, queueUrl);
      const inspector = runningFixture('inspector2-finding-ecr-image');
      inspector.detail.severity = 'CRITICAL';
      expect(await images(inspector, fakeContext('image-findings'))).toMatchObject({
        kind: 'inspectorFinding',
        findings: 0,
      });
      const img = inspector.detail.resources[0].details.awsEcrContainerImage;
      const started = await ecs(
        taskEvent({
          id: 'late-1',
          service: 'sample',
          image: `123456789012.dkr.ecr.us-east-2.amazonaws.com/${img.repositoryName}:latest`,
          digest: img.imageHash,
        }),
        fakeContext('ecs-state-change'),
      );
      expect(started).toMatchObject({ inventory: 'added', new: 1, queued: 1 });
      const [f] = (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body!) as Finding);
      expect(f!.evidence.map((e) => e.message)).toContain('CVE-2019-17498 (critical)');
    } finally {
      output.restore();
    }
  });

  it('a scan event with a wrong JSON type is rejected naming the field, never its value', async () => {
    const output = captureOutput();
    try {
      const bad = ecrScanEvent({ counts: { CRITICAL: '10' } });
      await expect(images(bad, fakeContext('image-findings'))).rejects.toMatchObject({
        name: 'InvalidEventError',
        path: 'detail.finding-severity-counts.CRITICAL',
      });
    } finally {
      output.restore();
    }
  });
});

describe('guardrail running without a table: ECS read now (moto)', () => {
  it('lists the RUNNING tasks of the image by tag; another tag lists none; the sweep records them with their team', async () => {
    const endpoint = { ...motoClientConfig(moto) };
    const ecsClient = new ECSClient(endpoint);
    const ec2 = new EC2Client(endpoint);
    await ecsClient.send(new CreateClusterCommand({ clusterName: 'running-cli' }));
    await ecsClient.send(
      new RegisterTaskDefinitionCommand({
        family: 'running-cli',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: SCANNED_IMAGE, memory: 512 }],
      }),
    );
    const subnets = await ec2.send(new DescribeSubnetsCommand({}));
    await ecsClient.send(
      new RunTaskCommand({
        cluster: 'running-cli',
        taskDefinition: 'running-cli',
        launchType: 'FARGATE',
        count: 2,
        group: 'service:cli-web',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnets.Subnets![0]!.SubnetId!], securityGroups: [] },
        },
      }),
    );
    vi.stubEnv('AWS_ENDPOINT_URL', moto.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    const o = io();
    expect(await main(['running', '--image', SCANNED_IMAGE, '--format', 'json'], o)).toBe(0);
    const listed = o.out.map(
      (l) => JSON.parse(l) as { owner: { arn: string; name?: string }; image: string },
    );
    expect(listed).toHaveLength(2);
    expect(listed.every((t) => t.owner.name === 'cli-web' && t.image === SCANNED_IMAGE)).toBe(true);
    const other = io();
    expect(await main(['running', '--image', `${SCANNED_REPOSITORY}:2.0`], other)).toBe(0);
    expect(other.out).toEqual([]);

    // The sweep records the same running tasks in the inventory (here the memory one), with the team tag.
    const [arn] = (await ecsClient.send(new ListTasksCommand({ cluster: 'running-cli' }))).taskArns!;
    await ecsClient.send(
      new TagResourceCommand({ resourceArn: arn!, tags: [{ key: 'guardrail:team', value: 'search' }] }),
    );
    const inventory = new MemoryRunningInventory();
    const scan = await runScan({
      ecs: ecsClient,
      ec2,
      account: '123456789012',
      region: 'us-east-1',
      policy: DEFAULT_POLICY,
      store: new MemoryFindingStore(),
      inventory,
    });
    expect(scan.sweep.runningTasks?.filter((t) => t.clusterArn?.endsWith('/running-cli'))).toHaveLength(2);
    const swept = await inventory.tasksOfRepository(SCANNED_REPOSITORY);
    expect(swept.filter((t) => t.owner.name === 'cli-web')).toHaveLength(2);
    expect(swept.find((t) => t.taskArn === arn)?.team).toBe('search');
    ecsClient.destroy();
    ec2.destroy();
  });
});
