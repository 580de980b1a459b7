/** `evaluate --notify` delivery (shared/notify/direct.ts) against a hanging and a rate-limiting Slack. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notifyFindings } from '../../../shared/notify/direct';
import { StaticSecretSource } from '../../../shared/notify/channels/slack/secrets';
import { parsePolicy } from '../../../shared/policy/load';
import { hanging, rateLimited, startFakeSlack, type FakeSlack } from '../../helpers/fake-slack';
import { finding } from './fixtures';

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
