/**
 * The policy's scope.allowAccounts through the real handlers (as the Lambda runtime invokes them) against
 * moto_server DynamoDB and SQS: an event from, or about, an account outside the list is dropped before
 * anything is written (no idempotency record, finding, window or notification), counted in EMF
 * (`EventsOutsideAllowList`) and logged without its body; an event of an allowed account is processed as
 * before; without the key every account is processed (as before the key existed).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  jsonLines,
  loadEvent,
  scanTable,
  startSerialProxy,
  type RawEvent,
  type SerialProxy,
  stubPipelineEnv,
} from '../helpers/pipeline-harness';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;
interface Container {
  ecs: Handler;
  cloudtrail: Handler;
  throttling: Handler;
}

const TABLE = 'guardrail-scope-state';
const REPO_ROOT = join(__dirname, '..', '..');
/** The account of every fixture event: the only one on the list. */
const ALLOWED = '111122223333';
const FOREIGN = '999988887777';

let moto: Moto;
let proxy: SerialProxy;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
let policyDir: string;
let scoped: Container;
let output: ReturnType<typeof captureOutput> | undefined;

/** A fresh Lambda container reading the policy file `policyFile`. */
async function loadContainer(policyFile: string): Promise<Container> {
  vi.stubEnv('GUARDRAIL_POLICY_FILE', policyFile);
  vi.resetModules();
  return {
    ecs: (await import('../../functions/ecs-state-change')).handler as Handler,
    cloudtrail: (await import('../../functions/cloudtrail-api-call')).handler as Handler,
    throttling: (await import('../../functions/throttling')).handler as Handler,
  };
}

/** Every account id in the event replaced (envelope and detail, or only one of them). */
function moved(event: RawEvent, parts: { envelope: boolean; detail: boolean }, to = FOREIGN): RawEvent {
  const swap = (x: unknown): unknown => JSON.parse(JSON.stringify(x).replaceAll(ALLOWED, to)) as unknown;
  const { detail, ...envelope } = event;
  return {
    ...(parts.envelope ? (swap(envelope) as RawEvent) : envelope),
    detail: parts.detail ? swap(detail) : detail,
  };
}

const items = () => scanTable(docs, TABLE);
const bodies = async (): Promise<Finding[]> =>
  (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? '') as Finding);

/** The EMF documents of this test's invocations that carry `metric`, and its values. */
function emfValues(metric: string): number[] {
  return jsonLines(output!.text())
    .filter((l) => l._aws !== undefined && metric in l)
    .map((l) => Number(l[metric]));
}

beforeAll(async () => {
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-scope-outbox');

  proxy = await startSerialProxy(moto.endpoint);
  stubPipelineEnv(proxy.endpoint, TABLE, queueUrl);
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');

  // The deployed policy, plus the allow-list.
  policyDir = mkdtempSync(join(tmpdir(), 'guardrail-scope-'));
  const deployed = readFileSync(join(REPO_ROOT, 'guardrail.policy.yml'), 'utf8');
  writeFileSync(join(policyDir, 'scoped.yml'), `${deployed}\nscope:\n  allowAccounts: ['${ALLOWED}']\n`);
  scoped = await loadContainer(join(policyDir, 'scoped.yml'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  await proxy?.close();
  await moto?.stop();
});

beforeEach(() => {
  output = captureOutput();
});

afterEach(async () => {
  output?.restore();
  output = undefined;
  await drainQueue(sqs, queueUrl);
  // Each test starts from an empty table.
  for (const i of await items())
    await docs.send(new DeleteCommand({ TableName: TABLE, Key: { pk: i.pk, sk: i.sk } }));
});

describe('scope.allowAccounts through the real handlers', () => {
  it('a critical violation from a foreign account: nothing written, nothing queued, counted, logged without the body', async () => {
    const event = moved(loadEvent('cloudtrail-register-task-definition-privileged'), {
      envelope: true,
      detail: true,
    });
    event.detail.requestParameters.containerDefinitions[0].environment = [
      { name: 'DB_PASSWORD', value: 'hunter2-not-for-logs' },
    ];
    const summary = await scoped.cloudtrail(event, fakeContext('cloudtrail-api-call'));

    expect(summary).toEqual({
      eventId: event.id,
      kind: 'cloudTrail',
      findings: 0,
      new: 0,
      queued: 0,
      exempted: 0,
      remediations: 0,
      resolved: 0,
      outsideAllowList: [FOREIGN],
    });
    expect(await items()).toEqual([]); // no finding, no idempotency record, no window
    expect(await bodies()).toEqual([]);
    expect(emfValues('EventsOutsideAllowList')).toEqual([1]);

    const text = output!.text();
    expect(text).not.toContain('hunter2-not-for-logs');
    expect(text).not.toContain('requestParameters');
    const logs = jsonLines(text);
    expect(logs.find((l) => String(l.message).startsWith('event from an account outside'))).toMatchObject({
      level: 'WARN',
      account: FOREIGN,
      outsideAllowList: [FOREIGN],
      eventId: event.id,
    });
    // Neither evaluated nor remediated nor notified.
    expect(
      logs.filter((l) => ['finding', 'remediation', 'event processed'].includes(String(l.message))),
    ).toEqual([]);
  });

  it('a flood of 200 distinct foreign events over 4 containers: the table and the outbox stay empty, every one counted', async () => {
    const base = moved(loadEvent('cloudtrail-create-service-assign-public-ip'), {
      envelope: true,
      detail: true,
    });
    // Loaded one after the other: each its own modules (a concurrent resetModules would share them).
    const containers = [scoped];
    for (let k = 1; k < 4; k++) containers.push(await loadContainer(join(policyDir, 'scoped.yml')));
    // The 4 containers in parallel, each one invocation at a time (as Lambda runs them).
    const perContainer = await Promise.all(
      containers.map(async (c, k) => {
        const out: PipelineSummary[] = [];
        for (let j = 0; j < 50; j++) {
          const i = k * 50 + j;
          const e = { ...base, id: `flood-${i}`, detail: { ...base.detail, eventID: `flood-evt-${i}` } };
          out.push(await c.cloudtrail(e, fakeContext('cloudtrail-api-call', `req-${i}`)));
        }
        return out;
      }),
    );
    const summaries = perContainer.flat();
    expect(summaries).toHaveLength(200);
    expect(summaries.every((s) => s.outsideAllowList?.join() === FOREIGN && s.queued === 0)).toBe(true);
    expect(await items()).toEqual([]);
    expect(await bodies()).toEqual([]);
    const counted = emfValues('EventsOutsideAllowList');
    expect(counted).toHaveLength(200);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('the throttling function: a foreign throttle storm counts into no window and is counted as dropped; the allowed account still opens one', async () => {
    const base = loadEvent('ecs-service-action-operation-throttled');
    const foreign = moved(base, { envelope: true, detail: true });
    for (let i = 0; i < 20; i++) {
      const summary = await scoped.throttling(
        { ...foreign, id: `storm-${i}` },
        fakeContext('throttling', `req-storm-${i}`),
      );
      expect(summary.outsideAllowList).toEqual([FOREIGN]);
      expect(summary.findings).toBe(0);
    }
    expect(await items()).toEqual([]); // no window counter, no finding, no idempotency record
    expect(await bodies()).toEqual([]);
    expect(emfValues('EventsOutsideAllowList')).toEqual(Array(20).fill(1));

    const allowed = await scoped.throttling(base, fakeContext('throttling', 'req-allowed'));
    expect(allowed.outsideAllowList).toBeUndefined();
    expect((await items()).length).toBeGreaterThan(0);
  });

  it('the same violation from the allowed account is recorded and notified as before', async () => {
    const event = loadEvent('cloudtrail-register-task-definition-privileged');
    const summary = await scoped.cloudtrail(event, fakeContext('cloudtrail-api-call'));
    expect(summary.new).toBeGreaterThan(0);
    expect(summary.queued).toBe(summary.new);
    expect(summary.outsideAllowList).toBeUndefined();

    const all = await items();
    expect(all.filter((i) => i.ruleId === 'td-privileged')).toEqual([
      expect.objectContaining({ status: 'open', account: ALLOWED }),
    ]);
    expect(all.filter((i) => String(i.pk).startsWith('idempotency#'))).toHaveLength(1);
    expect((await bodies()).map((f) => f.ruleId)).toContain('td-privileged');
    expect(emfValues('EventsOutsideAllowList')).toEqual([]);
  });

  it('a forged envelope: an allowed sender whose detail is about a foreign account is dropped', async () => {
    // The envelope (set by EventBridge) says the allowed account; recipientAccountId and ARNs say another.
    const event = moved(loadEvent('cloudtrail-create-service-assign-public-ip'), {
      envelope: false,
      detail: true,
    });
    expect(event.account).toBe(ALLOWED);
    expect(event.detail.recipientAccountId).toBe(FOREIGN);
    const summary = await scoped.cloudtrail(event, fakeContext('cloudtrail-api-call'));
    expect(summary.outsideAllowList).toEqual([FOREIGN]);
    expect(await items()).toEqual([]);
    expect(await bodies()).toEqual([]);
  });

  it('a foreign sender naming an allowed account in its detail is dropped (the envelope account counts)', async () => {
    const event = moved(loadEvent('cloudtrail-create-service-assign-public-ip'), {
      envelope: true,
      detail: false,
    });
    expect(event.detail.recipientAccountId).toBe(ALLOWED);
    const summary = await scoped.cloudtrail(event, fakeContext('cloudtrail-api-call'));
    expect(summary.outsideAllowList).toEqual([FOREIGN]);
    expect(await items()).toEqual([]);
    expect(await bodies()).toEqual([]);
  });

  it('an ECS task event of an allowed sender about a foreign task (only the ARN lies) is dropped', async () => {
    const event = loadEvent('ecs-task-state-change-stopped-essential-container-exited');
    event.detail.taskArn = String(event.detail.taskArn).replace(ALLOWED, FOREIGN);
    expect(event.account).toBe(ALLOWED);
    const summary = await scoped.ecs(event, fakeContext('ecs-state-change'));
    expect(summary.outsideAllowList).toEqual([FOREIGN]);
    expect(await items()).toEqual([]);
  });

  it('a recipientAccountId that is not an account id is dropped and never echoed into the log', async () => {
    const event = loadEvent('cloudtrail-create-service-assign-public-ip');
    event.detail.recipientAccountId = '\u001b[31m<script>alert(1)</script>';
    const summary = await scoped.cloudtrail(event, fakeContext('cloudtrail-api-call'));
    expect(summary.outsideAllowList).toEqual(['(not an account id)']);
    expect(await items()).toEqual([]);
    expect(output!.text()).not.toContain('<script>');
    expect(output!.text()).not.toContain('\u001b[31m');
  });

  it('without scope.allowAccounts (the deployed policy) a foreign account is processed as before', async () => {
    const open = await loadContainer(join(REPO_ROOT, 'guardrail.policy.yml'));
    const event = moved(loadEvent('cloudtrail-register-task-definition-privileged'), {
      envelope: true,
      detail: true,
    });
    const summary = await open.cloudtrail(event, fakeContext('cloudtrail-api-call'));
    expect(summary.new).toBeGreaterThan(0);
    expect(summary.outsideAllowList).toBeUndefined();
    expect((await items()).filter((i) => i.ruleId === 'td-privileged')).toEqual([
      expect.objectContaining({ account: FOREIGN }),
    ]);
    expect(emfValues('EventsOutsideAllowList')).toEqual([]);
  });
});
