/** `evaluate --notify` delivery (cli/notify.ts) against a hanging and a rate-limiting Slack. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelsConfigured, notifyFindings } from '../../../cli/notify';
import { StaticSecretStore } from '../../../shared/notify/channels/secret-store';
import { startFakeHttp } from '../../helpers/fake-http';
import { StaticSecretSource } from '../../../shared/notify/channels/slack/secrets';
import { parsePolicy } from '../../../shared/policy/load';
import { hanging, rateLimited, startFakeSlack, type FakeSlack } from '../../helpers/fake-slack';
import { finding } from '../notify/fixtures';

const POLICY = parsePolicy('notifications:\n  slack:\n    webhookParameter: /guardrail/slack/default\n');

describe('evaluate --notify delivery with hostile Slack answers', () => {
  let slack: FakeSlack;
  let sleeps: number[];
  const run = (fs = [finding()]) =>
    notifyFindings(fs, POLICY, {
      config: { secretTtlMs: 0 },
      sleep: async (ms) => void sleeps.push(ms),
      deps: {
        slack: {
          secrets: new StaticSecretSource({ '/guardrail/slack/default': slack.url }),
          post: { timeoutMs: 200, maxInlineWaitMs: 1000 },
        },
      },
    });
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => {
    slack.reset();
    sleeps = [];
  });

  it('a Slack that does not answer: one request, reported as possibly delivered, never re-posted', async () => {
    slack.alwaysDefault(hanging);
    const r = await run();
    expect(slack.received).toHaveLength(1);
    expect(r.delivered).toBe(0);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ target: 'slack:default', unconfirmed: true });
    expect(r.failures[0]!.message).toContain('no answer in time, the channel may have it: not sent again');
    expect(sleeps).toEqual([]);
  });

  it('a Retry-After of a day fails the delivery without sleeping', async () => {
    slack.alwaysDefault(rateLimited(86_400));
    const r = await run([finding(), finding()]);
    expect(slack.received).toHaveLength(1); // the second is not even tried against a rate-limited webhook
    expect(r.failures).toHaveLength(2);
    for (const f of r.failures)
      expect(f.message).toContain(
        'asked to wait 86400 s, longer than --notify waits (30 s): run again later',
      );
    expect(sleeps).toEqual([]);
  });
});

describe('evaluate --notify with the other channels', () => {
  it('counts PagerDuty, Jira, Microsoft Teams, email and webhook sections as channels only when they say where to go', () => {
    const cfg = { secretTtlMs: 0 };
    const yes = [
      'pagerduty: { routingKeyParameter: /guardrail/pagerduty/default }',
      'jira: { site: "https://example.atlassian.net", credentialsParameter: /guardrail/jira/creds, projectKey: SEC }',
      'microsoftTeams: { teams: { payments: { webhookParameter: /guardrail/teams/payments } } }',
      'email: { from: guardrail@example.com, to: [secops@example.com] }',
      'webhook: { urlParameter: /guardrail/webhook/default, signingSecretParameter: /guardrail/webhook/signing }',
    ];
    const no = [
      'pagerduty: { enabled: false, routingKeyParameter: /guardrail/pagerduty/default }',
      'jira: { projectKey: SEC }',
      'email: { to: [secops@example.com] }',
    ];
    for (const section of yes)
      expect(channelsConfigured(parsePolicy(`notifications:\n  ${section}\n`), cfg), section).toBe(true);
    for (const section of no)
      expect(channelsConfigured(parsePolicy(`notifications:\n  ${section}\n`), cfg), section).toBe(false);
  });

  it('delivers to a webhook through the same notifier (secrets from the store the CLI builds)', async () => {
    const http = await startFakeHttp();
    try {
      const r = await notifyFindings(
        [finding()],
        parsePolicy(
          'notifications:\n  webhook: { urlParameter: /guardrail/webhook/default, signingSecretParameter: /guardrail/webhook/signing }\n',
        ),
        {
          config: { secretTtlMs: 0 },
          deps: {
            webhook: {
              secrets: new StaticSecretStore({
                '/guardrail/webhook/default': http.at('/hook'),
                '/guardrail/webhook/signing': 'whsec_cli_signing_secret',
              }),
              allowLoopback: true,
            },
          },
        },
      );
      expect(r).toMatchObject({ delivered: 1, failures: [] });
      expect(http.accepted()).toHaveLength(1);
    } finally {
      await http.close();
    }
  });
});
