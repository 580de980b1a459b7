/**
 * The event functions' handler factory (ecs-state-change, cloudtrail-api-call, throttling): the pipeline
 * (shared/pipeline) built once per container from the environment (env.ts) on the first event.
 *
 * Loaded at cold start: the DynamoDB client (every event needs idempotency), Logger, Metrics, the engine.
 * Loaded on first use: the SQS SDK (first notification), the enricher with the ECS/EC2 SDKs (first event
 * that lacks facts; only in the functions that pass an enricher loader), the Remediator with the ECS and
 * STS SDKs (first finding to remediate; only when a rule of the policy is in `remediate` mode and only in
 * the functions that pass a remediator loader).
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Enricher } from '../../shared/engine/enrich';
import type { Logger } from '../../shared/model/logger';
import type { Metrics } from '../../shared/model/metrics';
import { DEFAULT_ORGANIZATION_POLICY } from '../../shared/policy/document';
import type { OrganizationPolicy } from '../../shared/policy/types';
import { SqsNotificationOutbox } from '../../shared/notify/outbox';
import { DynamoDbFindingActions } from '../../shared/store/dynamodb-finding-actions';
import { Pipeline } from '../../shared/pipeline/pipeline';
import type { PipelineSummary, RemediatorPort } from '../../shared/pipeline/types';
import { loadPolicy, policyRemediates, withGuardrailRoles } from '../../shared/policy/file';
import type { AwsRemediatorOptions } from '../../shared/remediation/factory';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { idempotencyPartition, TABLE_KEYS } from '../../shared/store/dynamodb-keys';
import { DynamoDbWindowCounter } from '../../shared/store/dynamodb-window-counter';
import {
  DynamoDbImageScanStore,
  DynamoDbRunningInventory,
} from '../../shared/store/dynamodb-running-inventory';
import { RunningImages } from '../../shared/pipeline/running-images';
import {
  CachedExemptionRecords,
  DynamoDbExemptionRecords,
} from '../../shared/store/dynamodb-exemption-records';
import { readPipelineConfig, readRuntime } from './env';
import { lazy } from './lazy';
import { emf, logger, reportConfigurationError } from './observability';

export type FunctionName =
  'ecs-state-change' | 'cloudtrail-api-call' | 'throttling' | 'backfill' | 'image-findings';

/** The event kinds each function's EventBridge patterns route to it (anything else is a routing bug). */
const EXPECTED_KINDS: Readonly<Record<FunctionName, readonly string[]>> = {
  // GuardDuty Runtime Monitoring findings are about running tasks (docs/runtime-threats.md).
  'ecs-state-change': ['task', 'containerInstance', 'deployment', 'serviceAction', 'guardDuty'],
  'cloudtrail-api-call': ['cloudTrail'],
  throttling: ['serviceAction', 'cloudTrail'],
  // CloudTrail log records from S3 (functions/edge/backfill-handler.ts), one at a time.
  backfill: ['cloudTrail'],
  // ECR basic scan results and Amazon Inspector findings on images (docs/running.md).
  'image-findings': ['ecrImageScan', 'inspectorFinding'],
};

/**
 * What the remediator loader gets: the Remediator's own options (shared/remediation/factory.ts) with the
 * policy (the deployment's roles GUARDRAIL_ROLE_ARNS added to remediation.guardrailRoleArns), the state
 * table (the hourly budget and the audit trail live there) and the logger.
 */
export type RemediatorLoadOptions = Pick<AwsRemediatorOptions, 'policy' | 'logger'> & {
  readonly tableName: string;
};

/**
 * What the enricher loader gets: the policy's `organization` section (member accounts are read through
 * their read role, `organization.readRoleName`), the metrics (EnrichmentNoAccess) and the logger.
 */
export interface EnricherLoadOptions {
  readonly organization: OrganizationPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** The collaborators a function brings; each is loaded on first use (lazy.ts). */
export interface PipelineHandlerOptions {
  /**
   * Loads the Enricher (with its SDKs) on the first event that needs one. Used when GUARDRAIL_ENRICH is
   * true (the default); a function without a loader never enriches.
   */
  readonly enricher?: (options: EnricherLoadOptions) => Promise<Enricher>;
  /**
   * Loads the Remediator on the first finding to remediate. Used only when a rule of the policy is in
   * `remediate` mode; a function without a loader never remediates.
   */
  readonly remediator?: (options: RemediatorLoadOptions) => Promise<RemediatorPort>;
  /**
   * Keep the running inventory and the image scan results in the state table (docs/running.md): task
   * state changes and scan events update them and are evaluated for image-vulnerable-running.
   */
  readonly running?: boolean;
}

/** One function's pipeline; `metrics` wraps the EMF metrics (the backfill counts duplicates through it). */
export async function buildPipeline(
  name: FunctionName,
  options: PipelineHandlerOptions,
  metrics: Metrics = emf,
): Promise<Pipeline> {
  const config = readPipelineConfig();
  const policy = withGuardrailRoles(await loadPolicy(config.policyFile, logger), config.guardrailRoleArns);
  const dynamodb = new DynamoDBClient({});
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const functionName = readRuntime().functionName ?? name;
  const loadEnricher = config.enrich ? options.enricher : undefined;
  const loadRemediator = policyRemediates(policy) ? options.remediator : undefined;
  const remediatorOptions: RemediatorLoadOptions = { policy, tableName: config.tableName, logger };
  const enricherOptions: EnricherLoadOptions = {
    organization: policy.organization ?? DEFAULT_ORGANIZATION_POLICY,
    metrics: emf,
    logger,
  };
  logger.info('pipeline ready', {
    function: name,
    table: config.tableName,
    enrich: loadEnricher !== undefined,
    remediate: loadRemediator !== undefined,
  });
  return new Pipeline({
    policy,
    store: new DynamoDbFindingStore({ client: documents, tableName: config.tableName }),
    actions: new DynamoDbFindingActions({ client: documents, tableName: config.tableName }),
    ...(loadRemediator ? { remediator: lazy(() => loadRemediator(remediatorOptions), ['remediate']) } : {}),
    counter: new DynamoDbWindowCounter({ client: documents, tableName: config.tableName }),
    ...(options.running
      ? {
          running: new RunningImages({
            inventory: new DynamoDbRunningInventory({
              client: documents,
              tableName: config.tableName,
              ttlHours: config.runningTtlHours,
            }),
            scans: new DynamoDbImageScanStore({ client: documents, tableName: config.tableName }),
          }),
        }
      : {}),
    exemptionRecords: new CachedExemptionRecords(
      new DynamoDbExemptionRecords({ client: dynamodb, tableName: config.tableName }),
    ),
    outbox: new SqsNotificationOutbox({ queueUrl: config.outboxQueueUrl }),
    logger,
    metrics,
    ...(loadEnricher
      ? {
          // The AWS enricher implements every read, the optional account-setting one included.
          enricher: lazy(
            () => loadEnricher(enricherOptions) as Promise<Required<Enricher>>,
            ['describeTaskDefinition', 'publicIps', 'describeService', 'accountSetting'],
          ),
        }
      : {}),
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

function pipelineFor(name: FunctionName, options: PipelineHandlerOptions): Promise<Pipeline> {
  let p = pipelines.get(name);
  if (!p) {
    p = buildPipeline(name, options).catch((err: unknown) => {
      // Configuration or policy error: every event fails (and is retried, then dead-lettered) until fixed.
      pipelines.delete(name);
      reportConfigurationError('pipeline', err);
      throw err;
    });
    pipelines.set(name, p);
  }
  return p;
}

/** The base handler of one function: returns the pipeline's summary (the value idempotency stores). */
export function pipelineHandler(name: FunctionName, options: PipelineHandlerOptions = {}) {
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
