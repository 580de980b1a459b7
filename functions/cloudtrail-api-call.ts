/**
 * Successful ECS API calls via CloudTrail (RegisterTaskDefinition, CreateService, RunTask, ...).
 * Wiring only: the pipeline (shared/pipeline) does the work; the middlewares add the Lambda context to
 * every log line (never the event: it may hold secrets) and flush the EMF metrics.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { guardrailHandler, logger, metrics } from '../shared/pipeline/lambda';

export const handler = middy(
  guardrailHandler('cloudtrail-api-call', {
    // Loaded on the first event that lacks facts (GUARDRAIL_ENRICH=false turns it off).
    enricher: () => import('../shared/aws/enricher').then((m) => m.createAwsEnricher()),
    // Loaded on the first finding to remediate, only when a policy rule is in `remediate` mode.
    remediator: (options) =>
      import('../shared/remediation/factory').then((m) => m.createPipelineRemediator(options)),
  }),
)
  .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
