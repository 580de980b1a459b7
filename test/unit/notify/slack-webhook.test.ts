import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  parseRetryAfter,
  postToSlack,
  SlackDeliveryError,
} from '../../../shared/notify/channels/slack/webhook';
import { hanging, slow, startFakeSlack, type FakeSlack } from '../../helpers/fake-slack';

const payload = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }] };

describe('postToSlack against a local webhook server', () => {
  let slack: FakeSlack;
  let sleeps: number[];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => {
    sleeps = [];
    slack.reset();
  });

  it('delivers once on 200', async () => {
    await postToSlack(slack.url, payload, { sleep });
    expect(slack.delivered).toEqual([payload]);
    expect(sleeps).toEqual([]);
  });

  it('waits Retry-After on 429, backs off on 500, then delivers exactly once', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '2' } }, { status: 500 });
    await postToSlack(slack.url, payload, { sleep, random: () => 0.5, baseBackoffMs: 100 });
    expect(slack.requests).toHaveLength(3);
    expect(slack.delivered).toEqual([payload]);
    expect(sleeps).toEqual([2000, 200]);
  });

  it('hands a long Retry-After back as a retryable error with the delay (the caller requeues)', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '30' } });
    const err = await postToSlack(slack.url, payload, { sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackDeliveryError);
    expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 30_000 });
    expect(slack.delivered).toEqual([]);
  });

  it('gives up after maxAttempts of 5xx with a retryable error, never silently', async () => {
    slack.script({ status: 503 }, { status: 502 }, { status: 500 });
    const err = await postToSlack(slack.url, payload, { sleep, maxAttempts: 3, random: () => 0.5 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'SlackDeliveryError', retryable: true, status: 500 });
    expect(slack.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not retry a 4xx rejection and marks it not retryable', async () => {
    slack.script({ status: 400, body: 'invalid_payload' });
    const err = await postToSlack(slack.url, payload, { sleep }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, status: 400 });
    expect(slack.requests).toHaveLength(1);
  });

  it('never puts the webhook URL (a secret) into an error', async () => {
    const errors: unknown[] = [];
    slack.script({ status: 404 });
    errors.push(await postToSlack(slack.url, payload, { sleep }).catch((e: unknown) => e));
    errors.push(
      await postToSlack('http://127.0.0.1:1/services/T/B/XXXXSECRET', payload, {
        sleep,
        maxAttempts: 1,
      }).catch((e: unknown) => e),
    );
    for (const e of errors) {
      expect(e).toBeInstanceOf(SlackDeliveryError);
      expect(`${(e as Error).message} ${(e as Error).stack}`).not.toContain('XXXXSECRET');
    }
  });

  it('a Slack that posts but answers late: unconfirmed after the timeout, never posted a second time', async () => {
    slack.script(slow(1500));
    const started = Date.now();
    const err = await postToSlack(slack.url, payload, { sleep, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1200);
    expect(err).toMatchObject({ name: 'SlackDeliveryError', retryable: true, unconfirmed: true });
    expect((err as Error).message).toMatch(/no answer in time \((TimeoutError|AbortError)\)/);
    expect(slack.requests).toHaveLength(1);
    expect(slack.delivered).toHaveLength(1); // Slack did post it: a retry would have been a duplicate
    expect(sleeps).toEqual([]);
  });

  it('a hanging Slack: one request, unconfirmed after the timeout', async () => {
    slack.script(hanging);
    const err = await postToSlack(slack.url, payload, { sleep, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ unconfirmed: true, attempted: true });
    expect(slack.received.map((r) => r.status)).toEqual([0]);
  });

  it('a refused connection never reached Slack: retried, not unconfirmed', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const err = await postToSlack(`http://127.0.0.1:${port}/services/T/B/X`, payload, {
      sleep,
      maxAttempts: 3,
      random: () => 0.5,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true, unconfirmed: false, attempted: true });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(sleeps).toHaveLength(2);
  });

  it('starts no request whose timeout does not fit before the deadline', async () => {
    const err = await postToSlack(slack.url, payload, {
      sleep,
      timeoutMs: 5000,
      now: () => 10_000,
      deadline: 14_000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ attempted: false, retryable: true });
    expect(slack.requests).toHaveLength(0);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBe(1000);
    const inTwo = new Date(Date.now() + 2000).toUTCString();
    expect(parseRetryAfter(inTwo)).toBeGreaterThan(0);
    expect(parseRetryAfter(inTwo)).toBeLessThanOrEqual(2000);
  });
});
