/**
 * Text built to break Slack: resource names, tags, reasons, evidence and event fields carrying mrkdwn
 * formatting, forged lines, mentions, links, bare URLs, control and bidi characters. Checked on the payload
 * as Slack would parse it: outside inline code spans only our own markup remains.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { consoleUrl } from '../../../shared/notify/console-url';
import { inert, slackMessage, type SlackPayload } from '../../../shared/notify/channels/slack/message';
import { finding } from './fixtures';

const FORGED = '*Action*: none needed, all clear';

function hostile(over: Partial<Finding> = {}): Finding {
  return finding({
    resource: {
      type: 'AWS::ECS::Service',
      arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
      name: `web\n${FORGED}`,
    },
    evidence: [
      {
        path: 'p',
        message:
          'container `x` <https://evil.example|click here> <@U123> <#C123> <!here> <!channel> https://evil.example/bare',
      },
      { path: 'q', message: '> quoted line\n_italic_ ~strike~ *bold*' },
    ],
    advice: '&gt; not a quote &amp;lt;!channel&amp;gt; <!subteam^S01|@team>',
    action: {
      name: 'disable-public-ip',
      status: 'failed',
      reason: `timeout\r\n${FORGED} <!channel>`,
    },
    event: {
      id: 'evt-\u001b[31mred\u0007\u202eevil\u2066',
      source: 'aws.ecs',
      detailType: 'AWS API Call via CloudTrail',
      time: '2026-11-22T08:00:00Z\u2028*Severity*: low',
      eventName: 'UpdateService',
      actor: { arn: 'arn:aws:sts::123456789012:assumed-role/x/*boss*', type: 'AssumedRole' },
    },
    controls: { securityHub: 'ECS.2 <https://evil.example>' },
    ...over,
  });
}

/** Every mrkdwn text object of a payload (blocks), plus the top-level text. */
function mrkdwnTexts(p: SlackPayload): { text: string; verbatim?: boolean }[] {
  const out: { text: string; verbatim?: boolean }[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string')
      out.push({ text: o.text, ...(typeof o.verbatim === 'boolean' ? { verbatim: o.verbatim } : {}) });
    Object.values(o).forEach(walk);
  };
  walk(p.blocks);
  return out;
}

/** What Slack formats: the text with every inline code span taken out. */
const outsideCode = (s: string): string => s.replace(/`[^`\n]*`/g, '');
/** Bold runs Slack would render outside code spans. */
const boldRuns = (s: string): string[] => outsideCode(s).match(/\*[^*\n]+\*/g) ?? [];

const OUR_BOLD = new Set([
  '*svc-public-ip*',
  '*Account*',
  '*Region*',
  '*Resource*',
  '*Actor*',
  '*Action*',
  '*Would have done*',
  '*Severity*',
  '*Advice:*',
]);

describe('Slack text neutralised', () => {
  const p = slackMessage(hostile());
  const texts = [...mrkdwnTexts(p).map((t) => t.text), p.text];

  it('asks Slack not to unfurl and not to auto-link: unfurl_* false, every mrkdwn object verbatim', () => {
    expect(p.unfurl_links).toBe(false);
    expect(p.unfurl_media).toBe(false);
    const objects = mrkdwnTexts(p);
    expect(objects.length).toBeGreaterThanOrEqual(9);
    for (const o of objects) expect(o.verbatim).toBe(true);
  });

  it('leaves no mention, link, entity trick or bare URL outside a code span', () => {
    for (const t of texts) {
      const out = outsideCode(t);
      expect(out, t).not.toMatch(/[<>@~_`]/);
      expect(out, t).not.toContain('://');
      expect(out, t).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(out, t).not.toContain('&lt;');
      // Inside code spans, the markup is escaped: Slack shows it, does not act on it.
      expect(t).not.toMatch(/<[!@#h]/);
    }
    expect(JSON.stringify(p)).toContain('&lt;!channel&gt; https://evil.example/bare`');
  });

  it('cannot forge an *Action*: line or any bold run: only our labels are bold', () => {
    for (const t of texts) for (const b of boldRuns(t)) expect(OUR_BOLD, `${b} in ${t}`).toContain(b);
    // The forged line is shown, as text in a code span on the resource's own line.
    const fields = mrkdwnTexts(p).map((t) => t.text);
    const resource = fields.find((t) => t.startsWith('*Resource*'))!;
    expect(resource).toBe(
      `*Resource*\n\`web ↵ ${FORGED}\` (arn:aws:ecs:us-east-1:123456789012:service/prod/web)`,
    );
    const action = fields.find((t) => t.startsWith('*Action*'))!;
    expect(action.split('\n')).toHaveLength(2);
  });

  it('starts no line with a quote and keeps every code span on one line without a backtick inside', () => {
    for (const t of texts)
      for (const line of t.split('\n')) {
        expect(line, t).not.toMatch(/^\s*(>|&gt;)/);
        expect((line.match(/`/g) ?? []).length % 2, line).toBe(0);
      }
    expect(JSON.stringify(p)).toContain('ˋxˋ');
  });

  it('takes out control and bidi characters, in plain_text too', () => {
    const all = JSON.stringify(p);
    // eslint-disable-next-line no-control-regex
    expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u202a-\u202e\u2066-\u2069]/);
    const header = slackMessage(hostile({ title: 'T\u001b]8;;https://x\u0007\u202eitle\nline' }))
      .blocks[0] as { text: { text: string; type: string } };
    expect(header.text.type).toBe('plain_text');
    // eslint-disable-next-line no-control-regex
    expect(header.text.text).not.toMatch(/[\u0000-\u001f\u202e]/);
  });

  it('escapes or validates account and region in the top-level text', () => {
    const bad = slackMessage(hostile({ account: '123 <!channel>', region: 'us-east-1.evil.com/*x*' }));
    expect(bad.text).toContain('in `123 &lt;!channel&gt;`/`us-east-1.evil.com/*x*`');
    expect(outsideCode(bad.text)).not.toMatch(/[<*]/);
    const good = slackMessage(finding());
    expect(good.text).toMatch(/ in 123456789012\/us-east-1$/);
  });

  it('builds no console button from an untrusted region', () => {
    for (const region of ['evil.com/#', 'us-east-1.evil.com', 'us-east-1/../x', 'US-EAST-1', ''])
      expect(
        slackMessage(finding({ region })).blocks.some((b) => b.type === 'actions'),
        region,
      ).toBe(false);
    expect(slackMessage(finding()).blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it('inert leaves harmless text alone', () => {
    expect(inert('service "checkout-api" assigns a public IP (assignPublicIp ENABLED)')).toBe(
      'service "checkout-api" assigns a public IP (assignPublicIp ENABLED)',
    );
    expect(inert('my_service')).toBe('`my_service`');
  });
});

describe('console URL host', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';

  it('is the AWS console of the partition for a valid region, never a host from the input', () => {
    for (const region of [
      'evil.com/#',
      'us-east-1.evil.com',
      'us-east-1.evil.com/#',
      'us-east-1@evil.com',
      'us-east-1:443',
      'us-east-1\n',
      'us-iso-east-1',
    ])
      expect(consoleUrl('AWS::ECS::Service', arn, region), region).toBeUndefined();
    expect(new URL(consoleUrl('AWS::ECS::Service', arn, 'us-east-1')!).host).toBe(
      'us-east-1.console.aws.amazon.com',
    );
    expect(
      new URL(
        consoleUrl('AWS::ECS::Service', 'arn:aws-us-gov:ecs:us-gov-west-1:1:service/c/s', 'us-gov-west-1')!,
      ).host,
    ).toBe('console.amazonaws-us-gov.com');
    expect(
      new URL(consoleUrl('AWS::ECS::Cluster', 'arn:aws-cn:ecs:cn-north-1:1:cluster/c', 'cn-north-1')!).host,
    ).toBe('console.amazonaws.cn');
  });

  it('refuses an ARN of another partition and keeps hostile ARN text in the path', () => {
    expect(consoleUrl('AWS::ECS::Service', 'arn:aws-cn:ecs:us-east-1:1:service/a/b', 'us-east-1')).toBe(
      undefined,
    );
    expect(consoleUrl('AWS::ECS::Service', 'not-an-arn', 'us-east-1')).toBeUndefined();
    const url = consoleUrl(
      'AWS::ECS::Service',
      'arn:aws:ecs:us-east-1:1:service/prod/web?x=1#@evil.com',
      'us-east-1',
    )!;
    const u = new URL(url);
    expect(u.host).toBe('us-east-1.console.aws.amazon.com');
    expect(u.hash).toBe('');
    expect(u.pathname).toBe('/ecs/v2/clusters/prod/services/web%3Fx%3D1%23%40evil.com/health');
  });
});
