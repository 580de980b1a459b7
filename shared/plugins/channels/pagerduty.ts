/** The declaration of the `pagerduty` notification channel (its delivery: shared/notify/channels/pagerduty/). */
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

export interface PagerDutyRoute {
  /** Where the team's Events API v2 integration (routing) key lives. */
  readonly routingKeyParameter: string;
  readonly minSeverity?: Severity;
}

export interface PagerDutySection extends TeamRoutedSection<PagerDutyRoute> {
  /** Where the default integration key lives (SSM SecureString name or Secrets Manager ARN). */
  readonly routingKeyParameter?: string;
}

const DEFAULTS: PagerDutySection = {
  enabled: true,
  minSeverity: 'high',
  teamTag: 'guardrail:team',
  teams: {},
};

export const pagerDutySpec = defineChannelSpec<PagerDutySection>({
  name: 'pagerduty',
  title: 'PagerDuty Events API v2',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(MinSeveritySchema),
    routingKeyParameter: v.optional(SecretRefSchema),
    teamTag: v.optional(TeamTagSchema),
    teams: teamsSchema({ routingKeyParameter: SecretRefSchema }),
  }),
  defaults: DEFAULTS,
  resolve: resolveTeamRouted(DEFAULTS),
  environment: [],
  iamPermissions: ['ssm:GetParameter', 'secretsmanager:GetSecretValue'],
});
