/**
 * Every notification channel, in routing order (the order a notification's targets are reported in).
 * A new channel is its declaration (shared/plugins/channels/<name>.ts and its line in that registry), one
 * folder beside these (its `Channel`, ./channel.ts), its line here (in `Deps` and `REGISTRY`), and its
 * infrastructure (infra/iam.yml NotifierRole permissions, serverless.yml environment).
 */
import type { ChannelName, ChannelSections } from '../../plugins/channels';
import type { Channel, ChannelSection, Target } from './channel';
import { securityHubChannel, type SecurityHubDeps } from './securityhub';
import { slackChannel, type SlackDeps } from './slack';
import { snsChannel, type SnsDeps } from './sns';
import { pagerDutyChannel, type PagerDutyDeps } from './pagerduty';
import { jiraChannel, type JiraDeps } from './jira';
import { microsoftTeamsChannel, type MicrosoftTeamsDeps } from './microsoft-teams';
import { emailChannel, type EmailDeps } from './email';
import { webhookChannel, type WebhookDeps } from './webhook';

/** Each declared channel's dependencies' type, by its name (shared/plugins/channels declares the names). */
interface Deps {
  readonly sns: SnsDeps;
  readonly slack: SlackDeps;
  readonly securityHub: SecurityHubDeps;
  readonly pagerduty: PagerDutyDeps;
  readonly jira: JiraDeps;
  readonly microsoftTeams: MicrosoftTeamsDeps;
  readonly email: EmailDeps;
  readonly webhook: WebhookDeps;
}

const REGISTRY: {
  readonly [N in ChannelName]: Channel<ChannelSections[N], Deps[N], Target>;
} = {
  sns: snsChannel,
  slack: slackChannel,
  securityHub: securityHubChannel,
  pagerduty: pagerDutyChannel,
  jira: jiraChannel,
  microsoftTeams: microsoftTeamsChannel,
  email: emailChannel,
  webhook: webhookChannel,
};

export type { ChannelSections } from '../../plugins/channels';
/** The notifier's per-channel dependencies (clients, secrets, options), each optional. */
export type ChannelDeps = { readonly [N in ChannelName]?: Deps[N] };

/** The registry (types erased: the notifier and the policy loader loop over it). */
export const CHANNELS: readonly Channel<ChannelSection, unknown, Target>[] = Object.values(
  REGISTRY,
) as readonly Channel<ChannelSection, unknown, Target>[];

/** Every IAM action a channel needs (sorted, unique): what the notifier's role grants for delivery. */
export function channelIamPermissions(): string[] {
  return [...new Set(CHANNELS.flatMap((c) => c.iamPermissions))].sort();
}
