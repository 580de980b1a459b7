/**
 * Notifier: consumes the outbox SQS queue (batches, ReportBatchItemFailures) and delivers each finding to
 * SNS, Slack and (optionally) Security Hub as the policy routes it.
 */
import { notifierHandler } from './edge/notifier-handler';
import { lambda } from './edge/observability';

export const handler = lambda(notifierHandler);
