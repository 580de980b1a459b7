/**
 * Email through SES v2 (client mocked here; test/integration/notify-more-channels.test.ts sends through
 * moto): the HTML part escapes every text, the subject is one bounded line, team routes pick
 * recipients, faults are classified (throttled: retried later; unanswered: the claim is held), the policy
 * refuses addresses that could add a header.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { emailMessage } from '../../../../shared/notify/channels/email/message';
import { MemoryDeliveryLedger } from '../../../../shared/notify/ledger';
import { Notifier } from '../../../../shared/notify/notifier';
import { parsePolicy } from '../../../../shared/policy/load';
import { finding, notification, recordingLogger } from '../fixtures';
import { HOSTILE, hostileFinding, onlyChannels } from './setup';

const ses = mockClient(SESv2Client);
/** Errors the next sends throw, in order. */
const faults: Error[] = [];
const sesError = (name: string, message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { name, ...extra });

function notifier(ledger = new MemoryDeliveryLedger()): Notifier {
  return new Notifier({
    policy: onlyChannels(['email']),
    ledger,
    logger: recordingLogger().logger,
    email: { client: new SESv2Client({ region: 'us-east-1' }) },
  });
}

describe('email channel', () => {
  beforeEach(() => {
    ses.reset();
    faults.length = 0;
    ses.on(SendEmailCommand).callsFake(() => {
      const e = faults.shift();
      if (e) throw e;
      return { MessageId: 'm-1' };
    });
  });

  it('sends HTML and text from the sender to the default or the team recipients', async () => {
    const r = await notifier().deliver([
      notification(finding()),
      notification(finding({ tags: { 'guardrail:team': 'payments' } })),
      notification(finding({ severity: 'low' })),
    ]);
    expect(r.map((x) => x.delivered)).toEqual([['email:default'], ['email:team:payments'], []]);
    const calls = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Destination?.ToAddresses)).toEqual([
      ['secops@example.com'],
      ['payments@example.com', 'oncall@example.com'],
    ]);
    expect(calls[0]).toMatchObject({
      FromEmailAddress: 'guardrail@example.com',
      Content: { Simple: { Subject: { Charset: 'UTF-8' }, Body: { Text: {}, Html: {} } } },
      EmailTags: [
        { Name: 'guardrail-kind', Value: 'opened' },
        { Name: 'guardrail-severity', Value: 'high' },
      ],
    });
  });

  it('escapes every text of the HTML part; the subject is one line; the only link is the console', () => {
    const m = emailMessage({
      ...notification(hostileFinding(), 'resolved'),
      resolvedReason: '<script>x</script>',
    });
    expect(m.html).not.toMatch(/<img|<script|<a href="javascript|<b>container/);
    expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect([...m.html.matchAll(/<a /g)]).toHaveLength(1);
    expect(m.html).toMatch(
      /<a href="https:\/\/us-east-1\.console\.aws\.amazon\.com\/[^"]*">Open in AWS console<\/a>/,
    );
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject.length).toBeLessThanOrEqual(200);
    expect(m.text).toContain(HOSTILE.name);
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(m.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    const opened = emailMessage(notification(hostileFinding()));
    expect(opened.html).toContain('&lt;a href=&quot;javascript:alert(1)&quot;&gt;fix&lt;/a&gt; &amp; &#39;');
  });

  it('throttling is retried later and an unanswered send holds its claim: one email in the end', async () => {
    let now = Date.parse('2026-11-22T09:00:00Z');
    const ledger = new MemoryDeliveryLedger(120_000, () => now);
    const n = new Notifier({
      policy: onlyChannels(['email']),
      ledger,
      logger: recordingLogger().logger,
      now: () => now,
      email: { client: new SESv2Client({ region: 'us-east-1' }) },
    });
    const item = notification(finding());
    faults.push(
      sesError('TooManyRequestsException', 'Maximum sending rate exceeded.', {
        $metadata: { httpStatusCode: 429 },
      }),
    );
    expect((await n.deliver([item]))[0]!.failures[0]).toMatchObject({
      error: 'TooManyRequestsException',
      retryable: true,
    });
    faults.push(sesError('TimeoutError', 'socket hang up'));
    expect((await n.deliver([item]))[0]!.failures[0]).toMatchObject({ unconfirmed: true });
    expect((await n.deliver([item]))[0]!.failures[0]).toMatchObject({ error: 'DeliveryInProgress' });
    now += 121_000;
    expect((await n.deliver([item]))[0]!.delivered).toEqual(['email:default']);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('a rejected sender (MessageRejected) is not retried', async () => {
    faults.push(
      sesError('MessageRejected', 'Email address is not verified: guardrail@example.com', {
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const [r] = await notifier().deliver([notification(finding())]);
    expect(r!.failures[0]).toMatchObject({
      error: 'ChannelDeliveryError',
      status: 400,
      retryable: false,
      message: 'SES refused the email (MessageRejected)',
    });
  });

  it('refuses addresses that could add a header or a recipient, and more than 50 recipients', () => {
    for (const bad of [
      'a@example.com\r\nBcc: x@evil.example',
      'a@example.com, b@example.com',
      'Name <a@example.com>',
    ])
      expect(() => parsePolicy(`notifications:\n  email:\n    from: ${JSON.stringify(bad)}\n`)).toThrow(
        /must be one email address/,
      );
    const many = Array.from({ length: 51 }, (_, i) => `u${i}@example.com`);
    expect(() => parsePolicy(`notifications:\n  email:\n    to: ${JSON.stringify(many)}\n`)).toThrow(
      /at most 50/,
    );
  });

  it('no sender: no email', async () => {
    const n = new Notifier({
      policy: parsePolicy('notifications:\n  email: { to: [a@example.com] }\n'),
      ledger: new MemoryDeliveryLedger(),
      logger: recordingLogger().logger,
      email: { client: new SESv2Client({ region: 'us-east-1' }) },
    });
    expect(n.targetsOf(notification(finding())).filter((t) => t.channel === 'email')).toEqual([]);
  });
});
