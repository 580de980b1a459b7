/**
 * Throttling: ECS_OPERATION_THROTTLED / SERVICE_DISCOVERY_OPERATION_THROTTLED Service Actions and CloudTrail calls
 * that failed with a throttling error code (ECS, EC2, ELB, Cloud Map, Application Auto Scaling).
 * Wiring only: the pipeline (shared/pipeline) does the work; the middlewares add the Lambda context to
 * every log line (never the event: it may hold secrets) and flush the EMF metrics.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { guardrailHandler, logger, metrics } from '../shared/pipeline/lambda';

export const handler = middy(guardrailHandler('throttling'))
  .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
