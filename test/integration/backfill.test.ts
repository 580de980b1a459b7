/**
 * The backfill function, invoked directly as the state machine's Distributed Map would (one batch of
 * objects per call, then the summary step), against moto_server S3, DynamoDB and SQS: real SDK clients,
 * the real pipeline with Powertools idempotency, the real DynamoDB store and SQS outbox.
 *
 * moto does not execute state machines (an execution stays RUNNING), so the Distributed Map itself is
 * proven statically (test/unit/infra/state-machines.test.ts) and its per-batch Lambda is driven here.
 *
 * The objects use the real layout of an organization trail,
 * `AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz`
 * (gzip JSON `{"Records": [...]}`), with the real CloudTrail records of the event corpus
 * (test/fixtures/events/sources.md: the `detail` of each CloudTrail event), moved to each member account
 * and region by rewriting the account id and region (as the organization trail would hold them).
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchSummary, RunSummary } from '../../shared/backfill/summary';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  loadEvent,
  scanTable,
  startSerialProxy,
  stubPipelineEnv,
  type RawEvent,
  type SerialProxy,
} from '../helpers/pipeline-harness';

type Handler = (event: unknown, context: Context) => Promise<BatchSummary | RunSummary>;
type LiveHandler = (event: unknown, context: Context) => Promise<PipelineSummary>;

const REPO_ROOT = join(__dirname, '..', '..');
const TABLE = 'guardrail-backfill';
const LIVE_TABLE = 'guardrail-live';
const BUCKET = 'org-trail-logs';
const ORG = 'o-a1b2c3d4e5';
const CORPUS_ACCOUNT = '111122223333';
const CORPUS_REGION = 'us-west-2';
const ACCOUNTS = ['210987654321', '333344445555', '666677778888'];
const REGIONS = ['eu-west-1', 'us-east-2'];
const WINDOW = { from: '2026-03-01', to: '2026-03-10' };

/** Records the live rules route and that open findings (corpus, real or adapted captures). */
const ROUTED = [
  'cloudtrail-register-task-definition-privileged',
  'cloudtrail-create-service-assign-public-ip',
  'cloudtrail-run-task-public-ip-with-overrides',
  'cloudtrail-update-service-assign-public-ip',
  'cloudtrail-throttling-exception',
];
/**
 * Records no live rule routes: read-only calls (a corpus record renamed DescribeTaskDefinition, as an
 * organization trail is mostly made of), and a failed call (an errorCode that is not a throttle).
 */
function notRouted(account: string, region: string): RawEvent[] {
  const read = memberRecord('cloudtrail-deregister-task-definition', account, region);
  read.eventName = 'DescribeTaskDefinition';
  read.eventID = `${String(read.eventID)}-read`;
  const failed = memberRecord('cloudtrail-create-service-assign-public-ip', account, region);
  failed.errorCode = 'AccessDenied';
  failed.eventID = `${String(failed.eventID)}-denied`;
  return [read, failed];
}
const NOT_ROUTED_PER_OBJECT = 2;

let moto: Moto;
let proxy: SerialProxy;
let docs: DynamoDBDocumentClient;
let s3: S3Client;
let sqs: SQSClient;
let queueUrl: string;
let output: ReturnType<typeof captureOutput> | undefined;

const record = (name: string): RawEvent => loadEvent(name).detail as RawEvent;

/** A corpus record as a member account's and region's: ids and ARNs rewritten, its eventID made unique. */
function memberRecord(name: string, account: string, region: string): RawEvent {
  const text = JSON.stringify(record(name))
    .replaceAll(CORPUS_ACCOUNT, account)
    .replaceAll(CORPUS_REGION, region);
  const r = JSON.parse(text) as RawEvent;
  r.eventID = `${account}-${region}-${String(r.eventID)}`;
  return r;
}

const logKey = (account: string, region: string, stamp: string) =>
  `AWSLogs/${ORG}/${account}/CloudTrail/${region}/2026/03/02/${account}_CloudTrail_${region}_${stamp}_${randomBytes(8).toString('hex')}.json.gz`;

async function put(key: string, body: Buffer | string): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return key;
}

const logFile = (records: unknown[]): Buffer => gzipSync(JSON.stringify({ Records: records }));

const batch = (keys: string[], window = WINDOW) => ({
  Items: keys.map((Key) => ({ Key, Size: 1, Etag: '"x"', LastModified: '2026-03-02T08:10:00Z' })),
  BatchInput: { bucket: BUCKET, ...window },
});

async function loadBackfill(): Promise<Handler> {
  vi.resetModules();
  return (await import('../../functions/backfill')).handler as Handler;
}

const findingItems = async (table = TABLE) =>
  (await scanTable(docs, table)).filter((i) => String(i.pk).startsWith('FINDING#'));

/** What a finding item is about: rule, account, region, resource. */
const identity = (i: Record<string, unknown>) => {
  const f = JSON.parse(String(i.finding)) as {
    ruleId: string;
    account: string;
    region: string;
    resource: { arn: string };
  };
  return `${f.ruleId} ${f.account} ${f.region} ${f.resource.arn}`;
};

beforeAll(async () => {
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb);
  s3 = new S3Client({ ...motoClientConfig(moto), forcePathStyle: true });
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  await createStateTable(ddb, LIVE_TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-outbox');
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  proxy = await startSerialProxy(moto.endpoint);
  stubPipelineEnv(proxy.endpoint, TABLE, queueUrl);
  // S3 straight to moto (the proxy buffers whole responses; the backfill must stream them).
  vi.stubEnv('AWS_ENDPOINT_URL_S3', moto.endpoint);
  vi.stubEnv('GUARDRAIL_POLICY_FILE', join(REPO_ROOT, 'guardrail.policy.yml'));
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy?.close();
  await moto?.stop();
});

beforeEach(() => {
  output = captureOutput();
});

afterEach(() => {
  output?.restore();
  output = undefined;
});

describe('backfill batches against moto S3 + DynamoDB + SQS', () => {
  it('an organization trail (3 accounts x 2 regions): the findings the live functions record, per account and region; a replay writes nothing', async () => {
    const keys: string[] = [];
    for (const account of ACCOUNTS)
      for (const region of REGIONS) {
        const records = [
          ...ROUTED.map((n) => memberRecord(n, account, region)),
          ...notRouted(account, region),
        ];
        // One record outside the window (a log file also holds the minutes around its 5).
        const late = memberRecord('cloudtrail-create-service-assign-public-ip', account, region);
        late.eventID = `${String(late.eventID)}-late`;
        late.eventTime = '2026-03-10T00:00:00Z';
        keys.push(await put(logKey(account, region, '20260302T0805Z'), logFile([...records, late])));
      }

    const backfill = await loadBackfill();
    const ctx = fakeContext('backfill');
    // Two batches, as the Map's ItemBatcher would cut them.
    const first = (await backfill(batch(keys.slice(0, 3)), ctx)) as BatchSummary;
    const second = (await backfill(batch(keys.slice(3)), ctx)) as BatchSummary;
    const perObject = ROUTED.length + NOT_ROUTED_PER_OBJECT + 1;
    for (const s of [first, second])
      expect(s).toMatchObject({
        objects: 3,
        invalidObjects: 0,
        records: 3 * perObject,
        outsideWindow: 3,
        notRouted: 3 * NOT_ROUTED_PER_OBJECT,
        evaluated: 3 * ROUTED.length,
        duplicates: 0,
        invalid: 0,
        failed: 0,
      });
    const items = await findingItems();
    expect(first.new + second.new).toBe(items.length);

    // The live functions, on the same events as EventBridge delivers them, in a fresh table.
    vi.stubEnv('GUARDRAIL_TABLE', LIVE_TABLE);
    vi.resetModules();
    const live = {
      cloudtrail: (await import('../../functions/cloudtrail-api-call')).handler as LiveHandler,
      throttling: (await import('../../functions/throttling')).handler as LiveHandler,
    };
    const { recordToEvent } = await import('../../shared/events/cloudtrail-record');
    for (const account of ACCOUNTS)
      for (const region of REGIONS)
        for (const name of ROUTED) {
          const event = recordToEvent(memberRecord(name, account, region));
          const h = name.includes('throttling') ? live.throttling : live.cloudtrail;
          await h(event, fakeContext(name.includes('throttling') ? 'throttling' : 'cloudtrail-api-call'));
        }
    vi.stubEnv('GUARDRAIL_TABLE', TABLE);
    const liveItems = await findingItems(LIVE_TABLE);
    expect(liveItems.length).toBeGreaterThanOrEqual(ACCOUNTS.length * REGIONS.length * 3);
    expect(items.map(identity).sort()).toEqual(liveItems.map(identity).sort());
    // Every (account, region) has its own findings.
    for (const account of ACCOUNTS)
      for (const region of REGIONS)
        expect(
          items.some((i) => identity(i).includes(` ${account} ${region} `)),
          `${account} ${region}`,
        ).toBe(true);

    // A replayed batch (the state machine retries it): every record a duplicate, nothing new written.
    const before = (await scanTable(docs, TABLE)).filter((i) => String(i.pk).startsWith('FINDING#'));
    const replay = (await backfill(batch(keys.slice(0, 3)), ctx)) as BatchSummary;
    expect(replay).toMatchObject({ evaluated: first.evaluated, duplicates: first.evaluated });
    const after = await findingItems();
    expect(after).toEqual(before);
    // Also from a new container (no local idempotency cache): the records in DynamoDB decide.
    const fresh = await loadBackfill();
    const replay2 = (await fresh(batch(keys.slice(3)), fakeContext('backfill', 'req-2'))) as BatchSummary;
    expect(replay2.duplicates).toBe(second.evaluated);
    expect(await findingItems()).toEqual(before);
    await drainQueue(sqs, queueUrl);
  }, 120_000);

  it('hostile objects and records are counted with their reason and the batch goes on', async () => {
    const account = ACCOUNTS[0]!;
    const region = REGIONS[0]!;
    const good = memberRecord('cloudtrail-register-task-definition-privileged', account, region);
    good.eventID = 'hostile-good-1';
    const wrongType = memberRecord('cloudtrail-create-service-assign-public-ip', account, region);
    wrongType.eventID = 12345; // a number where CloudTrail writes a string
    const badTime = memberRecord('cloudtrail-create-service-assign-public-ip', account, region);
    badTime.eventID = 'hostile-bad-time';
    badTime.eventTime = 'yesterday';
    const full = gzipSync(JSON.stringify({ Records: [good] }));
    const keys = [
      await put(logKey(account, region, 'notgzip'), randomBytes(4096)),
      await put(logKey(account, region, 'notjson'), gzipSync('this is not JSON {')),
      await put(logKey(account, region, 'recordsnotarray'), gzipSync(JSON.stringify({ Records: 5 }))),
      await put(logKey(account, region, 'truncated'), full.subarray(0, Math.floor(full.length / 2))),
      await put(logKey(account, region, 'empty'), Buffer.alloc(0)),
      await put(logKey(account, region, 'types'), logFile([wrongType, badTime, good])),
    ];
    const missing = logKey(account, region, 'deleted-since-listing');
    const backfill = await loadBackfill();
    const s = (await backfill(batch([...keys, missing]), fakeContext('backfill'))) as BatchSummary;
    expect(s.objects).toBe(7);
    expect(s.invalidObjects).toBe(6);
    expect(s.invalid).toBe(2);
    expect(s.evaluated).toBe(1);
    expect(s.failed).toBe(0);
    expect(s.invalidReasons).toEqual({
      'object: cannot be read (NoSuchKey)': 1,
      'object: cannot read gzip (Z_BUF_ERROR)': 1,
      'object: empty input': 1,
      'object: not a CloudTrail log file: Records must be an array': 1,
      // Random bytes (no gzip header) and gzip of text that is not JSON.
      'object: not valid JSON (expected an object or an array at line 1 column 1)': 2,
      'record: detail.eventTime: must be an ISO 8601 time': 1,
      'record: id: expected string, got number': 1,
    });
    // Reasons name a problem and a path, never a value of the input.
    expect(JSON.stringify(s)).not.toContain('12345');
    expect(JSON.stringify(s)).not.toContain('yesterday');
    expect(output!.text()).not.toContain('this is not JSON');
    await drainQueue(sqs, queueUrl);
  }, 60_000);

  it('a bad batch input fails with BackfillInputError naming the field (the state machine does not retry it)', async () => {
    const backfill = await loadBackfill();
    const ctx = fakeContext('backfill');
    await expect(
      backfill({ Items: 'x', BatchInput: { bucket: BUCKET, ...WINDOW } }, ctx),
    ).rejects.toMatchObject({
      name: 'BackfillInputError',
      message: expect.stringContaining('Items'),
    });
    await expect(backfill(batch(['k'], { from: '2026-03-10', to: '2026-03-01' }), ctx)).rejects.toMatchObject(
      { name: 'BackfillInputError', message: 'BatchInput.to: must be after BatchInput.from' },
    );
    await expect(backfill(batch(['k'], { from: 'last week', to: '2026-03-01' }), ctx)).rejects.toMatchObject({
      name: 'BackfillInputError',
      message: expect.stringMatching(/^BatchInput\.from: not a date/),
    });
  });

  it('the summary step adds up every batch of a ResultWriter manifest; failed and unreadable batches are counted', async () => {
    const one = (n: number): BatchSummary => ({
      objects: n,
      invalidObjects: 0,
      records: 10 * n,
      outsideWindow: 1,
      notRouted: 2,
      evaluated: 7 * n,
      duplicates: 0,
      invalid: 1,
      invalidReasons: { 'record: id: Invalid type': 1 },
      findings: n,
      new: n,
      resolved: 0,
      queued: n,
      incomplete: 0,
      failed: 0,
      failedReasons: {},
    });
    const child = (status: string, output?: unknown) => ({
      ExecutionArn: `arn:aws:states:us-east-1:123456789012:express:guardrail-backfill:run/${randomBytes(4).toString('hex')}`,
      Input: '{"Items":[]}',
      InputDetails: { Included: true },
      Name: 'child',
      ...(output === undefined ? {} : { Output: JSON.stringify(output), OutputDetails: { Included: true } }),
      Status: status,
    });
    const prefix = 'backfill-results/run-1';
    await put(
      `${prefix}/SUCCEEDED_0.json`,
      JSON.stringify([child('SUCCEEDED', one(2)), child('SUCCEEDED', one(3))]),
    );
    await put(`${prefix}/SUCCEEDED_1.json`, JSON.stringify([child('SUCCEEDED', { not: 'a summary' })]));
    await put(`${prefix}/FAILED_0.json`, JSON.stringify([child('FAILED')]));
    await put(
      `${prefix}/manifest.json`,
      JSON.stringify({
        DestinationBucket: BUCKET,
        MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:guardrail-backfill/run-1:map',
        ResultFiles: {
          FAILED: [{ Key: `${prefix}/FAILED_0.json`, Size: 1 }],
          PENDING: [],
          SUCCEEDED: [
            { Key: `${prefix}/SUCCEEDED_0.json`, Size: 1 },
            { Key: `${prefix}/SUCCEEDED_1.json`, Size: 1 },
          ],
        },
      }),
    );
    const backfill = await loadBackfill();
    const total = (await backfill(
      { ResultWriterDetails: { Bucket: BUCKET, Key: `${prefix}/manifest.json` } },
      fakeContext('backfill'),
    )) as RunSummary;
    expect(total).toMatchObject({
      batches: 4,
      failedBatches: 2,
      objects: 5,
      records: 50,
      evaluated: 35,
      findings: 5,
      new: 5,
      invalid: 2,
      invalidReasons: { 'record: id: Invalid type': 2 },
    });
    await expect(
      backfill({ ResultWriterDetails: { Bucket: BUCKET } }, fakeContext('backfill')),
    ).rejects.toMatchObject({
      name: 'BackfillInputError',
      message: expect.stringContaining('ResultWriterDetails.Key'),
    });
  });
});

describe('a 50 MB CloudTrail object', () => {
  it('is streamed: the first record is evaluated after reading a small part of it, and every record is counted', async () => {
    const { evaluateBatch } = await import('../../shared/backfill/batch');
    const { s3Reader } = await import('../../functions/edge/backfill-handler');
    const patterns = (await import('../../infra/event-patterns.json')).default;
    const account = ACCOUNTS[1]!;
    const region = REGIONS[1]!;
    const first = memberRecord('cloudtrail-register-task-definition-privileged', account, region);
    // Not routed, each with 48 KiB of random (incompressible) text, as large read-only calls are.
    const filler = (i: number) => ({
      ...memberRecord('cloudtrail-deregister-task-definition', account, region),
      eventID: `filler-${i}`,
      eventName: 'DescribeTaskDefinition',
      requestParameters: { padding: randomBytes(36 * 1024).toString('base64') },
    });
    const count = 1400;
    const gz = gzipSync(
      JSON.stringify({ Records: [first, ...Array.from({ length: count }, (_, i) => filler(i))] }),
    );
    expect(gz.length).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const key = await put(logKey(account, region, 'big'), gz);

    const read = s3Reader(new S3Client({ ...motoClientConfig(moto), forcePathStyle: true }));
    let bytesRead = 0;
    let bytesAtFirstRecord = -1;
    const s = await evaluateBatch(
      {
        bucket: BUCKET,
        keys: [key],
        ...{ from: '2026-03-01T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' },
      },
      {
        read: async (b, k) => {
          const body = await read(b, k);
          return (async function* () {
            for await (const chunk of body) {
              bytesRead += (chunk as Uint8Array).length;
              yield chunk;
            }
          })();
        },
        patterns: [patterns['cloudtrail-api-call'], patterns.throttling],
        logger: {
          debug: () => undefined,
          info: () => undefined,
          warn: () => undefined,
          error: () => undefined,
        },
        evaluate: async () => {
          if (bytesAtFirstRecord < 0) bytesAtFirstRecord = bytesRead;
          return {
            duplicate: false,
            summary: {
              eventId: 'x',
              kind: 'cloudTrail',
              findings: 1,
              new: 1,
              queued: 0,
              exempted: 0,
              remediations: 0,
              resolved: 0,
            },
          };
        },
      },
    );
    expect(s).toMatchObject({ objects: 1, records: count + 1, evaluated: 1, notRouted: count, invalid: 0 });
    expect(bytesRead).toBe(gz.length);
    // The first record went through while less than a tenth of the object had been read.
    expect(bytesAtFirstRecord).toBeGreaterThan(0);
    expect(bytesAtFirstRecord).toBeLessThan(gz.length / 10);
  }, 180_000);
});
