/**
 * Notifier: consumes the outbox SQS queue (batches, ReportBatchItemFailures) and delivers each finding to
 * SNS, Slack and (optionally) Security Hub as the policy routes it. Wiring only: shared/notify does the
 * work; the middlewares add the Lambda context to every log line (never the event: findings may name
 * resources people consider sensitive) and flush the EMF metrics.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics, notifierHandler } from '../shared/notify/lambda';

export const handler = middy(notifierHandler)
  .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
