/** The declaration of the `securityHub` notification channel (its delivery: shared/notify/channels/securityhub/). */
import * as v from 'valibot';
import { SEVERITIES } from '../../model/finding';
import { defineChannelSpec, type ChannelSection } from '../channel';

export const securityHubSpec = defineChannelSpec<ChannelSection>({
  name: 'securityHub',
  title: 'AWS Security Hub (ASFF findings)',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(v.picklist(SEVERITIES)),
  }),
  defaults: { enabled: false, minSeverity: 'low' },
  environment: [],
  // sts:AssumeRole: the findings role of a member account (its findings are imported there).
  iamPermissions: ['securityhub:BatchImportFindings', 'sts:AssumeRole'],
});
