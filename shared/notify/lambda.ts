/**
 * Lambda runtime of the notifier: Powertools Logger and Metrics, and the consumer built once per
 * container from the environment (config.ts) and the policy on the first batch. functions/notifier.ts
 * only adds the middy middlewares around `notifierHandler`.
 *
 * The SNS, SQS, SSM and Security Hub SDKs are loaded on first use; Security Hub only when the policy
 * enables it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadPolicy, resolvePolicyFile } from '../pipeline/config';
import { notifyClientConfig } from './clients';
import { readNotifierConfig } from './config';
import { Notifier, OutboxConsumer, type SqsBatchResponse } from './notifier';
import type { NotifyMetrics } from './types';
import { SsmSecretSource } from './channels/slack/secrets';

const SERVICE_NAME = 'ecs-guardrail';
const METRICS_NAMESPACE = 'EcsGuardrail';
/**
 * Stop starting deliveries this long before the invocation times out: what runs after them (ledger
 * writes, re-enqueues, dead-lettering: one AWS call each, 3 s connect + 5 s request at worst, run
 * concurrently) must still fit.
 */
export const DEADLINE_MARGIN_MS = 5000;

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
});

const emf: NotifyMetrics = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  countWith: (name, dimensions, value = 1) => {
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, MetricUnit.Count, value);
  },
  timing: (name, ms) => metrics.addMetric(name, MetricUnit.Milliseconds, ms),
};

async function build(): Promise<OutboxConsumer> {
  const config = readNotifierConfig();
  const policy = await loadPolicy(resolvePolicyFile(process.env), logger);
  // Loaded with the first batch, like every other AWS client of the notifier (notification clients load
  // lazily, for the cold-start target in BENCHMARKS.md): the module itself stays small to load.
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoDbDeliveryLedger }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('./ledger'),
  ]);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(notifyClientConfig()), {
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
    },
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
    metrics.addMetric('ConfigurationErrors', MetricUnit.Count, 1);
    logger.error('cannot start the notifier: configuration error', {
      errorType: err instanceof Error ? err.name : 'NonError',
      error: err instanceof Error ? err.message : String(err),
    });
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
