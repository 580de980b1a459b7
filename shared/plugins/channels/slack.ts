/** The declaration of the `slack` notification channel (its delivery: shared/notify/channels/slack/). */
import * as v from 'valibot';
import { SEVERITIES, type Severity } from '../../model/finding';
import { defineChannelSpec, type ChannelSection } from '../channel';

/** One team route of `notifications.slack.teams` (docs/notifications.md). */
export interface SlackTeamRoute {
  /** Name of the SSM SecureString parameter holding the team's webhook URL (never the URL). */
  readonly webhookParameter: string;
  /** Defaults to `notifications.slack.minSeverity`. */
  readonly minSeverity?: Severity;
}

/** The policy's `notifications.slack` section, defaults applied. */
export interface SlackSection extends ChannelSection {
  /** Default webhook: an SSM SecureString parameter name (else env GUARDRAIL_SLACK_WEBHOOK_PARAMETER). */
  readonly webhookParameter?: string;
  /** Resource tag whose value picks a team route (default `guardrail:team`). */
  readonly teamTag: string;
  readonly teams: Readonly<Record<string, SlackTeamRoute>>;
}

// Webhook URLs are secrets: the policy names SSM parameters only.
const SSM_PARAMETER = /^(arn:aws[\w-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]{1,1011}$/;
const WebhookParameterSchema = v.pipe(
  v.string(),
  v.regex(
    SSM_PARAMETER,
    'must be the name of an SSM SecureString parameter (e.g. /guardrail/slack/default), never the webhook URL',
  ),
);

const SLACK_DEFAULTS: SlackSection = {
  enabled: true,
  minSeverity: 'low',
  teamTag: 'guardrail:team',
  teams: {},
};

export const slackSpec = defineChannelSpec<SlackSection>({
  name: 'slack',
  title: 'Slack incoming webhooks',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(v.picklist(SEVERITIES)),
    webhookParameter: v.optional(WebhookParameterSchema),
    teamTag: v.optional(
      v.pipe(v.string(), v.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a tag key')),
    ),
    teams: v.optional(
      v.nullable(
        v.record(
          v.pipe(v.string(), v.minLength(1, 'must not be empty')),
          v.strictObject({
            webhookParameter: WebhookParameterSchema,
            minSeverity: v.optional(v.picklist(SEVERITIES)),
          }),
        ),
      ),
    ),
  }),
  defaults: SLACK_DEFAULTS,
  resolve: (given) => ({
    ...SLACK_DEFAULTS,
    ...Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined && x !== null)),
    teams: given.teams ?? {},
  }),
  environment: [
    {
      name: 'GUARDRAIL_SLACK_WEBHOOK_PARAMETER',
      description:
        'NAME of the SSM SecureString holding the default webhook URL (used when the policy names none); a URL here is refused',
    },
    { name: 'GUARDRAIL_SECRET_TTL_SECONDS', description: 'how long a webhook URL is cached (default 300)' },
    { name: 'GUARDRAIL_SLACK_TIMEOUT_SECONDS', description: "one Slack request's timeout (default 10)" },
  ],
  iamPermissions: ['ssm:GetParameter'],
});
