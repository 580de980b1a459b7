/** The declaration of the `email` notification channel (Amazon SES; delivery: shared/notify/channels/email/). */
import * as v from 'valibot';
import type { Severity } from '../../model/finding';
import { defineChannelSpec } from '../channel';
import {
  MinSeveritySchema,
  resolveTeamRouted,
  TeamTagSchema,
  teamsSchema,
  type TeamRoutedSection,
} from './team-routed';

export interface EmailRoute {
  readonly to: readonly string[];
  readonly minSeverity?: Severity;
}

export interface EmailSection extends TeamRoutedSection<EmailRoute> {
  /** The sender: an address of an SES-verified identity. No sender: no email. */
  readonly from?: string;
  /** Default recipients (at most 50, SES's limit per message). */
  readonly to: readonly string[];
  /** An SES configuration set (event publishing, suppression). */
  readonly configurationSet?: string;
}

// One address, no display name, nothing that could add a header (no CR/LF, no comma, no angle brackets).
const AddressSchema = v.pipe(
  v.string(),
  v.regex(
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/,
    'must be one email address',
  ),
);
const RecipientsSchema = v.pipe(v.array(AddressSchema), v.maxLength(50, 'at most 50 recipients (SES)'));

const DEFAULTS: EmailSection = {
  enabled: true,
  minSeverity: 'medium',
  teamTag: 'guardrail:team',
  teams: {},
  to: [],
};

export const emailSpec = defineChannelSpec<EmailSection>({
  name: 'email',
  title: 'Email (Amazon SES)',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(MinSeveritySchema),
    from: v.optional(AddressSchema),
    to: v.optional(RecipientsSchema),
    configurationSet: v.optional(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an SES configuration set name')),
    ),
    teamTag: v.optional(TeamTagSchema),
    teams: teamsSchema({ to: RecipientsSchema }),
  }),
  defaults: DEFAULTS,
  resolve: resolveTeamRouted(DEFAULTS),
  environment: [],
  iamPermissions: ['ses:SendEmail'],
});
