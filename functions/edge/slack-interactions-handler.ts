/**
 * The Slack interactivity endpoint's handler factory (functions/slack-interactions.ts, behind a Lambda
 * Function URL): shared/interactions/request.ts with its collaborators built once per container from the
 * environment (env.ts) and the policy's `notifications.slack` section. Every AWS and Slack call here has a
 * timeout that fires well inside Slack's 3 seconds. A configuration error answers 500 (Slack shows the
 * user an error) and is logged with its type; no header, body or secret is ever logged.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { cachedGroupMembers } from '../../shared/interactions/authorize';
import { SqsSlackJobQueue } from '../../shared/interactions/jobs';
import { handleSlackRequest, type SlackRequestDeps } from '../../shared/interactions/request';
import { SlackAppSecrets } from '../../shared/notify/channels/slack/app-secrets';
import { SlackWebApi } from '../../shared/notify/channels/slack/web-api';
import { notifyClientConfig } from '../../shared/notify/clients';
import { DEFAULT_NOTIFICATIONS_POLICY } from '../../shared/policy/document';
import { loadPolicy } from '../../shared/policy/file';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { DynamoDbSlackInteractions } from '../../shared/store/dynamodb-slack-interactions';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readSlackInteractionsConfig, type Env } from './env';
import { logger, reportConfigurationError } from './observability';

/**
 * Per AWS call: one attempt of at most 0.5 s to connect and 1 s to answer, so the replay guard (DynamoDB)
 * and the job (SQS) together stay inside Slack's 3 s even when both hang (SSM is read once per 5 min).
 */
const FAST = notifyClientConfig({ connectionTimeout: 500, requestTimeout: 1_000 }, { maxAttempts: 1 });

export async function interactionsDepsFromEnvironment(env: Env = process.env): Promise<SlackRequestDeps> {
  const config = readSlackInteractionsConfig(env);
  const policy = await loadPolicy(config.policyFile, logger);
  const slack = policy.notifications?.slack ?? DEFAULT_NOTIFICATIONS_POLICY.slack;
  const dynamodb = new DynamoDBClient(FAST);
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = new DynamoDbFindingStore({ client: documents, tableName: config.tableName });
  const secrets = new SlackAppSecrets({ ttlMs: config.secretTtlMs, clientConfig: FAST });
  // views.open must happen within 3 s of the press, after the replay guard and the finding read.
  const api = new SlackWebApi({ timeoutMs: 1_000 });
  const tokenParameter = slack.botTokenParameter;
  const token = (): Promise<string> => secrets.get(tokenParameter!, 'bot token');
  return {
    signingSecret: () => secrets.get(config.signingSecretParameter, 'signing secret'),
    interactivity: slack.interactivity,
    replays: new DynamoDbSlackInteractions({ client: dynamodb, tableName: config.tableName }),
    queue: new SqsSlackJobQueue(config.jobsQueueUrl),
    finding: async (id) => (await store.get(id))?.finding,
    logger,
    ...(tokenParameter
      ? {
          openView: async (triggerId, view) => {
            await api.call('views.open', await token(), { trigger_id: triggerId, view });
          },
          groupMembers: cachedGroupMembers(async (group) => {
            const answer = await api.callForm('usergroups.users.list', await token(), { usergroup: group });
            return Array.isArray(answer.users)
              ? answer.users.filter((u): u is string => typeof u === 'string')
              : [];
          }),
        }
      : {}),
  };
}

export function slackInteractionsHandler(
  getDeps: () => Promise<SlackRequestDeps> = () => interactionsDepsFromEnvironment(),
) {
  let deps: Promise<SlackRequestDeps> | undefined;
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    deps ??= getDeps().catch((err: unknown) => {
      deps = undefined;
      reportConfigurationError('Slack interactivity', err);
      throw err;
    });
    try {
      return await handleSlackRequest(
        { headers: event.headers ?? {}, body: event.body ?? '', isBase64Encoded: event.isBase64Encoded },
        await deps,
      );
    } catch (err) {
      // Only the type: a message could quote a header or the body.
      logger.error('Slack request failed', { errorType: err instanceof Error ? err.name : 'NonError' });
      return { statusCode: 500, body: '' };
    }
  };
}
