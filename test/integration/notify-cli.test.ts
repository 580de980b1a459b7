/**
 * `guardrail evaluate --notify` (backfills): the findings go through the same delivery code as the
 * notifier, directly (no outbox), to SNS in moto and the fake Slack (webhook URL from an SSM SecureString
 * in moto). With GUARDRAIL_TABLE the delivery records make a re-run harmless.
 */
import { createStateTable } from '../../shared/store/state-table';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/evaluate-command';
import { main } from '../../cli/main';
import type { Finding } from '../../shared/model/finding';
import { rateLimited, startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { fixturePath, fixturePaths } from '../helpers/fixtures';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';

let moto: Moto;
let slack: FakeSlack;
let sqs: SQSClient;
let sinkUrl = '';
let policyFile = '';
/** The whole event corpus, in file-name order. */
const EVENTS = fixturePaths();
const saved = { ...process.env };

const io = (): Io & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    readStdin: () => Buffer.from(''),
    stderrIsTty: false,
    stdoutIsTty: false,
    columns: 120,
  };
};

async function published(): Promise<Finding[]> {
  const out: Finding[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sinkUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!) as Finding));
  }
}

beforeAll(async () => {
  moto = await startMoto();
  slack = await startFakeSlack();
  sqs = new SQSClient(motoClientConfig(moto));
  const sns = new SNSClient(motoClientConfig(moto));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'backfill' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'backfill-sink' }));
  sinkUrl = QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: arn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  await new SSMClient(motoClientConfig(moto)).send(
    new PutParameterCommand({ Name: '/guardrail/slack/backfill', Type: 'SecureString', Value: slack.url }),
  );
  await createStateTable(new DynamoDBClient(motoClientConfig(moto)), 'state');
  const dir = mkdtempSync(join(tmpdir(), 'notify-cli-'));
  policyFile = join(dir, 'policy.yml');
  writeFileSync(
    policyFile,
    'rules:\n  td-no-logging: { mode: observe }\nnotifications:\n  slack:\n    minSeverity: high\n    webhookParameter: /guardrail/slack/backfill\n',
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: '1',
    GUARDRAIL_TOPIC_ARN: TopicArn,
  });
});

afterAll(async () => {
  process.env = saved;
  await slack?.close();
  await moto?.stop();
});

beforeEach(() => slack.reset());

describe('guardrail evaluate --notify', () => {
  it('sends every notifiable finding to SNS and the high ones to Slack, once; a re-run with the table sends nothing', async () => {
    process.env.GUARDRAIL_TABLE = 'state';
    try {
      const json = io();
      const code = await main(['evaluate', '--format', 'json', '--policy', policyFile, ...EVENTS], json);
      const findings = json.out.map((l) => JSON.parse(l) as Finding);
      const notifiable = findings.filter((f) => f.mode === 'notify' || f.mode === 'remediate');
      expect(notifiable.length).toBeGreaterThan(5);
      expect(findings.some((f) => f.ruleId === 'td-no-logging' && f.mode === 'observe')).toBe(true);

      const run = io();
      expect(await main(['evaluate', '--notify', '--policy', policyFile, ...EVENTS], run)).toBe(code);
      const sns = await published();
      expect(sns.map((f) => f.findingId).sort()).toEqual(notifiable.map((f) => f.findingId).sort());
      const high = notifiable.filter((f) => f.severity === 'critical' || f.severity === 'high');
      expect(slack.delivered).toHaveLength(high.length);
      for (const f of high) expect(JSON.stringify(slack.delivered)).toContain(`finding ${f.findingId}`);
      expect(run.err.join('')).toContain(
        `notify: ${notifiable.length} finding(s), ${notifiable.length + high.length} delivery(ies)`,
      );

      const rerun = io();
      expect(await main(['evaluate', '--notify', '--policy', policyFile, ...EVENTS], rerun)).toBe(code);
      expect(await published()).toEqual([]);
      expect(slack.delivered).toHaveLength(high.length);
      expect(rerun.err.join('')).toContain(
        `0 delivery(ies), ${notifiable.length + high.length} already delivered earlier`,
      );
    } finally {
      delete process.env.GUARDRAIL_TABLE;
    }
  });

  it('waits out a Slack 429 and retries a 500: still once; a webhook Slack rejects exits 4', async () => {
    const file = fixturePath('cloudtrail-register-task-definition-privileged.json');
    slack.script(
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    );
    const r = io();
    expect(await main(['evaluate', '--notify', '--policy', policyFile, file], r)).toBe(0);
    const posted = slack.delivered.length;
    expect(posted).toBeGreaterThan(0);
    const ids = slack.delivered.map((p) => /finding ([0-9a-f]+)/.exec(JSON.stringify(p))![1]);
    expect(new Set(ids).size).toBe(ids.length);
    await published();

    slack.reset();
    slack.script({ status: 404, body: 'no_service' });
    const bad = io();
    expect(await main(['evaluate', '--notify', '--policy', policyFile, file], bad)).toBe(4);
    expect(bad.err.join('')).toMatch(/not delivered to slack:default: SlackDeliveryError \(HTTP 404\)/);
    expect(bad.err.join('')).not.toContain('XXXXSECRET');
  });

  it('a Retry-After of a day fails that delivery at once with exit 4, instead of sleeping for a day', async () => {
    const file = fixturePath('cloudtrail-register-task-definition-privileged.json');
    slack.alwaysDefault(rateLimited(86_400));
    const r = io();
    const started = Date.now();
    expect(await main(['evaluate', '--notify', '--policy', policyFile, file], r)).toBe(4);
    expect(Date.now() - started).toBeLessThan(10_000);
    const err = r.err.join('');
    expect(err).toMatch(
      /not delivered to slack:default: SlackDeliveryError \(HTTP 429\): .*asked to wait 86400 s, longer than --notify waits \(30 s\): run again later/,
    );
    expect(slack.received).toHaveLength(1); // asked once, not hammered
    expect(slack.delivered).toHaveLength(0);
    expect((await published()).length).toBeGreaterThan(0); // SNS was not held up
    expect(err).not.toContain('XXXXSECRET');
  });

  it('refuses to run without any channel configured (exit 3)', async () => {
    const topic = process.env.GUARDRAIL_TOPIC_ARN;
    delete process.env.GUARDRAIL_TOPIC_ARN;
    try {
      const r = io();
      expect(await main(['evaluate', '--notify', ...EVENTS], r)).toBe(3);
      expect(r.err.join('')).toContain('--notify: no channel configured');
    } finally {
      process.env.GUARDRAIL_TOPIC_ARN = topic;
    }
  });
});
