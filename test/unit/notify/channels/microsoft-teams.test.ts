/**
 * Microsoft Teams (Workflows webhook, Adaptive Card) against a loopback fake: the card's shape, every text
 * in a TextRun (no Markdown) with hostile text kept literal, the lifecycle, routing, faults (429, 500, no
 * answer: the claim is held, nothing posted twice) and the webhook URL (a secret) never leaking.
 * Card shape: Microsoft's "Create incoming webhooks with Workflows" and the Adaptive Cards schema
 * (RichTextBlock/TextRun: "Markdown is not supported").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '../../../../shared/notify/ledger';
import { teamsMessage } from '../../../../shared/notify/channels/microsoft-teams/message';
import { hang, serverError, startFakeHttp, tooManyRequests, type FakeHttp } from '../../../helpers/fake-http';
import { finding, notification } from '../fixtures';
import { channelNotifier, HOSTILE, hostileFinding, secretValues } from './setup';

const TEAMS = ['microsoftTeams'];

interface Card {
  body: { type: string; inlines?: { type: string; text: string }[] }[];
  actions?: { type: string; url: string }[];
}
const cardOf = (json: unknown): Card =>
  (json as { attachments: { contentType: string; content: Card }[] }).attachments[0]!.content;
const texts = (c: Card): string[] => c.body.flatMap((b) => (b.inlines ?? []).map((i) => i.text));

describe('Microsoft Teams channel', () => {
  let http: FakeHttp;
  beforeAll(async () => {
    http = await startFakeHttp();
  });
  afterAll(async () => http.close());
  beforeEach(() => http.reset());

  it('posts an Adaptive Card message for opened, reminder and resolved', async () => {
    const { notifier } = channelNotifier(http, TEAMS);
    const f = finding();
    await notifier.deliver([notification(f)]);
    await notifier.deliver([
      { ...notification(f, 'reminder', 'r'), count: 3, firstSeen: '2026-11-20T00:00:00Z' },
    ]);
    await notifier.deliver([
      { ...notification(f, 'resolved', 'z'), resolvedReason: 'remediation succeeded' },
    ]);
    const posts = http.accepted();
    expect(posts.map((p) => p.path)).toEqual(['/teams/SECRETSIG', '/teams/SECRETSIG', '/teams/SECRETSIG']);
    const msg = posts[0]!.json as {
      type: string;
      attachments: { contentType: string; content: { type: string; version: string } }[];
    };
    expect(msg.type).toBe('message');
    expect(msg.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', version: '1.4' },
    });
    expect(texts(cardOf(posts[0]!.json))[0]).toBe('HIGH: Service assigns public IPs to its tasks');
    expect(texts(cardOf(posts[1]!.json))[0]).toMatch(/^Still open: HIGH/);
    expect(texts(cardOf(posts[1]!.json)).join(' ')).toContain('Seen 3 time(s) since 2026-11-20T00:00:00Z');
    expect(texts(cardOf(posts[2]!.json))[0]).toMatch(/^Resolved: /);
    expect(texts(cardOf(posts[2]!.json)).join(' ')).toContain('(remediation succeeded)');
  });

  it('keeps hostile text literal: only TextRuns (no Markdown), no {{ function, no control character, one link', () => {
    const card = cardOf(teamsMessage(notification(hostileFinding())));
    // No element renders Markdown: no TextBlock, no FactSet.
    expect(card.body.every((b) => b.type === 'RichTextBlock')).toBe(true);
    const all = texts(card).join('\n');
    expect(all).toContain('<img src=x onerror=alert(1)>[click](https://evil.example) **bold**');
    expect(all).not.toContain('{{');
    expect(all).toContain('{\u200b{DATE(');
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(texts(card).every((t) => !t.includes('\n'))).toBe(true);
    expect(all).toContain(HOSTILE.advice.replace('\n', ' ↵ '));
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open in AWS console',
        url: expect.stringMatching(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\//),
      },
    ]);
  });

  it('stays under Teams 28 KB for a finding with huge evidence', () => {
    const big = finding({
      evidence: Array.from({ length: 200 }, (_, i) => ({ path: `p${i}`, message: 'x'.repeat(5000) })),
    });
    expect(JSON.stringify(teamsMessage(notification(big))).length).toBeLessThan(28_000);
  });

  it('429, 500, then no answer: nothing lost, nothing posted twice (the unanswered post holds its claim)', async () => {
    let now = Date.parse('2026-11-22T09:00:00Z');
    const { notifier, ledger } = channelNotifier(
      http,
      TEAMS,
      { now: () => now },
      new MemoryDeliveryLedger(120_000, () => now),
    );
    const n = notification(finding());
    http.script(tooManyRequests(30));
    let [r] = await notifier.deliver([n]);
    expect(r!.failures[0]).toMatchObject({ status: 429, retryAfterMs: 30_000 });
    http.script(serverError(500), serverError(500), serverError(500), serverError(500));
    [r] = await notifier.deliver([n]);
    expect(r!.failures[0]).toMatchObject({ status: 500, retryable: true });
    http.script({ status: 202, delayMs: 2000 }); // Teams took it but answered after our timeout
    [r] = await notifier.deliver([n]);
    expect(r!.failures[0]).toMatchObject({ unconfirmed: true });
    [r] = await notifier.deliver([n]);
    expect(r!.failures[0]).toMatchObject({ error: 'DeliveryInProgress', attempted: false });
    expect(http.requests.filter((q) => q.status === 0 || q.status === 202)).toHaveLength(1);
    // After the hold the post is tried again (at-least-once, docs/notifications.md) and completes.
    now += 121_000;
    [r] = await notifier.deliver([n]);
    expect(r!.delivered).toEqual(['microsoftTeams:default']);
    expect(ledger.deliveredTargets(n.dedupeId)).toEqual(['microsoftTeams:default']);
  });

  it('a hanging webhook costs one timeout per invocation: the rest of its run goes back untried', async () => {
    const { notifier } = channelNotifier(http, TEAMS);
    http.script(hang);
    const r = await notifier.deliver([
      notification(finding()),
      notification(finding()),
      notification(finding()),
    ]);
    expect(r.map((x) => x.failures[0]?.attempted === false)).toEqual([false, true, true]);
    expect(http.requests).toHaveLength(1);
  });

  it('the webhook URL never appears in a failure or a log (404 naming it in the body)', async () => {
    const { notifier, log } = channelNotifier(http, TEAMS);
    http.script({ status: 404, body: { error: `no flow at ${http.at('/teams/SECRETSIG')}` } });
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.failures[0]).toMatchObject({ status: 404, retryable: false });
    const text = JSON.stringify([r, log.lines]);
    for (const s of secretValues(http)) expect(text).not.toContain(s);
  });
});
