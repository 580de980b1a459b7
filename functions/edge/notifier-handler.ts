/**
 * The notifier function's handler: the outbox consumer built once per container from the environment
 * (env.ts) and the policy on the first batch.
 *
 * The SNS, SQS, SSM and Security Hub SDKs are loaded on first use; Security Hub only when the policy
 * enables it, and STS only for the first finding of a member account.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { notifyClientConfig } from '../../shared/notify/clients';
import { Notifier, OutboxConsumer, type SqsBatchResponse } from '../../shared/notify/notifier';
import { SsmSecretSource } from '../../shared/notify/channels/slack/secrets';
import { AwsSecretStore } from '../../shared/notify/channels/secret-store';
import type { IssueRefStore } from '../../shared/notify/channels/jira/issue-refs';
import { DEFAULT_ORGANIZATION_POLICY } from '../../shared/policy/document';
import { loadPolicy } from '../../shared/policy/file';
import { readNotifierConfig, resolvePolicyFile } from './env';
import { emf, logger, reportConfigurationError } from './observability';

/**
 * Stop starting deliveries this long before the invocation times out: what runs after them (ledger
 * writes, re-enqueues, dead-lettering: one AWS call each, 3 s connect + 5 s request at worst, run
 * concurrently) must still fit.
 */
export const DEADLINE_MARGIN_MS = 5000;

async function build(): Promise<OutboxConsumer> {
  const config = readNotifierConfig();
  const policy = await loadPolicy(resolvePolicyFile(process.env), logger);
  // Loaded with the first batch, like every other AWS client of the notifier (notification clients load
  // lazily, for the cold-start target in BENCHMARKS.md): the module itself stays small to load.
  const [
    { DynamoDBClient },
    { DynamoDBDocumentClient },
    { DynamoDbDeliveryLedger },
    { DynamoDbSlackInteractions },
    { DynamoDbIssueRefStore },
  ] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('../../shared/notify/ledger'),
    import('../../shared/store/dynamodb-slack-interactions'),
    import('../../shared/notify/channels/jira/dynamodb-issue-refs'),
  ]);
  const dynamodb = new DynamoDBClient(notifyClientConfig());
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const notifier = new Notifier({
    policy,
    ledger: new DynamoDbDeliveryLedger({
      client: documents,
      tableName: config.tableName,
      leaseMs: config.leaseMs,
    }),
    logger,
    metrics: emf,
    ...(config.topicArn ? { sns: { topicArn: config.topicArn } } : {}),
    slack: {
      secrets: new SsmSecretSource({ ttlMs: config.secretTtlMs }),
      ...(config.defaultWebhookParameter ? { defaultWebhookParameter: config.defaultWebhookParameter } : {}),
      // Inline waits stay short: a long Retry-After requeues the message instead. A request starts only
      // when its whole timeout fits before the deadline.
      post: { maxAttempts: 3, maxInlineWaitMs: 3000, timeoutMs: config.slackTimeoutMs },
      // With the bot token: where each finding's first message is (its thread, its update on resolution).
      messages: new DynamoDbSlackInteractions({ client: dynamodb, tableName: config.tableName }),
    },
    // A member account's findings are imported in its own Security Hub with its findings role
    // (organization.findingsRoleName); the STS SDK loads with the first of them.
    securityHub: { organization: policy.organization ?? DEFAULT_ORGANIZATION_POLICY },
    // PagerDuty, Jira, Microsoft Teams and webhook secrets: one cache (SSM or Secrets Manager, loaded on
    // first use); Jira's created issue keys in the state table.
    ...channelSecrets(
      config.secretTtlMs,
      config.slackTimeoutMs,
      new DynamoDbIssueRefStore(documents, config.tableName),
    ),
  });
  logger.info('notifier ready', {
    sns: Boolean(config.topicArn),
    slackDefaultParameter: config.defaultWebhookParameter ?? policy.notifications?.slack.webhookParameter,
    securityHub: policy.notifications?.securityHub.enabled ?? false,
    dlq: Boolean(config.dlqUrl),
  });
  return new OutboxConsumer({
    notifier,
    queueUrl: config.outboxQueueUrl,
    ...(config.dlqUrl ? { dlqUrl: config.dlqUrl } : {}),
    maxReceiveCount: config.maxReceiveCount,
    backoffBaseSeconds: config.backoffBaseSeconds,
    logger,
    metrics: emf,
  });
}

/** The dependencies of the HTTP channels: one secret cache, the same timeouts and retries as Slack. */
function channelSecrets(ttlMs: number, timeoutMs: number, refs: IssueRefStore) {
  const secrets = new AwsSecretStore({ ttlMs });
  const http = { maxAttempts: 3, maxInlineWaitMs: 3000, timeoutMs };
  return {
    pagerduty: { secrets, http },
    jira: { secrets, http, refs },
    microsoftTeams: { secrets, http },
    webhook: { secrets, http },
  };
}

let consumer: Promise<OutboxConsumer> | undefined;

/** Forget the container's consumer (tests change the environment between cases). */
export function resetNotifier(): void {
  consumer = undefined;
}

export async function notifierHandler(event: SQSEvent, context: Context): Promise<SqsBatchResponse> {
  if (!consumer) consumer = build();
  let ready: OutboxConsumer;
  try {
    ready = await consumer;
  } catch (err) {
    // Configuration or policy error: the batch fails, is retried, then dead-lettered by the queue.
    consumer = undefined;
    reportConfigurationError('notifier', err);
    throw err;
  }
  return ready.handle(event.Records, { deadline: deadlineOf(context) });
}

/** Epoch ms after which no delivery starts: the invocation's remaining time minus the margin. */
export function deadlineOf(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): number {
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 30_000;
  return Date.now() + remaining - DEADLINE_MARGIN_MS;
}
