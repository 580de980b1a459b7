/**
 * The notifier's world in moto, for the integration tests that drive the real notifier handler: the state
 * table, the outbox with its DLQ (3 receives), an SNS topic delivering raw messages into a sink queue, two
 * Slack webhooks in SSM (default and team `payments`, both on the fake Slack), a policy file routing every
 * severity to both channels, and the environment the handler reads. SNS goes through `snsEndpoint` (a
 * fault proxy in front of moto) so tests can make it fail or hang.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createStateTable } from '../../shared/store/state-table';
import type { FakeSlack } from './fake-slack';
import { motoClientConfig, TEST_CREDENTIALS, type Moto } from './moto';

export interface NotifierStack {
  readonly outboxUrl: string;
  readonly dlqUrl: string;
  /** The queue the topic delivers to (raw message delivery): what SNS published. */
  readonly sinkUrl: string;
  readonly topicArn: string;
  readonly policyFile: string;
}

export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: QueueUrl!, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Creates the stack and sets `process.env` for the notifier handler. */
export async function createNotifierStack(
  moto: Moto,
  sqs: SQSClient,
  slack: FakeSlack,
  snsEndpoint: string,
): Promise<NotifierStack> {
  const sns = new SNSClient(motoClientConfig(moto));
  const ssm = new SSMClient(motoClientConfig(moto));
  await createStateTable(new DynamoDBClient(motoClientConfig(moto)), 'guardrail-state');
  const dlq = await createQueue(sqs, 'outbox-dlq');
  const outbox = await createQueue(sqs, 'outbox', {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
  });
  const sink = await createQueue(sqs, 'sns-sink');
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guardrail-alerts' }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: TopicArn!,
      Protocol: 'sqs',
      Endpoint: sink.arn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  for (const [name, url] of [
    ['/guardrail/slack/default', slack.url],
    ['/guardrail/slack/payments', slack.urlFor('payments')],
  ] as const)
    await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: url }));
  const policyFile = join(mkdtempSync(join(tmpdir(), 'notifier-')), 'guardrail.policy.yml');
  writeFileSync(
    policyFile,
    [
      'notifications:',
      '  sns: { minSeverity: low }',
      '  slack:',
      '    minSeverity: low',
      '    webhookParameter: /guardrail/slack/default',
      '    teams:',
      '      payments: { webhookParameter: /guardrail/slack/payments }',
      '',
    ].join('\n'),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ENDPOINT_URL_SNS: snsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: '1',
    GUARDRAIL_TABLE: 'guardrail-state',
    GUARDRAIL_OUTBOX_QUEUE_URL: outbox.url,
    GUARDRAIL_OUTBOX_DLQ_URL: dlq.url,
    GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT: '3',
    GUARDRAIL_TOPIC_ARN: TopicArn!,
    GUARDRAIL_POLICY_FILE: policyFile,
    GUARDRAIL_NOTIFY_BACKOFF_SECONDS: '0',
    GUARDRAIL_SECRET_TTL_SECONDS: '0',
    POWERTOOLS_METRICS_NAMESPACE: 'EcsGuardrailTest',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  return { outboxUrl: outbox.url, dlqUrl: dlq.url, sinkUrl: sink.url, topicArn: TopicArn!, policyFile };
}
