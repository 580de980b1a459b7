/**
 * The bot token mode (docs/slack-app.md "Bot token or webhook") against a loopback fake Slack Web API:
 * the opened message by chat.postMessage (its ts kept), the reminder and resolution in its thread, the
 * first message updated on resolution without its buttons; Slack's `ok: false` and 429 as typed,
 * retryable-or-not failures; the token never in an error; routing picks the bot over the webhook only
 * with a token and a channel.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postWithBot } from '../../../shared/notify/channels/slack/bot';
import { findingButtons } from '../../../shared/notify/channels/slack/buttons';
import { slackChannel } from '../../../shared/notify/channels/slack';
import { SlackWebApi } from '../../../shared/notify/channels/slack/web-api';
import { SlackDeliveryError } from '../../../shared/notify/channels/slack/webhook';
import { parsePolicy } from '../../../shared/policy/load';
import { MemorySlackInteractionStore } from '../../../shared/store/slack-interactions';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack';
import { finding } from './fixtures';

const TOKEN = 'xoxb-1234567890-abcdefghijklmnop';
let slack: FakeSlack;
let api: SlackWebApi;

beforeAll(async () => {
  slack = await startFakeSlack();
  api = new SlackWebApi({ baseUrl: `${new URL(slack.url).origin}/api`, timeoutMs: 2000 });
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

const ok = (extra: Record<string, unknown> = {}) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true, ...extra }),
});

describe('bot delivery', () => {
  const f = finding({ findingId: 'b'.repeat(32), mode: 'approve' });
  const options = { buttons: (x: typeof f) => findingButtons(x, { exempt: true }) };

  it('opened -> chat.postMessage, its ts kept; reminder and resolution in the thread; first message updated', async () => {
    const messages = new MemorySlackInteractionStore();
    slack.script(ok({ channel: 'C0SEC', ts: '1700000000.000100' }));
    await postWithBot(
      { finding: f, kind: 'opened', dedupeId: 'd1' },
      { api, token: TOKEN, channel: 'C0SEC', messages, options },
    );
    expect(slack.received[0]!.path).toBe('/api/chat.postMessage');
    expect(await messages.getMessage(f.findingId)).toEqual({ channel: 'C0SEC', ts: '1700000000.000100' });
    expect(JSON.stringify(slack.requests[0])).toContain('guardrail:snooze:7');

    slack.script(ok());
    await postWithBot(
      { finding: f, kind: 'reminder', dedupeId: 'd2', count: 3 },
      { api, token: TOKEN, channel: 'C0SEC', messages, options },
    );
    expect(slack.requests[1]).toMatchObject({ channel: 'C0SEC', thread_ts: '1700000000.000100' });

    slack.script(ok(), ok());
    await postWithBot(
      { finding: f, kind: 'resolved', dedupeId: 'd3', resolvedReason: 'remediation approved' },
      { api, token: TOKEN, channel: 'C0SEC', messages, options },
    );
    expect(slack.received.map((r) => r.path)).toEqual([
      '/api/chat.postMessage',
      '/api/chat.postMessage',
      '/api/chat.postMessage',
      '/api/chat.update',
    ]);
    expect(slack.requests[2]).toMatchObject({ thread_ts: '1700000000.000100' });
    const update = slack.requests[3] as { channel: string; ts: string; blocks: unknown[] };
    expect(update).toMatchObject({ channel: 'C0SEC', ts: '1700000000.000100' });
    expect(JSON.stringify(update.blocks)).toContain('Resolved: remediation approved');
    expect(JSON.stringify(update.blocks)).not.toContain('guardrail:approve');
  });

  it('a reminder without a recorded first message is posted as a new message', async () => {
    slack.script(ok());
    await postWithBot(
      { finding: f, kind: 'reminder', dedupeId: 'd4' },
      { api, token: TOKEN, channel: 'C0SEC', messages: new MemorySlackInteractionStore(), options },
    );
    expect((slack.requests[0] as Record<string, unknown>).thread_ts).toBeUndefined();
  });

  it.each([
    [
      'channel_not_found (permanent)',
      { status: 200, body: '{"ok":false,"error":"channel_not_found"}' },
      false,
      undefined,
    ],
    [
      'token_revoked (permanent)',
      { status: 200, body: '{"ok":false,"error":"token_revoked"}' },
      false,
      undefined,
    ],
    [
      'internal_error (retryable)',
      { status: 200, body: '{"ok":false,"error":"internal_error"}' },
      true,
      undefined,
    ],
    ['HTTP 429 with Retry-After', { status: 429, headers: { 'retry-after': '30' } }, true, 30_000],
    ['HTTP 503', { status: 503 }, true, undefined],
    [
      'an error name that is not one (injected text)',
      { status: 200, body: '{"ok":false,"error":"<!channel> x"}' },
      true,
      undefined,
    ],
  ])('%s: a typed failure, the token never in it', async (_n, response, retryable, retryAfterMs) => {
    slack.script(response);
    const err = await postWithBot(
      { finding: f, kind: 'opened', dedupeId: 'd5' },
      { api, token: TOKEN, channel: 'C0SEC', options },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackDeliveryError);
    const e = err as SlackDeliveryError;
    expect(e.retryable).toBe(retryable);
    expect(e.retryAfterMs).toBe(retryAfterMs);
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).not.toContain('<!channel>');
  });

  it('a hanging Slack: the request times out, unconfirmed (may have posted)', async () => {
    slack.script({ status: 0, hang: true });
    const quick = new SlackWebApi({ baseUrl: `${new URL(slack.url).origin}/api`, timeoutMs: 200 });
    const err = (await postWithBot(
      { finding: f, kind: 'opened', dedupeId: 'd6' },
      { api: quick, token: TOKEN, channel: 'C0SEC', options },
    ).catch((e: unknown) => e)) as SlackDeliveryError;
    expect(err.unconfirmed).toBe(true);
  });
});

describe('routing with the bot', () => {
  const route = (yaml: string, tags?: Record<string, string>) =>
    slackChannel.targets(
      finding({ severity: 'high', ...(tags ? { tags } : {}) }),
      parsePolicy(yaml).notifications!.slack,
      undefined,
    );

  it('bot token and channel: the bot target (same ledger key as before), buttons when interactivity is on', () => {
    expect(
      route(
        'notifications:\n  slack:\n    botTokenParameter: /guardrail/slack/bot-token\n    channel: C0SEC\n    interactivity:\n      enabled: true\n',
      ),
    ).toEqual([
      {
        key: 'slack:default',
        channel: 'slack',
        bot: { tokenParameter: '/guardrail/slack/bot-token', channel: 'C0SEC' },
        buttons: { exempt: true },
      },
    ]);
  });

  it('a team with a channel goes through the bot; a team with only a webhook through its webhook', () => {
    const yaml =
      'notifications:\n  slack:\n    botTokenParameter: /guardrail/slack/bot-token\n    teams:\n      pay: { channel: C0PAY }\n      data: { webhookParameter: /guardrail/slack/data }\n';
    expect(route(yaml, { 'guardrail:team': 'pay' })[0]).toMatchObject({ bot: { channel: 'C0PAY' } });
    expect(route(yaml, { 'guardrail:team': 'data' })[0]).toMatchObject({
      webhookParameter: '/guardrail/slack/data',
    });
    expect(route(yaml, { 'guardrail:team': 'data' })[0]!.bot).toBeUndefined();
  });

  it('no token: webhooks as before, and Exempt is not offered (a webhook app cannot open a modal)', () => {
    expect(
      route(
        'notifications:\n  slack:\n    webhookParameter: /guardrail/slack/default\n    interactivity:\n      enabled: true\n',
      ),
    ).toEqual([
      {
        key: 'slack:default',
        channel: 'slack',
        webhookParameter: '/guardrail/slack/default',
        buttons: { exempt: false },
      },
    ]);
  });
});
