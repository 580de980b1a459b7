/** The declaration of the `slack` notification channel (its delivery: shared/notify/channels/slack/). */
import * as v from 'valibot';
import { SEVERITIES, type Severity } from '../../model/finding';
import { defineChannelSpec, type ChannelSection } from '../channel';

/** The buttons of a finding message (docs/slack-app.md), each with its own allow-list. */
export const SLACK_ACTIONS = ['approve', 'snooze', 'exempt', 'acknowledge'] as const;
export type SlackAction = (typeof SLACK_ACTIONS)[number];

/** Who may press which button, for one Slack workspace: Slack user ids (U..., W...) or user-group ids (S...). */
export type SlackAllowList = Readonly<Record<SlackAction, readonly string[]>>;

/** `notifications.slack.interactivity`: the buttons and who may use them (docs/slack-app.md). */
export interface SlackInteractivity {
  /** Buttons on finding messages (default false: messages as before). */
  readonly enabled: boolean;
  /** By Slack workspace (team) id: a request from a workspace not listed is refused. */
  readonly workspaces: Readonly<Record<string, SlackAllowList>>;
}

/** One team route of `notifications.slack.teams` (docs/notifications.md). */
export interface SlackTeamRoute {
  /** Name of the SSM SecureString parameter holding the team's webhook URL (never the URL). */
  readonly webhookParameter?: string;
  /** With the bot token: the Slack channel id the team's messages are posted to (chat.postMessage). */
  readonly channel?: string;
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
  /**
   * The bot token (xoxb-...): an SSM SecureString parameter name or a Secrets Manager secret ARN. With it
   * and a `channel`, messages are posted with chat.postMessage, reminders and the resolution go into the
   * finding's thread and the first message is updated on resolution; without it, the webhooks.
   */
  readonly botTokenParameter?: string;
  /** With the bot token: the default Slack channel id (C..., G...). */
  readonly channel?: string;
  readonly interactivity: SlackInteractivity;
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

/** A bot token's home: an SSM parameter name or a Secrets Manager secret ARN (never the token). */
const BotTokenParameterSchema = v.pipe(
  v.string(),
  v.check(
    (s) =>
      !/^xox[a-z]-/.test(s) &&
      (SSM_PARAMETER.test(s) ||
        /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]{1,512}$/.test(s)),
    'must be the name of an SSM SecureString parameter or a Secrets Manager secret ARN, never the token',
  ),
);
const ChannelIdSchema = v.pipe(
  v.string(),
  v.regex(/^[CGD][A-Z0-9]{2,20}$/, 'must be a Slack channel id (C...)'),
);
const SlackIdsSchema = v.optional(
  v.array(
    v.pipe(
      v.string(),
      v.regex(/^[UWS][A-Z0-9]{2,20}$/, 'must be a Slack user id (U..., W...) or user-group id (S...)'),
    ),
  ),
);

const INTERACTIVITY_DEFAULTS: SlackInteractivity = { enabled: false, workspaces: {} };

const SLACK_DEFAULTS: SlackSection = {
  enabled: true,
  minSeverity: 'low',
  teamTag: 'guardrail:team',
  teams: {},
  interactivity: INTERACTIVITY_DEFAULTS,
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
          v.pipe(
            v.strictObject({
              webhookParameter: v.optional(WebhookParameterSchema),
              channel: v.optional(ChannelIdSchema),
              minSeverity: v.optional(v.picklist(SEVERITIES)),
            }),
            v.check(
              (t) => t.webhookParameter !== undefined || t.channel !== undefined,
              'a team route needs a webhookParameter or a channel',
            ),
          ),
        ),
      ),
    ),
    botTokenParameter: v.optional(BotTokenParameterSchema),
    channel: v.optional(ChannelIdSchema),
    interactivity: v.optional(
      v.pipe(
        v.strictObject({
          enabled: v.optional(v.boolean()),
          workspaces: v.optional(
            v.record(
              v.pipe(v.string(), v.regex(/^T[A-Z0-9]{2,20}$/, 'must be a Slack workspace (team) id (T...)')),
              v.strictObject({
                approve: SlackIdsSchema,
                snooze: SlackIdsSchema,
                exempt: SlackIdsSchema,
                acknowledge: SlackIdsSchema,
              }),
            ),
          ),
        }),
        v.transform((given): SlackInteractivity => ({
          enabled: given.enabled ?? false,
          workspaces: Object.fromEntries(
            Object.entries(given.workspaces ?? {}).map(([team, allow]) => [
              team,
              {
                approve: allow.approve ?? [],
                snooze: allow.snooze ?? [],
                exempt: allow.exempt ?? [],
                acknowledge: allow.acknowledge ?? [],
              },
            ]),
          ),
        })),
      ),
    ),
  }),
  defaults: SLACK_DEFAULTS,
  resolve: (given) => ({
    ...SLACK_DEFAULTS,
    ...Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined && x !== null)),
    teams: given.teams ?? {},
    interactivity: given.interactivity ?? INTERACTIVITY_DEFAULTS,
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
  iamPermissions: ['ssm:GetParameter', 'secretsmanager:GetSecretValue'],
});
