/**
 * The delivery channels against real components: SNS -> SQS subscriptions (with a filter policy) in
 * moto_server, the Slack webhook URL from an SSM SecureString in moto, the fake Slack server, Security Hub
 * BatchImportFindings in moto, and the delivery records in a moto DynamoDB table.
 */
import { createStateTable } from '../../shared/store/state-table';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '../../shared/notify/ledger';
import { Notifier } from '../../shared/notify/notifier';
import { SsmSecretSource, type WebhookConfigError } from '../../shared/notify/channels/slack/secrets';
import { parsePolicy } from '../../shared/policy/load';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { finding, notification, recordingLogger } from '../unit/notify/fixtures';

/** The filter policy docs/notifications.md documents for "critical and high only". */
const CRITICAL_AND_HIGH = { severity: ['critical', 'high'] };

let moto: Moto;
let slack: FakeSlack;
let sqs: SQSClient;
let sns: SNSClient;
let ssm: SSMClient;
let documents: DynamoDBDocumentClient;
const TABLE = 'guardrail-state';

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: QueueUrl!, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function drain(url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages);
  }
}

beforeAll(async () => {
  moto = await startMoto();
  slack = await startFakeSlack();
  sqs = new SQSClient(motoClientConfig(moto));
  sns = new SNSClient(motoClientConfig(moto));
  ssm = new SSMClient(motoClientConfig(moto));
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  documents = DynamoDBDocumentClient.from(ddb);
  await createStateTable(ddb, TABLE);
});

afterAll(async () => {
  await slack?.close();
  await moto?.stop();
});

describe('SNS -> SQS in moto', () => {
  it('delivers the finding JSON with filterable attributes; the critical-and-high filter policy drops medium', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guardrail-alerts' }));
    const filtered = await queue('critical-high');
    const everything = await queue('everything');
    await sns.send(
      new SubscribeCommand({
        TopicArn: TopicArn!,
        Protocol: 'sqs',
        Endpoint: filtered.arn,
        Attributes: { FilterPolicy: JSON.stringify(CRITICAL_AND_HIGH), RawMessageDelivery: 'true' },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: TopicArn!, Protocol: 'sqs', Endpoint: everything.arn }));

    const notifier = new Notifier({
      policy: parsePolicy('notifications:\n  slack: {enabled: false}\n'),
      ledger: new DynamoDbDeliveryLedger({ client: documents, tableName: TABLE }),
      logger: recordingLogger().logger,
      sns: { topicArn: TopicArn!, client: sns },
    });
    const medium = finding({ severity: 'medium' });
    const high = finding({ severity: 'high' });
    const critical = finding({ severity: 'critical' });
    const results = await notifier.deliver([
      notification(medium),
      notification(high),
      notification(critical),
      notification(high, 'resolved'),
    ]);
    expect(results.map((r) => r.delivered)).toEqual([['sns'], ['sns'], ['sns'], ['sns']]);

    const got = await drain(filtered.url);
    const ids = got.map((m) => (JSON.parse(m.Body!) as { findingId: string; status: string }).findingId);
    expect(ids.sort()).toEqual([high.findingId, high.findingId, critical.findingId].sort());
    expect(ids).not.toContain(medium.findingId);
    // Raw delivery: the body is the finding JSON; the SNS attributes became SQS message attributes.
    const highOpen = got.find(
      (m) => m.MessageAttributes?.kind?.StringValue === 'opened' && m.Body!.includes(high.findingId),
    )!;
    expect(JSON.parse(highOpen.Body!)).toEqual({ ...high, status: 'open' });
    expect(highOpen.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      ruleId: { DataType: 'String', StringValue: 'svc-public-ip' },
      account: { DataType: 'String', StringValue: '123456789012' },
      region: { DataType: 'String', StringValue: 'us-east-1' },
      mode: { DataType: 'String', StringValue: 'notify' },
      status: { DataType: 'String', StringValue: 'open' },
      kind: { DataType: 'String', StringValue: 'opened' },
    });

    // The unfiltered subscriber gets all four, in the SNS envelope.
    const all = await drain(everything.url);
    expect(all).toHaveLength(4);
    const envelope = JSON.parse(all.find((m) => m.Body!.includes(medium.findingId))!.Body!) as Record<
      string,
      any
    >;
    expect(envelope.Type).toBe('Notification');
    expect(envelope.Subject).toBe('[MEDIUM] Service assigns public IPs to its tasks');
    expect(JSON.parse(envelope.Message as string)).toMatchObject({
      findingId: medium.findingId,
      status: 'open',
    });
    expect(envelope.MessageAttributes.severity).toEqual({ Type: 'String', Value: 'medium' });
  });

  it('SNS failing on a topic that does not exist: a non-retryable NotFound for that target only', async () => {
    const notifier = new Notifier({
      policy: parsePolicy('notifications:\n  slack: {webhookParameter: /guardrail/slack/sns-test}\n'),
      ledger: new DynamoDbDeliveryLedger({ client: documents, tableName: TABLE }),
      logger: recordingLogger().logger,
      sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:does-not-exist', client: sns },
      slack: { secrets: new SsmSecretSource({ client: ssm }) },
    });
    await ssm.send(
      new PutParameterCommand({ Name: '/guardrail/slack/sns-test', Type: 'SecureString', Value: slack.url }),
    );
    slack.reset();
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.delivered).toEqual(['slack:default']);
    expect(r!.failures).toEqual([
      expect.objectContaining({ target: 'sns', error: 'NotFoundException', status: 404, retryable: false }),
    ]);
    expect(slack.delivered).toHaveLength(1);
  });
});

describe('Slack webhook URL from an SSM SecureString in moto', () => {
  it('reads the SecureString (decrypted) and posts to it; a String parameter or a missing one is refused', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: '/guardrail/slack/default', Type: 'SecureString', Value: slack.url }),
    );
    await ssm.send(
      new PutParameterCommand({ Name: '/guardrail/slack/plain', Type: 'String', Value: slack.url }),
    );
    const secrets = new SsmSecretSource({ client: ssm });
    expect(await secrets.get('/guardrail/slack/default')).toBe(slack.url);
    await expect(secrets.get('/guardrail/slack/plain')).rejects.toThrow(
      /must be a SecureString \(it is String\)/,
    );
    const missing = (await secrets.get('/guardrail/slack/nope').then(
      () => undefined,
      (e: unknown) => e,
    )) as WebhookConfigError;
    expect(missing).toMatchObject({ name: 'WebhookConfigError', retryable: false });
    expect(missing.message).toBe(
      'cannot read Slack webhook parameter /guardrail/slack/nope (ParameterNotFound)',
    );

    slack.reset();
    const notifier = new Notifier({
      policy: parsePolicy('notifications:\n  slack: {webhookParameter: /guardrail/slack/default}\n'),
      ledger: new DynamoDbDeliveryLedger({ client: documents, tableName: TABLE }),
      logger: recordingLogger().logger,
      slack: { secrets },
    });
    const f = finding({ title: 'Task definition <!channel> & friends' });
    const [r] = await notifier.deliver([notification(f)]);
    expect(r!.delivered).toEqual(['slack:default']);
    const text = JSON.stringify(slack.delivered[0]);
    expect(text).toContain('Task definition &lt;!channel&gt; &amp; friends');
    expect(text).not.toContain('<!channel>');
  });
});

describe('Security Hub BatchImportFindings in moto', () => {
  it('imports the ASFF finding, then the resolved one re-imported as PASSED / ARCHIVED', async () => {
    const hub = new SecurityHubClient(motoClientConfig(moto));
    const notifier = new Notifier({
      policy: parsePolicy(
        'notifications:\n  sns: {enabled: false}\n  slack: {enabled: false}\n  securityHub: {enabled: true}\n',
      ),
      ledger: new DynamoDbDeliveryLedger({ client: documents, tableName: TABLE }),
      logger: recordingLogger().logger,
      securityHub: { client: hub },
    });
    const f = finding({ severity: 'critical', tags: { team: 'payments' } });
    expect((await notifier.deliver([notification(f)]))[0]!.delivered).toEqual(['securityhub']);
    const id = `ecs-guardrail/${f.findingId}`;
    const find = async (): Promise<Record<string, any>> =>
      ((await hub.send(new GetFindingsCommand({}))).Findings ?? []).find((x) => x.Id === id) as Record<
        string,
        any
      >;
    expect(await find()).toMatchObject({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
      AwsAccountId: '123456789012',
      Severity: { Label: 'CRITICAL' },
      Compliance: { Status: 'FAILED', SecurityControlId: 'ECS.2' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'AwsEcsService', Id: f.resource.arn, Tags: { team: 'payments' } }],
    });
    expect((await notifier.deliver([notification(f, 'resolved')]))[0]!.delivered).toEqual(['securityhub']);
    expect(await find()).toMatchObject({ Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' });
  });

  it("moto's own FailedFindings (a finding without resources) come back as a retryable failure", async () => {
    const hub = new SecurityHubClient(motoClientConfig(moto));
    const res = await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          {
            SchemaVersion: '2018-10-08',
            Id: 'x',
            ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
            GeneratorId: 'g',
            AwsAccountId: '123456789012',
            CreatedAt: '2026-11-22T00:00:00Z',
            UpdatedAt: '2026-11-22T00:00:00Z',
            Title: 't',
            Description: 'd',
            Resources: [],
          },
        ],
      }),
    );
    expect(res.FailedFindings).toEqual([expect.objectContaining({ Id: 'x', ErrorCode: 'InvalidInput' })]);
  });
});

describe('delivery records in DynamoDB (moto)', () => {
  it('claims once, reports delivered after complete, busy while a claim is held, free after release or lease', async () => {
    let now = 1_800_000_000_000;
    const ledger = new DynamoDbDeliveryLedger({
      client: documents,
      tableName: TABLE,
      leaseMs: 1000,
      now: () => now,
    });
    expect(await ledger.claim('d1', 'sns')).toBe('claimed');
    expect(await ledger.claim('d1', 'sns')).toBe('busy');
    expect(await ledger.claim('d1', 'slack:default')).toBe('claimed');
    await ledger.complete('d1', 'sns');
    expect(await ledger.claim('d1', 'sns')).toBe('delivered');
    await ledger.release('d1', 'slack:default');
    expect(await ledger.claim('d1', 'slack:default')).toBe('claimed');
    now += 1001; // the holder died: the lease ran out
    expect(await ledger.claim('d1', 'slack:default')).toBe('claimed');
    await ledger.release('d1', 'sns'); // releasing a delivered record changes nothing
    expect(await ledger.claim('d1', 'sns')).toBe('delivered');
  });
});
