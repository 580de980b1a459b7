/**
 * PagerDuty Events API v2 against a loopback fake (test/helpers/fake-http.ts): trigger with dedup_key =
 * finding id, reminders re-trigger the same alert, the resolution resolves it; routing by severity and
 * team tag; faults (429, 500, no answer) lose and duplicate nothing; the routing key never leaks.
 * Event shape: PagerDuty's Events API v2 documentation ("Send an Alert Event", "Resolve").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dedupKey } from '../../../../shared/notify/channels/pagerduty/message';
import { hang, serverError, startFakeHttp, tooManyRequests, type FakeHttp } from '../../../helpers/fake-http';
import { finding, notification } from '../fixtures';
import { pagerDutyEvent } from '../../../../shared/notify/channels/pagerduty/message';
import { channelNotifier, HOSTILE, hostileFinding, SECRET, secretValues } from './setup';

const PD = ['pagerduty'];

describe('PagerDuty channel', () => {
  let http: FakeHttp;
  beforeAll(async () => {
    http = await startFakeHttp();
  });
  afterAll(async () => http.close());
  beforeEach(() => http.reset());

  const pdTargets = (r: { delivered: readonly string[] }): string[] =>
    r.delivered.filter((t) => t.startsWith('pagerduty'));
  const events = (): Record<string, unknown>[] =>
    http
      .accepted()
      .filter((r) => r.path === '/v2/enqueue')
      .map((r) => r.json as Record<string, unknown>);

  it('triggers with dedup_key = finding id, re-triggers on a reminder, resolves on resolution', async () => {
    const { notifier } = channelNotifier(http, PD);
    const f = finding();
    const [opened] = await notifier.deliver([notification(f, 'opened')]);
    expect(pdTargets(opened!)).toEqual(['pagerduty:default']);
    await notifier.deliver([
      { ...notification(f, 'reminder', 'r1'), count: 4, firstSeen: '2026-11-21T08:00:00Z' },
    ]);
    await notifier.deliver([{ ...notification(f, 'resolved', 'z1'), resolvedReason: 'sweep: compliant' }]);
    const [trigger, reminder, resolve] = events();
    expect(trigger).toMatchObject({
      routing_key: SECRET.pdDefault,
      event_action: 'trigger',
      dedup_key: f.findingId,
      payload: { severity: 'error', source: f.resource.arn, class: 'svc-public-ip', group: '123456789012' },
    });
    expect((trigger!.payload as { summary: string }).summary).toContain('HIGH: Service assigns public IPs');
    expect(reminder).toMatchObject({ event_action: 'trigger', dedup_key: f.findingId });
    expect((reminder!.payload as { summary: string }).summary).toMatch(/^Still open: /);
    expect(resolve).toEqual({
      routing_key: SECRET.pdDefault,
      event_action: 'resolve',
      dedup_key: f.findingId,
    });
  });

  it('routes by team tag (the team route has its own key and minimum) and by severity', async () => {
    const { notifier } = channelNotifier(http, PD);
    const high = finding({ tags: { 'guardrail:team': 'payments' } });
    const critical = finding({ severity: 'critical', tags: { 'guardrail:team': 'payments' } });
    const info = finding({ severity: 'info' });
    const r = await notifier.deliver([notification(high), notification(critical), notification(info)]);
    expect(r.map(pdTargets)).toEqual([[], ['pagerduty:team:payments'], []]);
    expect(events().map((e) => e.routing_key)).toEqual([SECRET.pdPayments]);
    expect(events()[0]).toMatchObject({ payload: { severity: 'critical' } });
  });

  it('hashes a finding id longer than 255 characters into the dedup_key', () => {
    expect(dedupKey('x'.repeat(300))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(dedupKey('short')).toBe('short');
  });

  it('429 (long Retry-After), 500 and no answer: retried later, delivered once, nothing lost', async () => {
    const { notifier, ledger } = channelNotifier(http, PD);
    const f = finding();
    const n = notification(f);
    http.script(tooManyRequests(60));
    let [r] = await notifier.deliver([n]);
    expect(r!.failures).toEqual([
      expect.objectContaining({
        target: 'pagerduty:default',
        status: 429,
        retryAfterMs: 60_000,
        retryable: true,
      }),
    ]);
    http.script(serverError(500), serverError(502), serverError(503), serverError(500));
    [r] = await notifier.deliver([n]);
    expect(r!.failures).toEqual([expect.objectContaining({ status: 500, retryable: true })]);
    http.script(hang);
    [r] = await notifier.deliver([n]);
    // Idempotent by dedup_key: an unanswered event is released and simply sent again.
    expect(r!.failures).toEqual([expect.objectContaining({ unconfirmed: true })]);
    [r] = await notifier.deliver([n]);
    expect(pdTargets(r!)).toEqual(['pagerduty:default']);
    [r] = await notifier.deliver([n]);
    expect(r!.alreadyDelivered).toContain('pagerduty:default');
    expect(events()).toHaveLength(1);
    expect(ledger.deliveredTargets(n.dedupeId)).toEqual(['pagerduty:default']);
  });

  it('a rejected event (400) is not retried and its error names no secret', async () => {
    const { notifier, log } = channelNotifier(http, PD);
    http.script({ status: 400, body: { status: 'invalid event', message: `bad key ${SECRET.pdDefault}` } });
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.failures).toEqual([
      expect.objectContaining({ error: 'ChannelDeliveryError', status: 400, retryable: false }),
    ]);
    const text = JSON.stringify([r, log.lines]);
    for (const s of secretValues(http)) expect(text).not.toContain(s);
  });

  it('refuses an endpoint override that is not loopback (no finding goes to an arbitrary host)', async () => {
    const { notifier } = channelNotifier(http, PD, {
      pagerduty: { endpoint: 'https://evil.example/v2/enqueue' },
    });
    const [r] = await notifier.deliver([notification(finding())]);
    expect(r!.failures).toEqual([expect.objectContaining({ error: 'ChannelConfigError', retryable: false })]);
    expect(http.requests).toHaveLength(0);
  });

  it('hostile text stays one line without control characters, the summary within 1024 characters', () => {
    const long = hostileFinding({ title: `${'T'.repeat(3000)}\u001b[2J` });
    const e = pagerDutyEvent(notification(long), 'key');
    const payload = e.payload as { summary: string; custom_details: Record<string, unknown> };
    expect(payload.summary.length).toBeLessThanOrEqual(1024);
    const strings = (x: unknown): string[] =>
      typeof x === 'string' ? [x] : x && typeof x === 'object' ? Object.values(x).flatMap(strings) : [];
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    for (const t of strings(e)) expect(t).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    expect(payload.custom_details.resource).toContain(HOSTILE.name);
  });

  it('an answer whose body never finishes times out as unanswered (idempotent: sent again, one alert)', async () => {
    const { notifier } = channelNotifier(http, PD);
    const n = notification(finding());
    http.script({ status: 202, stall: true });
    const [r] = await notifier.deliver([n]);
    expect(r!.failures[0]).toMatchObject({ unconfirmed: true, retryable: true });
    const [again] = await notifier.deliver([n]);
    expect(again!.delivered).toEqual(['pagerduty:default']);
    expect(new Set(http.requests.map((q) => (q.json as { dedup_key: string }).dedup_key)).size).toBe(1);
  });
});
