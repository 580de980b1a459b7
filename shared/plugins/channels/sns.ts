/** The declaration of the `sns` notification channel (its delivery: shared/notify/channels/sns/). */
import * as v from 'valibot';
import { SEVERITIES } from '../../model/finding';
import { defineChannelSpec, type ChannelSection } from '../channel';

export const snsSpec = defineChannelSpec<ChannelSection>({
  name: 'sns',
  title: 'Amazon SNS topic',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(v.picklist(SEVERITIES)),
  }),
  defaults: { enabled: true, minSeverity: 'info' },
  environment: [{ name: 'GUARDRAIL_TOPIC_ARN', description: 'the SNS topic; absent: no SNS channel' }],
  iamPermissions: ['sns:Publish'],
});
