/**
 * Lambda runtime of the pipeline: Powertools Logger and Metrics, and the pipeline built once per
 * container from the environment (config.ts) on the first event. functions/*.ts only add the middy
 * middlewares around `guardrailHandler(name)`.
 *
 * Loaded at cold start: the DynamoDB client (every event needs idempotency), Logger, Metrics, the engine.
 * Loaded on first use: the SQS SDK (first notification), the enricher with the ECS/EC2 SDKs (first event
 * that lacks facts; only in the functions that pass an enricher loader), the Remediator with the ECS and
 * STS SDKs (first finding to remediate; only when a rule of the policy is in `remediate` mode and only in
 * the functions that pass a remediator loader).
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Enricher } from '../engine/enrich';
import { DynamoDbFindingStore } from '../store/dynamodb-store';
import { idempotencyPartition, TABLE_KEYS } from '../store/dynamodb-keys';
import { DynamoDbWindowCounter } from '../store/dynamodb-window-counter';
import type { Policy } from '../policy/types';
import { loadPolicy, policyRemediates, readConfig, withGuardrailRoles } from './config';
import { DynamoDbFindingActions } from '../store/dynamodb-finding-actions';
import { LazyEnricher } from './lazy-enricher';
import { LazyRemediator } from './lazy-remediator';
import { Pipeline } from './pipeline';
import { SqsNotificationOutbox } from '../notify/outbox';
import type { PipelineMetrics, PipelineSummary, Remediator } from './types';

export const SERVICE_NAME = 'ecs-guardrail';
export const METRICS_NAMESPACE = 'EcsGuardrail';

export type FunctionName = 'ecs-state-change' | 'cloudtrail-api-call' | 'throttling';

/** The event kinds each function's EventBridge patterns route to it (anything else is a routing bug). */
const EXPECTED_KINDS: Readonly<Record<FunctionName, readonly string[]>> = {
  'ecs-state-change': ['task', 'containerInstance', 'deployment', 'serviceAction'],
  'cloudtrail-api-call': ['cloudTrail'],
  throttling: ['serviceAction', 'cloudTrail'],
};

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
});

const emf: PipelineMetrics = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  countWith: (name, dimensions, value = 1) => {
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, MetricUnit.Count, value);
  },
};

export interface HandlerOptions {
  /**
   * Loads the Enricher (with its SDKs) on the first event that needs one, e.g.
   * `() => import('../shared/aws/enricher').then((m) => m.createAwsEnricher())`. Used when
   * GUARDRAIL_ENRICH is true (the default); a function without a loader never enriches.
   */
  readonly enricher?: () => Promise<Enricher>;
  /**
   * Loads the Remediator on the first finding to remediate, e.g.
   * `(o) => import('../shared/remediation/factory').then((m) => m.createPipelineRemediator(o))`. Used only
   * when a rule of the policy is in `remediate` mode; a function without a loader never remediates.
   */
  readonly remediator?: (options: RemediatorLoadOptions) => Promise<Remediator>;
}

/** What the pipeline gives the remediator loader (shared/remediation/factory.ts). */
export interface RemediatorLoadOptions {
  /** The policy, with the deployment's own roles (GUARDRAIL_ROLE_ARNS) in remediation.guardrailRoleArns. */
  readonly policy: Policy;
  /** The state table: the hourly budget and the audit trail live there. */
  readonly tableName: string;
  readonly log: (level: 'info' | 'warn', message: string, data: Record<string, unknown>) => void;
}

const remediationLog: RemediatorLoadOptions['log'] = (level, message, data) => {
  if (level === 'warn') logger.warn(message, data);
  else logger.info(message, data);
};

async function buildPipeline(name: FunctionName, options: HandlerOptions): Promise<Pipeline> {
  const config = readConfig();
  const policy = withGuardrailRoles(await loadPolicy(config.policyFile, logger), config.guardrailRoleArns);
  const dynamodb = new DynamoDBClient({});
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME || name;
  const enrich = config.enrich && options.enricher !== undefined;
  const loadRemediator = options.remediator;
  const remediate = loadRemediator !== undefined && policyRemediates(policy);
  logger.info('pipeline ready', { function: name, table: config.tableName, enrich, remediate });
  return new Pipeline({
    policy,
    store: new DynamoDbFindingStore({ client: documents, tableName: config.tableName }),
    actions: new DynamoDbFindingActions({ client: documents, tableName: config.tableName }),
    ...(remediate && loadRemediator
      ? {
          remediator: new LazyRemediator(() =>
            loadRemediator({ policy, tableName: config.tableName, log: remediationLog }),
          ),
        }
      : {}),
    counter: new DynamoDbWindowCounter({ client: documents, tableName: config.tableName }),
    outbox: new SqsNotificationOutbox({ queueUrl: config.outboxQueueUrl }),
    logger,
    metrics: emf,
    ...(enrich && options.enricher ? { enricher: new LazyEnricher(options.enricher) } : {}),
    idempotency: {
      keyPrefix: functionName,
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: config.tableName,
        keyAttr: TABLE_KEYS.pk,
        sortKeyAttr: TABLE_KEYS.sk,
        expiryAttr: TABLE_KEYS.ttl,
        staticPkValue: idempotencyPartition(functionName),
        awsSdkV3Client: dynamodb,
      }),
    },
  });
}

const pipelines = new Map<FunctionName, Promise<Pipeline>>();

function pipelineFor(name: FunctionName, options: HandlerOptions): Promise<Pipeline> {
  let p = pipelines.get(name);
  if (!p) {
    p = buildPipeline(name, options).catch((err: unknown) => {
      // Configuration or policy error: every event fails (and is retried, then dead-lettered) until fixed.
      pipelines.delete(name);
      metrics.addMetric('ConfigurationErrors', MetricUnit.Count, 1);
      logger.error('cannot start the pipeline: configuration error', {
        errorType: err instanceof Error ? err.name : 'NonError',
        error: err instanceof Error ? err.message : String(err),
      });
      throw err;
    });
    pipelines.set(name, p);
  }
  return p;
}

/** The base handler of one function: returns the pipeline's summary (the value idempotency stores). */
export function guardrailHandler(name: FunctionName, options: HandlerOptions = {}) {
  return async (event: unknown, context: Context): Promise<PipelineSummary> => {
    const summary = await (await pipelineFor(name, options)).handle(event, context);
    if (!EXPECTED_KINDS[name].includes(summary.kind)) {
      logger.warn('event kind not expected by this function: check its EventBridge patterns', {
        function: name,
        kind: summary.kind,
      });
    }
    return summary;
  };
}
