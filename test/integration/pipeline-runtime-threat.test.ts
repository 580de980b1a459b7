/**
 * The done-when of issue 14 for runtime threats, through the deployed handler (functions/ecs-state-change)
 * against moto (DynamoDB, SQS, ECS for the enrichment): a GuardDuty Runtime Monitoring finding on a task
 * opens ONE finding naming the task's service and carrying the team tag of the service (read through
 * DescribeServices, the task itself has none); the same finding re-sent by GuardDuty (new envelope, a
 * higher count) stays one finding and one notification; the task stopping resolves it.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { loadSample } from '../helpers/fixtures';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  scanTable,
  startSerialProxy,
  stubPipelineEnv,
  type RawEvent,
  type SerialProxy,
} from '../helpers/pipeline-harness';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;
const TABLE = 'guardrail-state';
const ACCOUNT = '123456789012'; // moto's account: the enrichment reads it with the home credentials
const REGION = 'us-east-1';
const TASK = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/0f9e8d7c6b5a49382716a5b4c3d2e1f0`;

let moto: Moto;
let proxy: SerialProxy;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
let handler: Handler;

/** The sample GuardDuty event moved to moto's account and region, the task without tags of its own. */
function guardDutyEvent(over: { id?: string; count?: number } = {}): RawEvent {
  const text = JSON.stringify(loadSample('guardduty-runtime-new-binary-executed-service-task.json'))
    .replaceAll('111122223333', ACCOUNT)
    .replaceAll('us-west-2', REGION);
  const e = JSON.parse(text) as RawEvent;
  delete e.detail.resource.ecsClusterDetails.taskDetails.tags;
  if (over.id) e.id = over.id;
  if (over.count) e.detail.service.count = over.count;
  return e;
}

/** The finding items, the finding JSON parsed (docs/state.md). */
const findings = async () =>
  (await scanTable(docs, TABLE))
    .filter((i) => String(i.pk).startsWith('FINDING#'))
    .map((i) => ({ status: i.status as string, finding: JSON.parse(String(i.finding)) as Finding }));

beforeAll(async () => {
  moto = await startMoto();
  const cfg = motoClientConfig(moto, REGION);
  const ddb = new DynamoDBClient(cfg);
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(cfg);
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-outbox');
  const ecs = new ECSClient(cfg);
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'checkout-api',
      containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', memory: 512 }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'checkout-api',
      taskDefinition: 'checkout-api',
      desiredCount: 1,
      tags: [{ key: 'guardrail:team', value: 'payments' }],
    }),
  );
  proxy = await startSerialProxy(moto.endpoint);
  stubPipelineEnv(proxy.endpoint, TABLE, queueUrl);
  vi.stubEnv('GUARDRAIL_ENRICH', 'true');
  vi.stubEnv('GUARDRAIL_POLICY_FILE', join(__dirname, '..', '..', 'guardrail.policy.yml'));
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');
  vi.resetModules();
  handler = (await import('../../functions/ecs-state-change')).handler as Handler;
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy?.close();
  await moto?.stop();
});

describe('GuardDuty runtime finding through the ecs-state-change handler (moto)', () => {
  it("opens one finding with the task's service and the service's team; a re-sent finding stays one", async () => {
    const ctx = fakeContext('ecs-state-change');
    await handler(guardDutyEvent(), ctx);
    await handler(guardDutyEvent(), ctx); // the same delivery again
    await handler(guardDutyEvent({ id: 'gd-update-2', count: 3 }), ctx); // GuardDuty's update of it
    const items = await findings();
    expect(items).toHaveLength(1);
    const f = items[0]!.finding;
    expect(f.ruleId).toBe('runtime-threat-in-task');
    expect(f.resource.arn).toBe(TASK);
    expect(f.tags).toEqual({ 'guardrail:team': 'payments' });
    expect(f.evidence.map((e) => e.message)).toContain('task of service checkout-api in cluster prod');
    expect(items[0]!.status).toBe('open');
    const queued = (await drainQueue(sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(queued.filter((b) => JSON.stringify(b).includes('runtime-threat-in-task'))).toHaveLength(1);
  });

  it('the task stopping resolves it', async () => {
    const stopped = loadSample<RawEvent>('ecs-task-state-change-stopped-out-of-memory.json');
    const e = {
      ...stopped,
      id: 'task-stopped-1',
      // After the GuardDuty finding (an older event never resolves a newer sighting).
      time: '2026-03-02T15:00:00Z',
      account: ACCOUNT,
      region: REGION,
      resources: [TASK],
      detail: {
        ...stopped.detail,
        taskArn: TASK,
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
        lastStatus: 'STOPPED',
      },
    };
    await handler(e, fakeContext('ecs-state-change'));
    const item = (await findings()).find((i) => i.finding.ruleId === 'runtime-threat-in-task');
    expect(item?.status).toBe('resolved');
  });
});
