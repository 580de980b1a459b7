/**
 * Every notification channel's declaration, in routing order: what the policy loader validates
 * `notifications.<name>` against. The delivery side registers each by name in
 * shared/notify/channels/index.ts (a missing one is a type error there).
 */
import type { ChannelSection, ChannelSpec } from '../channel';
import { securityHubSpec } from './securityhub';
import { slackSpec, type SlackSection } from './slack';
import { snsSpec } from './sns';
import { pagerDutySpec, type PagerDutySection } from './pagerduty';
import { jiraSpec, type JiraSection } from './jira';
import { microsoftTeamsSpec, type MicrosoftTeamsSection } from './microsoft-teams';
import { emailSpec, type EmailSection } from './email';
import { webhookSpec, type WebhookSection } from './webhook';

/** Each channel's policy section, by its name. */
interface Sections {
  readonly sns: ChannelSection;
  readonly slack: SlackSection;
  readonly securityHub: ChannelSection;
  readonly pagerduty: PagerDutySection;
  readonly jira: JiraSection;
  readonly microsoftTeams: MicrosoftTeamsSection;
  readonly email: EmailSection;
  readonly webhook: WebhookSection;
}

const REGISTRY: { readonly [N in keyof Sections]: ChannelSpec<Sections[N]> } = {
  sns: snsSpec,
  slack: slackSpec,
  securityHub: securityHubSpec,
  pagerduty: pagerDutySpec,
  jira: jiraSpec,
  microsoftTeams: microsoftTeamsSpec,
  email: emailSpec,
  webhook: webhookSpec,
};

/** The name of a declared channel. */
export type ChannelName = keyof Sections;

/** The policy's `notifications.<channel>` sections, defaults applied. */
export type ChannelSections = { readonly [N in ChannelName]: Sections[N] };

/** The declarations (section types erased: the policy loader loops over them). */
export const CHANNEL_SPECS: readonly ChannelSpec[] = Object.values(REGISTRY) as readonly ChannelSpec[];
