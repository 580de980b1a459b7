import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../shared/policy/errors';
import { DEFAULT_NOTIFICATIONS_POLICY, DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { notificationsPolicy, route } from '../../../shared/notify/routing';
import { finding } from './fixtures';

const EXAMPLE = `
notifications:
  suppressionHours: 12
  sns:
    minSeverity: low
  slack:
    minSeverity: high
    webhookParameter: /guardrail/slack/default
    teamTag: guardrail:team
    teams:
      payments:
        webhookParameter: /guardrail/slack/payments
        minSeverity: medium
      data:
        webhookParameter: /guardrail/slack/data
  securityHub:
    enabled: true
    minSeverity: medium
`;

function policyError(yaml: string): PolicyError {
  try {
    parsePolicy(yaml, 'p.yml');
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('expected a PolicyError');
}

describe('policy notifications: section', () => {
  it('parses the documented example and applies the defaults around it', () => {
    const n = parsePolicy(EXAMPLE).notifications!;
    // Each section it is about, exactly (another registered channel adds its own section beside these).
    const { suppressionHours, reminders, sns, slack, securityHub } = n;
    expect({ suppressionHours, reminders, sns, slack, securityHub }).toEqual({
      suppressionHours: 12,
      reminders: true,
      sns: { enabled: true, minSeverity: 'low' },
      slack: {
        enabled: true,
        minSeverity: 'high',
        webhookParameter: '/guardrail/slack/default',
        teamTag: 'guardrail:team',
        teams: {
          payments: { webhookParameter: '/guardrail/slack/payments', minSeverity: 'medium' },
          data: { webhookParameter: '/guardrail/slack/data' },
        },
        interactivity: { enabled: false, workspaces: {} },
      },
      securityHub: { enabled: true, minSeverity: 'medium' },
    });
  });

  it('defaults: 24 h suppression, SNS everything, Slack low and up, Security Hub off', () => {
    expect(DEFAULT_POLICY.notifications).toEqual(DEFAULT_NOTIFICATIONS_POLICY);
    expect(DEFAULT_NOTIFICATIONS_POLICY).toMatchObject({
      suppressionHours: 24,
      sns: { enabled: true, minSeverity: 'info' },
      slack: { enabled: true, minSeverity: 'low', teamTag: 'guardrail:team', teams: {} },
      securityHub: { enabled: false },
    });
    expect(parsePolicy('notifications:\n').notifications).toEqual(DEFAULT_NOTIFICATIONS_POLICY);
  });

  it.each([
    ['notifications:\n  slack:\n    minSeverity: urgent\n', 'notifications.slack.minSeverity', /expected/],
    [
      'notifications:\n  slack:\n    webhookParameter: https://hooks.slack.com/services/T/B/X\n',
      'notifications.slack.webhookParameter',
      /SSM SecureString parameter.*never the webhook URL/,
    ],
    [
      'notifications:\n  slack:\n    teams:\n      payments:\n        webhookParameter: https://hooks.slack.com/x\n',
      'notifications.slack.teams.payments.webhookParameter',
      /never the webhook URL/,
    ],
    [
      // A route needs somewhere to post: a webhook, or a channel for the bot token (docs/slack-app.md).
      'notifications:\n  slack:\n    teams:\n      payments:\n        minSeverity: high\n',
      'notifications.slack.teams.payments',
      /needs a webhookParameter or a channel/,
    ],
    ['notifications:\n  suppressionHours: 0\n', 'notifications.suppressionHours', /more than 0/],
    ['notifications:\n  suppressionHours: "24"\n', 'notifications.suppressionHours', /expected number/],
    [
      'notifications:\n  securityHub:\n    enabled: yes please\n',
      'notifications.securityHub.enabled',
      /expected/,
    ],
    ['notifications:\n  sms:\n    minSeverity: low\n', 'notifications.sms', /unknown key/],
    // `channel` is the bot's channel id (docs/slack-app.md), never a channel name.
    ['notifications:\n  slack:\n    channel: "#sec"\n', 'notifications.slack.channel', /Slack channel id/],
    [
      'notifications:\n  slack:\n    botTokenParameter: xoxb-123\n',
      'notifications.slack.botTokenParameter',
      /never the token/,
    ],
    [
      'notifications:\n  slack:\n    interactivity:\n      workspaces:\n        T0001:\n          approve: ["alice"]\n',
      'notifications.slack.interactivity.workspaces.T0001.approve.0',
      /Slack user id/,
    ],
  ])('rejects %j naming the key', (yaml, key, problem) => {
    const err = policyError(yaml);
    expect(err.key).toBe(key);
    expect(err.message).toMatch(problem);
    expect(err.message).not.toContain('hooks.slack.com');
  });
});

describe('routing', () => {
  const np = notificationsPolicy(parsePolicy(EXAMPLE));
  // The channels' dependencies: an SNS topic is configured.
  const env = { sns: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:guardrail' } };
  const keys = (f: ReturnType<typeof finding>, e: Parameters<typeof route>[2] = env): string[] =>
    route(f, np, e).map((t) => t.key);

  it('applies a minimum severity per channel', () => {
    expect(keys(finding({ severity: 'critical' }))).toEqual(['sns', 'slack:default', 'securityhub']);
    expect(keys(finding({ severity: 'high' }))).toEqual(['sns', 'slack:default', 'securityhub']);
    expect(keys(finding({ severity: 'medium' }))).toEqual(['sns', 'securityhub']);
    expect(keys(finding({ severity: 'low' }))).toEqual(['sns']);
    expect(keys(finding({ severity: 'info' }))).toEqual([]);
  });

  it('routes by the team tag to the team webhook, with the team minimum severity', () => {
    const payments = finding({ severity: 'medium', tags: { 'guardrail:team': 'payments' } });
    expect(route(payments, np, env)).toContainEqual({
      key: 'slack:team:payments',
      channel: 'slack',
      webhookParameter: '/guardrail/slack/payments',
      team: 'payments',
    });
    expect(keys(payments)).not.toContain('slack:default');
    // The data team has no own minimum: the Slack one (high) applies.
    expect(keys(finding({ severity: 'medium', tags: { 'guardrail:team': 'data' } }))).not.toContain(
      'slack:team:data',
    );
    expect(keys(finding({ severity: 'high', tags: { 'guardrail:team': 'data' } }))).toContain(
      'slack:team:data',
    );
  });

  it('falls back to the default webhook for an unknown or missing team', () => {
    expect(keys(finding({ tags: { 'guardrail:team': 'nobody' } }))).toContain('slack:default');
    expect(keys(finding({ tags: { 'guardrail:team': 'constructor' } }))).toContain('slack:default');
    expect(keys(finding({ tags: {} }))).toContain('slack:default');
  });

  it('uses the environment default webhook parameter only when the policy names none', () => {
    const none = notificationsPolicy(DEFAULT_POLICY);
    expect(route(finding(), none, {})).toEqual([]);
    expect(route(finding(), none, { slack: { defaultWebhookParameter: '/env/param' } })).toEqual([
      { key: 'slack:default', channel: 'slack', webhookParameter: '/env/param' },
    ]);
    expect(route(finding(), np, { slack: { defaultWebhookParameter: '/env/param' } })[0]).toMatchObject({
      webhookParameter: '/guardrail/slack/default',
    });
  });

  it('sends nothing to SNS without a topic, and nothing to a disabled channel', () => {
    expect(keys(finding({ severity: 'critical' }), {})).toEqual(['slack:default', 'securityhub']);
    const off = notificationsPolicy(
      parsePolicy(
        'notifications:\n  sns: {enabled: false}\n  slack: {enabled: false, webhookParameter: /x}\n',
      ),
    );
    expect(route(finding({ severity: 'critical' }), off, env)).toEqual([]);
  });
});
