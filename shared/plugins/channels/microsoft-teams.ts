/**
 * The declaration of the `microsoftTeams` notification channel (its delivery:
 * shared/notify/channels/microsoft-teams/).
 */
import * as v from 'valibot';
import type { Severity } from '../../model/finding';
import { defineChannelSpec } from '../channel';
import {
  MinSeveritySchema,
  resolveTeamRouted,
  SecretRefSchema,
  TeamTagSchema,
  teamsSchema,
  type TeamRoutedSection,
} from './team-routed';

export interface MicrosoftTeamsRoute {
  /** Where the team's Workflows webhook URL lives. */
  readonly webhookParameter: string;
  readonly minSeverity?: Severity;
}

export interface MicrosoftTeamsSection extends TeamRoutedSection<MicrosoftTeamsRoute> {
  /** Where the default Workflows webhook URL lives (SSM SecureString name or Secrets Manager ARN). */
  readonly webhookParameter?: string;
}

const DEFAULTS: MicrosoftTeamsSection = {
  enabled: true,
  minSeverity: 'low',
  teamTag: 'guardrail:team',
  teams: {},
};

export const microsoftTeamsSpec = defineChannelSpec<MicrosoftTeamsSection>({
  name: 'microsoftTeams',
  title: 'Microsoft Teams (Workflows webhook, Adaptive Card)',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(MinSeveritySchema),
    webhookParameter: v.optional(SecretRefSchema),
    teamTag: v.optional(TeamTagSchema),
    teams: teamsSchema({ webhookParameter: SecretRefSchema }),
  }),
  defaults: DEFAULTS,
  resolve: resolveTeamRouted(DEFAULTS),
  environment: [],
  iamPermissions: ['ssm:GetParameter', 'secretsmanager:GetSecretValue'],
});
