/**
 * The messages docs/notifications.md shows for the PagerDuty, Jira, Microsoft Teams, email and webhook
 * channels, produced by the channels' own code for the page's example finding (svc-public-ip on
 * prod-cluster/checkout-api, remediate mode with dryRun), in its three lifecycle kinds.
 */
import type { Finding } from '../../../shared/model/finding';
import { emailMessage } from '../../../shared/notify/channels/email/message';
import { jiraComment, jiraIssueFields } from '../../../shared/notify/channels/jira/message';
import { teamsMessage } from '../../../shared/notify/channels/microsoft-teams/message';
import { pagerDutyEvent } from '../../../shared/notify/channels/pagerduty/message';
import { webhookBody } from '../../../shared/notify/channels/webhook/message';
import type { Notification } from '../../../shared/notify/types';

export const DOC_FINDING: Finding = {
  findingId: '5f0c6e3e4b1d2a79c8e0f1a2b3c4d5e6',
  ruleId: 'svc-public-ip',
  severity: 'high',
  title: 'Service assigns public IPs to its tasks',
  resource: {
    type: 'AWS::ECS::Service',
    arn: 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api',
    name: 'checkout-api',
  },
  account: '111122223333',
  region: 'us-west-2',
  evidence: [
    {
      path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
      message: 'service "checkout-api" assigns a public IP (assignPublicIp ENABLED)',
    },
  ],
  event: {
    id: '6f1c2b7e-2a8d-4c3e-9d55-0c1e8f4a9b21',
    source: 'aws.ecs',
    detailType: 'AWS API Call via CloudTrail',
    time: '2026-11-22T08:01:12Z',
    eventName: 'UpdateService',
    actor: {
      arn: 'arn:aws:sts::111122223333:assumed-role/DeployRole/jane.doe',
      type: 'AssumedRole',
      roleArn: 'arn:aws:iam::111122223333:role/DeployRole',
    },
  },
  controls: {
    securityHub: 'ECS.2',
    checkov: 'CKV_AWS_333',
    seeds: ['Using a private subnet and a NAT gateway'],
  },
  mode: 'remediate',
  action: {
    name: 'disable-public-ip',
    status: 'planned',
    reason: 'dry-run: would UpdateService keeping subnets and security groups, assignPublicIp DISABLED.',
  },
  advice: 'Run tasks in private subnets and reach the internet through a NAT gateway.',
  tags: { 'guardrail:team': 'payments', env: 'prod' },
};

export const DOC_NOTIFICATIONS: Record<'opened' | 'reminder' | 'resolved', Notification> = {
  opened: { finding: DOC_FINDING, kind: 'opened', dedupeId: '7268dc46c1be00fb9c4b297246578036ec503239' },
  reminder: {
    finding: DOC_FINDING,
    kind: 'reminder',
    dedupeId: '0b8e3f1d6c2a4e5f9a7b1c3d5e7f9a1b2c3d4e5f',
    firstSeen: '2026-11-22T08:01:12.000Z',
    count: 14,
  },
  resolved: {
    finding: DOC_FINDING,
    kind: 'resolved',
    dedupeId: 'c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3',
    firstSeen: '2026-11-22T08:01:12.000Z',
    count: 14,
    resolvedReason: 'remediation succeeded',
  },
};

const KINDS = ['opened', 'reminder', 'resolved'] as const;

/** Example name (as in the page's `<!-- example: NAME -->` markers) -> the message. */
export function channelExamples(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KINDS) {
    const n = DOC_NOTIFICATIONS[k];
    out[`pagerduty ${k}`] = pagerDutyEvent(n, '<integration key from the secret>');
    out[`microsoftTeams ${k}`] = teamsMessage(n);
    const mail = emailMessage(n);
    out[`email ${k} subject`] = mail.subject;
    out[`email ${k} text`] = mail.text;
    out[`email ${k} html`] = mail.html;
  }
  out['jira opened'] = {
    fields: jiraIssueFields(DOC_NOTIFICATIONS.opened, {
      projectKey: 'SEC',
      issueType: 'Task',
      labels: ['ecs-guardrail'],
    }),
  };
  out['jira reminder'] = jiraComment(DOC_NOTIFICATIONS.reminder);
  out['jira resolved'] = jiraComment(DOC_NOTIFICATIONS.resolved);
  out['webhook opened'] = webhookBody(DOC_NOTIFICATIONS.opened);
  return out;
}
