/**
 * Issue 15, secret hygiene end to end: a secret of every pattern hidden where nobody expects it (a
 * variable NAME carrying the value, a log-option KEY, a tag key and a credential-named tag's value, a
 * tag value of a known format, the reason texts of a failed deployment and a placement failure) goes
 * through the REAL Lambda handlers against moto: no piece of it is in any stored DynamoDB item, any
 * outbox message or any log line.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
import { fixture, okContainer, registerTd, type Json } from '../unit/engine/builders';

type Handler = (event: unknown, context: Context) => Promise<PipelineSummary>;

const TABLE = 'guardrail-secrets';
const REPO_ROOT = join(__dirname, '..', '..');

/** One secret per pattern of td-secrets-in-environment: its name, its value, the pieces that must not leak. */
const SECRETS = [
  {
    pattern: 'name PASSWORD',
    name: 'DB_PASSWORD',
    value: 'Sup3r-S3cret-Passw0rd!',
    pieces: ['Sup3r-S3cret'],
  },
  {
    pattern: 'name SECRET',
    name: 'app-secret',
    value: 'correct horse battery staple',
    pieces: ['horse battery'],
  },
  {
    pattern: 'name ECS_ENGINE_AUTH_DATA',
    name: 'ECS_ENGINE_AUTH_DATA',
    value: 'dXNlcjpwYXNzd29yZA==',
    pieces: ['dXNlcjpwYXNz'],
  },
  {
    pattern: 'AWS access key id',
    name: 'CONFIG_BLOB',
    value: 'AKIAZQ3DPLM2XR7TB5NV',
    pieces: ['ZQ3DPLM2XR7TB5NV'],
  },
  {
    pattern: 'PEM private key',
    name: 'SETTINGS',
    value:
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq9Xv3Lm\nw2rQ8p1Zs7Tn5Yc4Hk6B\n-----END RSA PRIVATE KEY-----',
    pieces: ['MIIEowIBAAKCAQEAq9Xv3Lm', 'w2rQ8p1Zs7Tn5Yc4Hk6B'],
  },
  {
    pattern: 'Slack token',
    name: 'INIT_DATA',
    value: 'xoxb-2718281828-Qw3rTyU1oPaSdFgHjKlZxCvB',
    pieces: ['Qw3rTyU1oPaSdFgHjKlZxCvB'],
  },
  {
    pattern: 'GitHub token',
    name: 'BOOTSTRAP',
    value: 'ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa',
    pieces: ['Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa'],
  },
  {
    pattern: 'Slack webhook URL',
    name: 'payload',
    value: 'https://hooks.slack.com/services/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',
    pieces: ['T0A1B2C3D', 'B4E5F6G7H', 'Xy7Zq9Wv2Ut4Sr6Po8Nm1Lk3'],
  },
  {
    pattern: 'JWT',
    name: 'CONFIG_BLOB',
    value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    pieces: ['hbGciOiJIUzI1NiJ9', 'zdWIiOiIxMjM0NTY3ODkwIn0', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  },
];

let moto: Moto;
let docs: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  docs = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  queueUrl = await createQueue(sqs, 'guardrail-secrets-outbox');
  stubPipelineEnv(moto.endpoint, TABLE, queueUrl);
  vi.stubEnv('GUARDRAIL_POLICY_FILE', join(REPO_ROOT, 'guardrail.policy.yml'));
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ecs-guardrail');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'EcsGuardrail');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await moto?.stop();
});

describe('secrets through the real handlers', () => {
  it('no piece of any secret is stored in DynamoDB, queued in the outbox or logged', async () => {
    vi.resetModules();
    const cloudtrail = (await import('../../functions/cloudtrail-api-call')).handler as Handler;
    const ecs = (await import('../../functions/ecs-state-change')).handler as Handler;
    const output = captureOutput();
    const summaries: PipelineSummary[] = [];
    try {
      for (const [i, s] of SECRETS.entries()) {
        const isFormat = !s.pattern.startsWith('name ');
        const td = registerTd({
          family: `hidden-${i}`,
          tags: {
            [`db-password=${s.value}`]: 'rotated-weekly',
            'db-password': s.value,
            ...(isFormat ? { note: `see ${s.value}` } : {}),
          },
          containers: [
            okContainer('app', {
              environment: [
                { name: s.name, value: s.value },
                { name: `${s.name}=${s.value}`, value: 'placeholder-value-1' },
                { name: `${s.name}:${s.value}`, value: 'placeholder-value-2' },
              ],
              logConfiguration: {
                logDriver: 'splunk',
                options: { [`${s.name}=${s.value}`]: 'placeholder-value-3', 'splunk-token': s.value },
              },
            }),
          ],
        });
        const text = isFormat ? `pulled ${s.value} from the image` : `${s.name}=${s.value}`;
        const deployment = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
        deployment.id = `deploy-${i}`;
        deployment.resources = [`arn:aws:ecs:us-west-2:111122223333:service/default/svc-${i}`];
        (deployment.detail as Record<string, Json>).reason = `task failed to start: ${text}`;
        const placement = fixture('ecs-service-action-task-placement-failure-ec2-cpu.json');
        placement.id = `placement-${i}`;
        placement.resources = [`arn:aws:ecs:us-west-2:111122223333:service/default/svc-${i}`];
        (placement.detail as Record<string, Json>).reason = `RESOURCE:CPU ${text}`;
        summaries.push(await cloudtrail(td, fakeContext('cloudtrail-api-call', `td-${i}`)));
        summaries.push(await ecs(deployment, fakeContext('ecs-state-change', `deploy-${i}`)));
        summaries.push(await ecs(placement, fakeContext('ecs-state-change', `placement-${i}`)));
      }
    } finally {
      output.restore();
    }
    expect(summaries.every((s) => s.findings >= 1)).toBe(true);

    const items = await scanTable(docs, TABLE);
    const findings = items.filter((i) => String(i.pk).startsWith('FINDING#'));
    const rules = new Set(findings.map((i) => i.ruleId));
    expect([...rules]).toEqual(
      expect.arrayContaining([
        'td-secrets-in-environment',
        'ops-deployment-failed',
        'ops-task-placement-failure',
      ]),
    );
    expect(findings.filter((i) => i.ruleId === 'td-secrets-in-environment')).toHaveLength(SECRETS.length);
    const queued = (await drainQueue(sqs, queueUrl)).map((m) => m.Body ?? '');
    expect(queued.length).toBeGreaterThanOrEqual(SECRETS.length);

    const outputs = {
      'the state table': JSON.stringify(items),
      'the outbox': queued.join('\n'),
      'the logs': output.text(),
    };
    for (const s of SECRETS)
      for (const [where, text] of Object.entries(outputs))
        for (const piece of [s.value, ...s.pieces])
          expect(text.includes(piece), `${where} holds a piece of the ${s.pattern} secret`).toBe(false);
    // What is shown instead.
    expect(outputs['the state table']).toContain('DB_PASSWORD=[redacted]');
    expect(outputs['the outbox']).toContain('[redacted: AWS access key id]');
  }, 120_000);
});
