/**
 * The three Lambda handlers, invoked directly (as the Lambda runtime would) with fixture events and a fake
 * context, against moto_server DynamoDB and SQS: real SDK clients, real Powertools idempotency, the real
 * DynamoDB finding store and window counter, the real SQS outbox. Enrichment is off (GUARDRAIL_ENRICH).
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvalidEventError } from '../../shared/events/errors';
import type { Finding } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { loadSample } from '../helpers/fixtures';
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
  /** The container's own class (each container loads its modules anew). */
  InvalidEventError: typeof InvalidEventError;
}

const TABLE = 'guardrail-state';
const REPO_ROOT = join(__dirname, '..', '..');

let moto: Moto;
let proxy: SerialProxy;
let ddb: DynamoDBClient;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
let handlers: Container;
let output: ReturnType<typeof captureOutput> | undefined;

const findingItems = async (): Promise<Record<string, unknown>[]> =>
  (await scanTable(docs, TABLE)).filter((i) => String(i.pk).startsWith('FINDING#'));

const bodies = async (): Promise<Finding[]> =>
  (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? '') as Finding);

/**
 * A fresh Lambda container: the handler modules loaded anew, so each has its own SDK clients, pipeline
 * and Powertools idempotency local cache, as separate Lambda execution environments do.
 */
async function loadContainer(): Promise<Container> {
  vi.resetModules();
  return {
    ecs: (await import('../../functions/ecs-state-change')).handler as Handler,
    cloudtrail: (await import('../../functions/cloudtrail-api-call')).handler as Handler,
    throttling: (await import('../../functions/throttling')).handler as Handler,
    InvalidEventError: (await import('../../shared/events/errors')).InvalidEventError,
  };
}

/** Run `tasks` with at most `width` in flight (concurrent Lambda invocations). */
async function pool<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** As Lambda's async retries do: invoke again while the same event is still in progress elsewhere. */
async function invokeRetryingInProgress(h: Handler, event: RawEvent, ctx: Context): Promise<PipelineSummary> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await h(event, ctx);
    } catch (err) {
      if ((err as Error).name !== 'IdempotencyAlreadyInProgressError' || attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

beforeAll(async () => {
  moto = await startMoto();
  ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-outbox');

  // The deployment contract's environment; the handlers' SDK clients find moto through AWS_ENDPOINT_URL,
  // behind a proxy that gives each request DynamoDB's atomicity (moto's conditional writes race).
  proxy = await startSerialProxy(moto.endpoint);
  stubPipelineEnv(proxy.endpoint, TABLE, queueUrl);
  vi.stubEnv('GUARDRAIL_POLICY_FILE', join(REPO_ROOT, 'guardrail.policy.yml'));
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');

  handlers = await loadContainer();
});

afterAll(async () => {
  vi.unstubAllEnvs();
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
});

describe('handlers against moto DynamoDB + SQS', () => {
  it('the same CloudTrail event delivered 100 times records one finding and queues one notification', async () => {
    const base = loadEvent('cloudtrail-create-service-assign-public-ip');
    // EventBridge may re-deliver under a new envelope id: the key is detail.eventID.
    const deliveries = Array.from({ length: 100 }, (_, i) => ({ ...base, id: `delivery-${i}` }));
    const ctx = fakeContext('cloudtrail-api-call');

    const containers = [handlers, ...(await Promise.all([1, 2, 3, 4].map(() => loadContainer())))];

    const first = await handlers.cloudtrail(deliveries[0], ctx);
    // The other 99 arrive 10 at a time over 5 containers; one still in flight elsewhere is retried, as
    // Lambda's async retries would.
    const rest = await pool(
      10,
      deliveries
        .slice(1)
        .map((e, i) => () => invokeRetryingInProgress(containers[i % 5]!.cloudtrail, e, ctx)),
    );

    expect(first).toMatchObject({ kind: 'cloudTrail', findings: 1, new: 1, queued: 1 });
    for (const s of rest) expect(s).toEqual(first); // the stored result of the first delivery

    const items = await findingItems();
    const svc = items.filter((i) => i.ruleId === 'svc-public-ip');
    expect(svc).toHaveLength(1);
    expect(svc[0]).toMatchObject({ status: 'open', count: 1 });

    const queued = await bodies();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      ruleId: 'svc-public-ip',
      resource: { arn: 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api' },
    });

    // One idempotency record, keyed under the function's static partition.
    const idem = (await scanTable(docs, TABLE)).filter((i) =>
      String(i.pk).startsWith('idempotency#cloudtrail-api-call'),
    );
    expect(idem).toHaveLength(1);
    expect(idem[0]).toMatchObject({ status: 'COMPLETED' });
    expect(typeof idem[0]!.expiration).toBe('number');

    const duplicates = jsonLines(output!.text()).filter((l) =>
      String(l.message).startsWith('duplicate event'),
    );
    expect(duplicates.length).toBe(99);
  });

  it('20 concurrent invocations over 50 throttling events of one key: exactly one finding and one notification', async () => {
    const base = loadEvent('cloudtrail-throttling-exception');
    // 50 distinct throttled calls by the same caller to the same API, within one 5-minute window.
    const events = Array.from({ length: 50 }, (_, i) => {
      const t = new Date(Date.parse('2026-03-09T12:00:00Z') + i * 1000).toISOString();
      return {
        ...base,
        id: `throttle-${i}`,
        time: t,
        detail: { ...base.detail, eventID: `evt-${i}`, eventTime: t },
      };
    });
    // 20 containers, 20 invocations in flight at a time.
    const containers = await Promise.all(Array.from({ length: 20 }, () => loadContainer()));
    const summaries = await pool(
      20,
      events.map((e, i) => () => containers[i % 20]!.throttling(e, fakeContext('throttling', `req-${i}`))),
    );

    expect(summaries.filter((s) => s.queued === 1)).toHaveLength(1);
    expect(summaries.reduce((n, s) => n + s.queued, 0)).toBe(1);
    expect(summaries.filter((s) => s.findings === 1)).toHaveLength(41); // counts 10..50 reach the threshold
    expect(summaries.filter((s) => s.new === 1)).toHaveLength(1);

    const throttle = (await findingItems()).filter((i) => i.ruleId === 'throttle-api-calls');
    expect(throttle).toHaveLength(1);
    expect(throttle[0]).toMatchObject({ status: 'open', count: 41 });
    expect(typeof throttle[0]!.expiration).toBe('number'); // window findings expire

    const windows = (await scanTable(docs, TABLE)).filter((i) => String(i.pk).startsWith('WINDOW#'));
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({ count: 50, sk: '2026-03-09T12:00:00.000Z' });
    const windowEnd = Date.parse('2026-03-09T12:05:00Z') / 1000;
    expect(windows[0]!.expiration).toBeGreaterThan(windowEnd);

    const queued = await bodies();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      ruleId: 'throttle-api-calls',
      severity: 'medium',
      resource: { arn: 'arn:aws:iam::111122223333:role/github-actions-deploy' },
      aggregate: { count: 10, crossed: true },
    });
  });

  it('an invalid event throws a typed error (for the DLQ), logged with the problem and never the body', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETVALUE';
    const event = loadEvent('cloudtrail-register-task-definition-privileged');
    event.id = 'bad-event-1';
    event.detail.eventID = 12345; // wrong type in a field the pipeline reads
    event.detail.requestParameters.containerDefinitions[0].environment = [
      { name: 'AWS_SECRET_ACCESS_KEY', value: secret },
    ];
    const ctx = fakeContext('cloudtrail-api-call');

    const err = await handlers.cloudtrail(event, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(handlers.InvalidEventError);
    expect((err as InvalidEventError).path).toBe('detail.eventID');

    const text = output!.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain('AWS_SECRET_ACCESS_KEY');
    const logged = jsonLines(text).find((l) => String(l.message).startsWith('invalid event'));
    expect(logged).toMatchObject({
      level: 'ERROR',
      errorType: 'InvalidEventError',
      path: 'detail.eventID',
      eventId: 'bad-event-1',
      function_name: 'cloudtrail-api-call',
    });
    expect(logged!.problem).toMatch(/expected string, got number/);
    // The EMF error metric was flushed for the failed invocation.
    expect(text).toMatch(
      /"errorType":"InvalidEventError"[^\n]*"Errors":1|"Errors":1[^\n]*"errorType":"InvalidEventError"/,
    );

    // Not an event at all, and a bad field only normalization reads (inside the idempotent step).
    await expect(handlers.ecs('not json', ctx)).rejects.toBeInstanceOf(handlers.InvalidEventError);
    const late = loadEvent('cloudtrail-register-task-definition-privileged');
    late.detail.eventID = 'late-invalid-1';
    late.detail.responseElements = null; // the request is then the task definition
    late.detail.requestParameters.containerDefinitions[0].privileged = 'yes';
    await expect(handlers.cloudtrail(late, ctx)).rejects.toBeInstanceOf(handlers.InvalidEventError);
    // Its in-progress idempotency record was removed: a redelivery fails the same way (not "in progress").
    await expect(handlers.cloudtrail(late, ctx)).rejects.toBeInstanceOf(handlers.InvalidEventError);
    expect(await bodies()).toEqual([]);
  });

  it('an ECS task state change with enrichment off: processed once per task + version', async () => {
    const stopped = loadEvent('ecs-task-state-change-stopped-essential-container-exited');
    const duplicate = loadEvent('ecs-task-state-change-stopped-duplicate-same-version');
    expect(duplicate.id).not.toBe(stopped.id); // same detail.version, new envelope id
    const ctx = fakeContext('ecs-state-change');

    const a = await handlers.ecs(stopped, ctx);
    const b = await handlers.ecs(duplicate, ctx);
    expect(a).toMatchObject({ kind: 'task', findings: 0, new: 0, queued: 0 });
    expect(b).toEqual(a);
    const logs = jsonLines(output!.text());
    expect(logs.filter((l) => l.message === 'event processed')).toHaveLength(1);
    expect(logs.find((l) => String(l.message).startsWith('duplicate event'))).toMatchObject({
      idempotencyKey: `task|${stopped.detail.taskArn}|${stopped.detail.version}`,
      resourceArn: stopped.detail.taskArn,
      eventId: duplicate.id,
    });

    // A running awsvpc task: its public IP needs enrichment, which is off: no AWS call, no finding.
    const running = await handlers.ecs(loadEvent('ecs-task-state-change-running-awsvpc'), ctx);
    expect(running).toMatchObject({ kind: 'task', findings: 0, queued: 0 });
    expect(await bodies()).toEqual([]);
  });

  it('STOPPED tasks that cannot pull their image: one notification per service and window; a duplicate delivery is not counted', async () => {
    const first = loadSample<RawEvent>('ecs-task-state-change-stopped-cannot-pull-container.json');
    const duplicate = { ...structuredClone(first), id: 'redelivered-stop' }; // same task + version
    const second = structuredClone(first); // another task of the same service, later in the window
    second.id = 'second-stop';
    second.detail.taskArn =
      'arn:aws:ecs:us-east-2:111122223333:task/primary-cluster/0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    second.time = '2026-03-02T13:09:00Z';
    const ctx = fakeContext('ecs-state-change');

    const a = await handlers.ecs(first, ctx);
    expect(a).toMatchObject({ kind: 'task', findings: 1, new: 1, queued: 1 });
    expect(await handlers.ecs(duplicate, ctx)).toEqual(a);
    const b = await handlers.ecs(second, ctx);
    expect(b).toMatchObject({ kind: 'task', queued: 0 });

    const queued = await bodies();
    expect(queued.map((f) => [f.ruleId, f.resource.arn, f.aggregate?.count])).toEqual([
      ['ops-image-pull-failure', 'arn:aws:ecs:us-east-2:111122223333:service/primary-cluster/voterintake', 1],
    ]);
    const windows = (await scanTable(docs, TABLE)).filter((i) =>
      String(i.pk).includes('ops-image-pull-failure'),
    );
    expect(windows.some((w) => w.count === 2)).toBe(true); // first + second, not the duplicate
  });

  it('each handler, invoked directly with fixture events, records and queues what the rules find', async () => {
    const ecsCtx = fakeContext('ecs-state-change');
    const instance = await handlers.ecs(loadEvent('ecs-container-instance-state-change-active'), ecsCtx);
    // instance-privileged-allowed and (v2) instance-task-role-host-network.
    expect(instance).toMatchObject({ kind: 'containerInstance', findings: 2, new: 2, queued: 2 });
    const deployment = await handlers.ecs(
      loadEvent('ecs-deployment-state-change-failed-circuit-breaker'),
      ecsCtx,
    );
    expect(deployment).toMatchObject({ kind: 'deployment', findings: 1, new: 1, queued: 1 });

    const ctCtx = fakeContext('cloudtrail-api-call');
    const td = await handlers.cloudtrail(loadEvent('cloudtrail-register-task-definition-privileged'), ctCtx);
    expect(td).toMatchObject({ kind: 'cloudTrail' });
    expect(td.findings).toBeGreaterThan(1);
    expect(td).toMatchObject({ new: td.findings, queued: td.findings });

    const thCtx = fakeContext('throttling');
    const ecsThrottle = await handlers.throttling(loadEvent('ecs-service-action-operation-throttled'), thCtx);
    const sdThrottle = await handlers.throttling(
      loadEvent('ecs-service-action-service-discovery-operation-throttled'),
      thCtx,
    );
    // threshold 1: the first event of each key's window notifies
    expect(ecsThrottle).toMatchObject({ kind: 'serviceAction', findings: 1, new: 1, queued: 1 });
    expect(sdThrottle).toMatchObject({ kind: 'serviceAction', findings: 1, new: 1, queued: 1 });
    // one EC2 throttled call is below the 10-per-window threshold: counted, no finding yet
    const ec2 = await handlers.throttling(loadEvent('cloudtrail-ec2-client-request-limit-exceeded'), thCtx);
    expect(ec2).toMatchObject({ kind: 'cloudTrail', findings: 0, queued: 0 });

    // Each handler queued what it found (which rules fire on which event: the golden test's concern).
    const queued = await bodies();
    expect(queued).toHaveLength(
      [instance, deployment, td, ecsThrottle, sdThrottle].reduce((n, r) => n + r.queued, 0),
    );
    expect(new Set(queued.map((f) => f.findingId)).size).toBe(queued.length);
    for (const rule of [
      'instance-privileged-allowed',
      'ops-deployment-failed',
      'td-privileged',
      'throttle-ecs-operation',
    ])
      expect(queued.map((f) => f.ruleId)).toContain(rule);
    for (const f of queued) expect(f.mode).toBe('notify');

    // The record of one of them, as the notifier and the sweep will read it.
    const privileged = queued.find((f) => f.ruleId === 'td-privileged')!;
    const item = await docs.send(
      new GetCommand({ TableName: TABLE, Key: { pk: `FINDING#${privileged.findingId}`, sk: 'FINDING' } }),
    );
    expect(item.Item).toMatchObject({
      status: 'open',
      count: 1,
      ruleId: 'td-privileged',
      gsi1pk: 'OPEN#111122223333#us-west-2',
      lastEventId: privileged.event.id,
    });
    expect(item.Item!.lastNotifiedAt).toEqual(expect.any(String));
    expect(item.Item!.pendingNotification).toBeUndefined();

    // Logs carry the correlation keys and never an event body.
    const logs = jsonLines(output!.text());
    const findingLog = logs.find((l) => l.message === 'finding' && l.ruleId === 'td-privileged');
    expect(findingLog).toMatchObject({
      eventId: expect.any(String),
      idempotencyKey: expect.stringMatching(/^cloudtrail\|/),
      resourceArn: privileged.resource.arn,
      function_name: 'cloudtrail-api-call',
    });
    expect(output!.text()).not.toContain('requestParameters');
    // EMF: findings per rule and severity, throttles per API.
    expect(output!.text()).toMatch(/"rule":"td-privileged"[^\n]*"severity":"critical"[^\n]*"Findings":1/);
    expect(output!.text()).toMatch(/"api":"ecs:ECS_OPERATION_THROTTLED"[^\n]*"Throttles":1/);
    expect(output!.text()).toMatch(/"api":"ec2:[^"]+"[^\n]*"Throttles":1/);
  });

  it('with enrichment on, the CloudTrail handler loads the AWS enricher and checks the launched task definition', async () => {
    // StartTask of node-exporter:7: the event does not show the task definition; DescribeTaskDefinition does.
    // The event is from account 111122223333, not moto's default one: enrichment reads it there, through
    // that account's read role (issue 10), so the revisions are registered in that account.
    const assumed = await new STSClient(motoClientConfig(moto)).send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/admin', RoleSessionName: 'setup' }),
    );
    const ecs = new ECSClient({
      ...motoClientConfig(moto, 'us-west-2'),
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      },
    });
    for (let revision = 1; revision <= 7; revision++) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'node-exporter',
          containerDefinitions: [
            {
              name: 'node-exporter',
              image: 'quay.io/prometheus/node-exporter:v1.8.2',
              memory: 256,
              privileged: revision === 7,
            },
          ],
        }),
      );
    }
    const event = loadEvent('cloudtrail-start-task-ec2-privileged-taskdef');
    const ctx = fakeContext('cloudtrail-api-call');
    expect(await handlers.cloudtrail(event, ctx)).toMatchObject({ findings: 0 }); // enrichment off

    vi.stubEnv('GUARDRAIL_ENRICH', 'true');
    try {
      const enriching = await loadContainer();
      const summary = await enriching.cloudtrail(
        { ...event, detail: { ...event.detail, eventID: 'enrich-1' } },
        ctx,
      );
      expect(summary.findings).toBeGreaterThan(0);
    } finally {
      vi.stubEnv('GUARDRAIL_ENRICH', 'false');
    }
    // node-exporter:7 of account 111122223333 is the revision the sample RegisterTaskDefinition event
    // opened a finding for earlier in this file: found again (logged and counted), not notified twice.
    await bodies();
    const logs = jsonLines(output!.text());
    expect(
      logs.find(
        (l) =>
          l.message === 'finding' &&
          l.ruleId === 'td-privileged' &&
          l.resourceArn === 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
      ),
    ).toBeDefined();
    expect(logs.find((l) => l.message === 'pipeline ready' && l.enrich === true)).toBeDefined();
  });
});
