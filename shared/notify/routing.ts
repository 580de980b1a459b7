/**
 * Routing (policy `notifications:`): which delivery targets a notification goes to.
 *
 * - SNS: every finding at or above `sns.minSeverity` when a topic is configured (GUARDRAIL_TOPIC_ARN).
 * - Slack: the resource tag `slack.teamTag` (default `guardrail:team`) picks a team route from
 *   `slack.teams`; a finding without the tag, or with a team the policy does not list, goes to the default
 *   webhook (`slack.webhookParameter`, else env GUARDRAIL_SLACK_WEBHOOK_PARAMETER). A team route replaces
 *   the default (the team's channel gets it, the default channel does not) and its `minSeverity` defaults
 *   to `slack.minSeverity`. No webhook parameter at all: no Slack.
 * - Security Hub: only when `securityHub.enabled` (off by default), at or above its `minSeverity`.
 *
 * Reminders and resolved messages route exactly like the opened message (same finding, same tags).
 */
import { SEVERITY_RANK, type Finding, type Severity } from '../model/finding';
import { DEFAULT_NOTIFICATIONS_POLICY } from '../policy/document';
import type { NotificationsPolicy, Policy } from '../policy/types';
import type { Target } from './types';

export interface RoutingEnv {
  /** An SNS topic is configured (GUARDRAIL_TOPIC_ARN). */
  readonly sns: boolean;
  /** Default Slack webhook parameter from the environment (used when the policy names none). */
  readonly defaultWebhookParameter?: string;
}

export function notificationsPolicy(policy: Policy): NotificationsPolicy {
  return policy.notifications ?? DEFAULT_NOTIFICATIONS_POLICY;
}

const atLeast = (s: Severity, min: Severity): boolean => SEVERITY_RANK[s] >= SEVERITY_RANK[min];

export const SNS_TARGET: Target = { key: 'sns', channel: 'sns' };
export const SECURITY_HUB_TARGET: Target = { key: 'securityhub', channel: 'securityHub' };

export function slackTarget(webhookParameter: string, team?: string): Target {
  return {
    key: `slack:${team === undefined ? 'default' : `team:${team}`}`,
    channel: 'slack',
    webhookParameter,
    ...(team !== undefined ? { team } : {}),
  };
}

/** The Slack route of a finding: its team's webhook, else the default; undefined when none applies. */
export function slackRoute(
  finding: Finding,
  np: NotificationsPolicy,
  env: RoutingEnv,
): { target: Target; minSeverity: Severity } | undefined {
  const team = finding.tags?.[np.slack.teamTag];
  const route = team !== undefined && Object.hasOwn(np.slack.teams, team) ? np.slack.teams[team] : undefined;
  if (route)
    return {
      target: slackTarget(route.webhookParameter, team),
      minSeverity: route.minSeverity ?? np.slack.minSeverity,
    };
  const parameter = np.slack.webhookParameter ?? env.defaultWebhookParameter;
  return parameter ? { target: slackTarget(parameter), minSeverity: np.slack.minSeverity } : undefined;
}

export function route(finding: Finding, np: NotificationsPolicy, env: RoutingEnv): Target[] {
  const targets: Target[] = [];
  if (env.sns && np.sns.enabled && atLeast(finding.severity, np.sns.minSeverity)) targets.push(SNS_TARGET);
  if (np.slack.enabled) {
    const slack = slackRoute(finding, np, env);
    if (slack && atLeast(finding.severity, slack.minSeverity)) targets.push(slack.target);
  }
  if (np.securityHub.enabled && atLeast(finding.severity, np.securityHub.minSeverity))
    targets.push(SECURITY_HUB_TARGET);
  return targets;
}
