/**
 * Worker of the Slack buttons (docs/slack-app.md): approves (runs the Remediator once), snoozes, exempts
 * and acknowledges findings from the queue slack-interactions fills; audits every press.
 */
import { lambda } from './edge/observability';
import { slackActionsHandler } from './edge/slack-actions-handler';

export const handler = lambda(slackActionsHandler());
