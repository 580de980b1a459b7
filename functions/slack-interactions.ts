/**
 * Slack interactivity endpoint (Lambda Function URL, docs/slack-app.md): verifies Slack's signature,
 * checks who pressed what, opens the Exempt modal, and queues the work for slack-actions (answers < 3 s).
 */
import { lambda } from './edge/observability';
import { slackInteractionsHandler } from './edge/slack-interactions-handler';

export const handler = lambda(slackInteractionsHandler());
