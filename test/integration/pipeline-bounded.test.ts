/**
 * Issue 15: a critical alert must not disappear because it is big. A task definition inside ECS's 64 KiB
 * limit (one container with a 255-character name and 1,562 `VAR_n_TOKEN` variables) used to yield a
 * 1.1 MB `td-secrets-in-environment` finding: DynamoDB refused the item (400 KB), the event was
 * dead-lettered, the finding never stored or sent. Here the REAL cloudtrail-api-call Lambda handler runs
 * against moto DynamoDB + SQS: the finding is stored and queued in the outbox, bounded in size.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { MAX_FINDING_BYTES } from '../../shared/model/bounded-finding';
import type { PipelineSummary } from '../../shared/pipeline/types';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  captureOutput,
  createQueue,
  createStateTable,
  drainQueue,
  fakeContext,
  scanTable,
  stubPipelineEnv,
} from '../helpers/pipeline-harness';
import { registerTd } from '../unit/engine/builders';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;

const TABLE = 'guardrail-bounded';
const REPO_ROOT = join(__dirname, '..', '..');
const ECS_TASK_DEFINITION_LIMIT = 65_536; // bytes of a RegisterTaskDefinition request (64 KiB)

let moto: Moto;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;

/** One container with a 255-character name and `count` variables `VAR_n_TOKEN` (each a finding). */
function tokensTaskDefinition(count: number, family: string): Record<string, unknown> {
  const container = `c${'x'.repeat(254)}`;
  const environment = Array.from({ length: count }, (_, i) => ({
    name: `VAR_${i + 1}_TOKEN`,
    value: 'abcdefgh', // 8 characters: the shortest value that is not benign
  }));
  return registerTd({ family, containers: [{ name: container, image: 'nginx:1.27', environment }] });
}

const requestBytes = (event: Record<string, unknown>): number =>
  Buffer.byteLength(JSON.stringify((event.detail as { requestParameters: unknown }).requestParameters));

/** The most `VAR_n_TOKEN` variables whose RegisterTaskDefinition request stays under 64 KiB. */
function largestUnderLimit(): number {
  let n = 1_000;
  while (requestBytes(tokensTaskDefinition(n + 1, 'probe')) < ECS_TASK_DEFINITION_LIMIT) n++;
  return n;
}

beforeAll(async () => {
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-bounded-outbox');
  stubPipelineEnv(moto.endpoint, TABLE, queueUrl);
  vi.stubEnv('GUARDRAIL_POLICY_FILE', join(REPO_ROOT, 'guardrail.policy.yml'));
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await moto?.stop();
});

async function runThroughHandler(event: Record<string, unknown>, family: string, count: number) {
  vi.resetModules();
  const handler = (await import('../../functions/cloudtrail-api-call')).handler as Handler;
  const output = captureOutput();
  let summary: PipelineSummary;
  try {
    summary = await handler(event, fakeContext('cloudtrail-api-call'));
  } finally {
    output.restore();
  }
  expect(summary).toMatchObject({ kind: 'cloudTrail' });

  const items = (await scanTable(docs, TABLE)).filter(
    (i) =>
      i.ruleId === 'td-secrets-in-environment' &&
      String(i.pk).startsWith('FINDING#') &&
      String(i.resourceArn).includes(`task-definition/${family}:`),
  );
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ status: 'open', severity: 'critical', count: 1 });
  const stored = JSON.parse(String(items[0]!.finding)) as Finding;
  const storedBytes = Buffer.byteLength(String(items[0]!.finding));
  expect(storedBytes).toBeLessThanOrEqual(MAX_FINDING_BYTES);
  // The first entries, then one entry counting the rest: nothing silently dropped.
  const kept = stored.evidence.length - 1;
  expect(stored.evidence[stored.evidence.length - 1]!.message).toBe(
    `… and ${(count - kept).toLocaleString('en-US')} more (${count.toLocaleString('en-US')} in all)`,
  );
  expect(stored.evidence[0]!.message).toContain('"VAR_1_TOKEN"');
  expect(stored.evidence[0]!.container).toBe(`c${'x'.repeat(254)}`); // ECS's longest name is kept whole

  const queued = (await drainQueue(sqs, queueUrl)).map((m) => m.Body ?? '');
  const mine = queued.filter((b) => {
    const f = JSON.parse(b) as Finding;
    return f.ruleId === 'td-secrets-in-environment' && f.resource.arn.includes(`task-definition/${family}:`);
  });
  expect(mine).toHaveLength(1);
  expect((JSON.parse(mine[0]!) as Finding).severity).toBe('critical');
  const queuedBytes = Math.max(...queued.map((b) => Buffer.byteLength(b)));
  expect(queuedBytes).toBeLessThan(256 * 1024);
  return { storedBytes, queuedBytes };
}

describe('a finding at the input limits', () => {
  it('the largest VAR_n_TOKEN task definition under 64 KiB: its critical finding is stored and queued, bounded', async () => {
    const count = largestUnderLimit();
    const event = tokensTaskDefinition(count, 'huge');
    const payload = requestBytes(event);
    expect(payload).toBeLessThan(ECS_TASK_DEFINITION_LIMIT); // ECS would accept it
    expect(count).toBeGreaterThan(1_400);
    const { storedBytes, queuedBytes } = await runThroughHandler(event, 'huge', count);
    console.info(
      `${count} variables, request ${payload} B: stored finding ${storedBytes} B, largest outbox message ${queuedBytes} B`,
    );
  }, 60_000);

  it("the issue's 1,562 variables (8-character values: 69.6 KB, above what ECS accepts) are bounded too", async () => {
    const event = tokensTaskDefinition(1562, 'issue15');
    const { storedBytes, queuedBytes } = await runThroughHandler(event, 'issue15', 1562);
    console.info(
      `1562 variables, request ${requestBytes(event)} B: stored finding ${storedBytes} B, largest outbox message ${queuedBytes} B`,
    );
  }, 60_000);
});
