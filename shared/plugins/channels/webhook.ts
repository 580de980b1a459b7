/** The declaration of the `webhook` notification channel (its delivery: shared/notify/channels/webhook/). */
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

export interface WebhookRoute {
  /** Where the team's receiver URL lives. */
  readonly urlParameter: string;
  /** Where its signing secret lives (default: the section's). */
  readonly signingSecretParameter?: string;
  readonly minSeverity?: Severity;
}

export interface WebhookSection extends TeamRoutedSection<WebhookRoute> {
  /** Where the default receiver URL lives (SSM SecureString name or Secrets Manager ARN). */
  readonly urlParameter?: string;
  /** Where the HMAC-SHA256 signing secret lives: required for any route to be used. */
  readonly signingSecretParameter?: string;
}

const DEFAULTS: WebhookSection = { enabled: true, minSeverity: 'low', teamTag: 'guardrail:team', teams: {} };

export const webhookSpec = defineChannelSpec<WebhookSection>({
  name: 'webhook',
  title: 'Generic webhook (signed JSON)',
  policySchema: v.pipe(
    v.strictObject({
      enabled: v.optional(v.boolean()),
      minSeverity: v.optional(MinSeveritySchema),
      urlParameter: v.optional(SecretRefSchema),
      signingSecretParameter: v.optional(SecretRefSchema),
      teamTag: v.optional(TeamTagSchema),
      teams: teamsSchema({
        urlParameter: SecretRefSchema,
        signingSecretParameter: v.optional(SecretRefSchema),
      }),
    }),
    // An unsigned delivery is never made: every route needs a signing secret.
    v.check(
      (s) =>
        s.signingSecretParameter !== undefined ||
        (s.urlParameter === undefined &&
          Object.values(s.teams ?? {}).every((t) => t.signingSecretParameter !== undefined)),
      'signingSecretParameter is required: every webhook delivery is signed',
    ),
  ),
  defaults: DEFAULTS,
  resolve: resolveTeamRouted(DEFAULTS),
  environment: [],
  iamPermissions: ['ssm:GetParameter', 'secretsmanager:GetSecretValue'],
});
