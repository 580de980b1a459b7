/**
 * The Slack buttons' worker (functions/slack-actions.ts): consumes the jobs queue the interactivity
 * function fills (batches, ReportBatchItemFailures) and runs each job (shared/interactions/worker.ts).
 * A failed job is retried by SQS, then dead-lettered (SlackJobsDlq, alarmed); an invalid one too, with
 * the reason logged (never its body).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { parseSlackJob } from '../../shared/interactions/jobs';
import { runSlackJob, type SlackWorkerDeps } from '../../shared/interactions/worker';
import { SlackWebApi } from '../../shared/notify/channels/slack/web-api';
import { SqsNotificationOutbox } from '../../shared/notify/outbox';
import type { SqsBatchResponse } from '../../shared/notify/notifier';
import { loadPolicy, withGuardrailRoles } from '../../shared/policy/file';
import { DynamoDbAuditLog } from '../../shared/store/dynamodb-audit';
import { DynamoDbExemptionRecords } from '../../shared/store/dynamodb-exemption-records';
import { DynamoDbFindingActions } from '../../shared/store/dynamodb-finding-actions';
import { DynamoDbSlackInteractions } from '../../shared/store/dynamodb-slack-interactions';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import type { RemediatorPort } from '../../shared/pipeline/types';
import { readSlackActionsConfig, type Env } from './env';
import { logger, reportConfigurationError } from './observability';

export async function actionsDepsFromEnvironment(env: Env = process.env): Promise<SlackWorkerDeps> {
  const config = readSlackActionsConfig(env);
  const policy = withGuardrailRoles(await loadPolicy(config.policyFile, logger), config.guardrailRoleArns);
  const dynamodb = new DynamoDBClient({});
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const table = { tableName: config.tableName };
  const api = new SlackWebApi({ timeoutMs: 5_000 });
  let remediator: Promise<RemediatorPort> | undefined;
  return {
    policy,
    store: new DynamoDbFindingStore({ client: documents, ...table }),
    interactions: new DynamoDbSlackInteractions({ client: dynamodb, ...table }),
    exemptions: new DynamoDbExemptionRecords({ client: dynamodb, ...table }),
    actions: new DynamoDbFindingActions({ client: documents, ...table }),
    audit: new DynamoDbAuditLog({ client: dynamodb, ...table }),
    outbox: new SqsNotificationOutbox({ queueUrl: config.outboxQueueUrl }),
    // The Remediator and its ECS/STS SDKs load on the first approval.
    remediator: () =>
      (remediator ??= import('../../shared/remediation/factory').then((m) =>
        m.createPipelineRemediator({ policy, tableName: config.tableName, logger }),
      )),
    respond: (url, body) => api.respond(url, body),
    logger,
  };
}

export function slackActionsHandler(
  getDeps: () => Promise<SlackWorkerDeps> = () => actionsDepsFromEnvironment(),
) {
  let deps: Promise<SlackWorkerDeps> | undefined;
  return async (event: SQSEvent): Promise<SqsBatchResponse> => {
    deps ??= getDeps().catch((err: unknown) => {
      deps = undefined;
      reportConfigurationError('Slack actions worker', err);
      throw err;
    });
    const d = await deps;
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        await runSlackJob(parseSlackJob(record.body), d);
      } catch (err) {
        logger.warn('Slack job failed: retried, then dead-lettered', {
          messageId: record.messageId,
          errorType: err instanceof Error ? err.name : 'NonError',
          ...(err instanceof Error && err.name === 'InvalidSlackJobError' ? { problem: err.message } : {}),
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
