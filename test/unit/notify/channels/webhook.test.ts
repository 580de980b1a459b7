/**
 * The generic webhook against a loopback receiver: a signed JSON body per notification; the signature
 * verifies with the secret and fails for a wrong secret, a modified body, a stale or replayed timestamp
 * and missing headers; retries like Slack; faults lose and duplicate nothing; secrets never leak.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '../../../../shared/notify/ledger';
import { StaticSecretStore } from '../../../../shared/notify/channels/secret-store';
import { verifyWebhookSignature } from '../../../../shared/notify/channels/webhook/signature';
import { parsePolicy } from '../../../../shared/policy/load';
import {
  hang,
  serverError,
  startFakeHttp,
  tooManyRequests,
  type FakeHttp,
  type RecordedRequest,
} from '../../../helpers/fake-http';
import { finding, notification } from '../fixtures';
import { channelNotifier, hostileFinding, SECRET, secretValues } from './setup';

const HOOK = ['webhook'];
const headersOf = (r: RecordedRequest) => ({
  signature: r.headers['x-guardrail-signature'] as string | undefined,
  timestamp: r.headers['x-guardrail-request-timestamp'] as string | undefined,
});

describe('webhook channel', () => {
  let http: FakeHttp;
  beforeAll(async () => {
    http = await startFakeHttp();
  });
  afterAll(async () => http.close());
  beforeEach(() => http.reset());

  it('posts the notification as JSON with a verifiable signature, a timestamp and the delivery id', async () => {
    const now = Date.parse('2026-11-22T09:00:00Z');
    const { notifier } = channelNotifier(http, HOOK, { now: () => now });
    const f = hostileFinding();
    const n = { ...notification(f, 'reminder', 'r1'), count: 2, firstSeen: '2026-11-21T00:00:00Z' };
    const [r] = await notifier.deliver([n]);
    expect(r!.delivered).toEqual(['webhook:default']);
    const req = http.accepted()[0]!;
    expect(req.path).toBe('/hooks/RECEIVERSECRETPATH');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-guardrail-delivery']).toBe(n.dedupeId);
    expect(req.json).toEqual({
      version: 1,
      source: 'ecs-guardrail',
      kind: 'reminder',
      dedupeId: n.dedupeId,
      finding: JSON.parse(JSON.stringify(f)),
      firstSeen: '2026-11-21T00:00:00Z',
      count: 2,
    });
    const nowS = Math.floor(now / 1000);
    expect(headersOf(req).timestamp).toBe(String(nowS));
    expect(verifyWebhookSignature(SECRET.signing, headersOf(req), req.raw, nowS)).toBe(true);
  });

  it('the signature fails for a wrong secret, a modified body, a stale or replayed timestamp, missing headers', async () => {
    const now = Date.parse('2026-11-22T09:00:00Z');
    const { notifier } = channelNotifier(http, HOOK, { now: () => now });
    await notifier.deliver([notification(finding())]);
    const req = http.accepted()[0]!;
    const h = headersOf(req);
    const nowS = Math.floor(now / 1000);
    expect(verifyWebhookSignature('wrong-secret', h, req.raw, nowS)).toBe(false);
    expect(verifyWebhookSignature(SECRET.signing, h, req.raw.replace('"high"', '"low"'), nowS)).toBe(false);
    expect(verifyWebhookSignature(SECRET.signing, h, req.raw, nowS + 301)).toBe(false);
    expect(
      verifyWebhookSignature(SECRET.signing, { ...h, timestamp: String(nowS + 60) }, req.raw, nowS),
    ).toBe(false);
    expect(verifyWebhookSignature(SECRET.signing, { timestamp: h.timestamp }, req.raw, nowS)).toBe(false);
    expect(verifyWebhookSignature(SECRET.signing, { signature: h.signature }, req.raw, nowS)).toBe(false);
    expect(verifyWebhookSignature(SECRET.signing, { ...h, signature: 'v1=00' }, req.raw, nowS)).toBe(false);
  });

  it('the policy refuses a webhook route without a signing secret (nothing is ever sent unsigned)', () => {
    expect(() => parsePolicy('notifications:\n  webhook:\n    urlParameter: /guardrail/webhook/x\n')).toThrow(
      /signingSecretParameter is required/,
    );
    expect(() =>
      parsePolicy(
        'notifications:\n  webhook:\n    urlParameter: https://hooks.example.com/x\n    signingSecretParameter: /s\n',
      ),
    ).toThrow(/never hold the secret/);
  });

  it('retries 5xx inline like Slack and delivers once', async () => {
    const { notifier } = channelNotifier(http, HOOK);
    http.script(serverError(502), serverError(503));
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.delivered).toEqual(['webhook:default']);
    expect(http.requests.map((q) => q.status)).toEqual([502, 503, 200]);
  });

  it('429, 500 and no answer: nothing lost, nothing duplicated', async () => {
    let now = Date.parse('2026-11-22T09:00:00Z');
    const ledger = new MemoryDeliveryLedger(120_000, () => now);
    const { notifier } = channelNotifier(http, HOOK, { now: () => now }, ledger);
    const n = notification(finding());
    http.script(tooManyRequests(120));
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({
      status: 429,
      retryAfterMs: 120_000,
    });
    http.script(serverError(), serverError(), serverError(), serverError());
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({ status: 500 });
    http.script(hang);
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({ unconfirmed: true });
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({ error: 'DeliveryInProgress' });
    now += 121_000;
    expect((await notifier.deliver([n]))[0]!.delivered).toEqual(['webhook:default']);
    expect((await notifier.deliver([n]))[0]!.alreadyDelivered).toEqual(['webhook:default']);
    expect(http.accepted()).toHaveLength(1);
    // Every attempt carried the same delivery id: a receiver can drop the duplicate of an unanswered post.
    expect(new Set(http.requests.map((q) => q.headers['x-guardrail-delivery'])).size).toBe(1);
  });

  it('a receiver URL that is not https is refused without echoing it; no secret in failures or logs', async () => {
    const { notifier, log } = channelNotifier(http, HOOK, {
      webhook: {
        secrets: new StaticSecretStore({
          '/guardrail/webhook/default': 'http://hooks.example.com/RECEIVERSECRETPATH',
          '/guardrail/webhook/signing': SECRET.signing,
        }),
      },
    });
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.failures[0]).toMatchObject({ error: 'ChannelConfigError', retryable: false });
    expect(r!.failures[0]!.message).toBe(
      'secret /guardrail/webhook/default does not hold an https webhook URL',
    );
    const text = JSON.stringify([r, log.lines]);
    for (const s of secretValues(http)) expect(text).not.toContain(s);
  });

  it('an endless or huge answer body is read only up to 1 MB: the delivery completes', async () => {
    const { notifier } = channelNotifier(http, HOOK);
    http.script({ status: 200, body: 'x'.repeat(5 * 1024 * 1024) });
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.delivered).toEqual(['webhook:default']);
  });
});
