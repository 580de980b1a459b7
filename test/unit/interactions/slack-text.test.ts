/**
 * Text built to break Slack in what the interactivity adds: the buttons' confirm dialog, the Exempt
 * modal (plain_text fields: one line, within Slack's limits, whatever the container or resource name),
 * the action ids a payload may carry; and the endpoint's environment (a secret where a parameter name
 * belongs is refused without echoing it).
 */
import { describe, expect, it } from 'vitest';
import { readSlackInteractionsConfig, ConfigError } from '../../../functions/edge/env';
import { exemptModal, readExemptSubmission } from '../../../shared/interactions/exempt-modal';
import { awaitsApproval, findingButtons, parseActionId } from '../../../shared/notify/channels/slack/buttons';
import { finding } from '../notify/fixtures';

const NOW = new Date('2026-12-08T02:00:00Z');
const HOSTILE = '<!channel>\n*x*\u202e`y` <https://evil|click>' + 'z'.repeat(300);

describe('buttons', () => {
  const f = finding({
    findingId: 'c'.repeat(32),
    mode: 'approve',
    action: { name: HOSTILE, status: 'planned', reason: 'awaiting approval: would have done it' },
  });

  it('Approve only while the action awaits approval; its confirm text keeps the action name inert', () => {
    const block = findingButtons(f, { exempt: false });
    const text = JSON.stringify(block);
    expect(text).toContain('guardrail:approve');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil|click>');
    expect(text).not.toContain('\\u202e');
    expect(text).not.toContain('guardrail:exempt');
    expect(awaitsApproval({ ...f, action: { name: 'x', status: 'done' } })).toBe(false);
    expect(awaitsApproval({ ...f, mode: 'remediate' })).toBe(false);
    expect(
      awaitsApproval({ ...f, action: { name: 'x', status: 'planned', reason: 'dry-run: would have' } }),
    ).toBe(false);
  });

  it.each([
    ['guardrail:approve', { action: 'approve' }],
    ['guardrail:snooze:1', { action: 'snooze', days: 1 }],
    ['guardrail:snooze:7', { action: 'snooze', days: 7 }],
    ['guardrail:snooze:0', undefined],
    ['guardrail:snooze', undefined],
    ['guardrail:approve:1', undefined],
    ['guardrail:delete', undefined],
    ['guardrail:approve\n', undefined],
    ['GUARDRAIL:approve', undefined],
  ])('action id %j -> %j', (id, press) => {
    expect(parseActionId(id)).toEqual(press);
  });
});

describe('Exempt modal', () => {
  const td = finding({
    findingId: 'd'.repeat(32),
    resource: {
      type: 'AWS::ECS::TaskDefinition',
      arn: 'arn:aws:ecs:us-east-1:1:task-definition/x:1',
      name: HOSTILE,
    },
    evidence: [
      { path: 'a', message: 'm', container: HOSTILE },
      { path: 'b', message: 'm', container: 'app' },
      { path: 'c', message: 'm', container: 'app' },
    ],
  });

  it('every plain_text is one line and within its limit; containers unique', () => {
    const view = exemptModal(td, { findingId: td.findingId }, NOW);
    const texts: { text: string }[] = [];
    JSON.stringify(view, (k, v: unknown) => {
      if (k === 'text' && typeof v === 'object' && v && (v as { type?: string }).type === 'plain_text')
        texts.push(v as { text: string });
      return v;
    });
    for (const t of texts) {
      // eslint-disable-next-line no-control-regex
      expect(t.text).not.toMatch(/[\n\r\u0000-\u001f]/);
      expect(t.text.length).toBeLessThanOrEqual(3000);
    }
    const select = JSON.stringify(view);
    expect(select.match(/"value":"app"/g)).toHaveLength(1);
    // Option texts at most 75 characters, option values at most 150 (Slack's limits).
    const options = (
      view.blocks as { element?: { options?: { text: { text: string }; value: string }[] } }[]
    ).flatMap((b) => b.element?.options ?? []);
    for (const o of options) {
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.value.length).toBeLessThanOrEqual(150);
    }
    expect((view.title as { text: string }).text.length).toBeLessThanOrEqual(24);
  });

  it('a submission with forged metadata (not a finding id, or a non-https response URL) is refused or trimmed', () => {
    const state = {
      values: {
        reason: { value: { value: 'reason ok' } },
        until: { value: { selected_date: '2026-12-20' } },
      },
    };
    const forged = readExemptSubmission(
      { callback_id: 'guardrail:exempt', private_metadata: JSON.stringify({ findingId: '../x' }), state },
      NOW,
    );
    expect(forged.ok).toBe(false);
    const http = readExemptSubmission(
      {
        callback_id: 'guardrail:exempt',
        private_metadata: JSON.stringify({
          findingId: 'd'.repeat(32),
          responseUrl: 'http://169.254.169.254/latest',
        }),
        state,
      },
      NOW,
    );
    expect(http).toMatchObject({ ok: true, metadata: { findingId: 'd'.repeat(32) } });
    expect((http as unknown as { metadata: Record<string, unknown> }).metadata.responseUrl).toBeUndefined();
    const notJson = readExemptSubmission(
      { callback_id: 'guardrail:exempt', private_metadata: '{', state },
      NOW,
    );
    expect(notJson.ok).toBe(false);
  });
});

describe('the endpoint environment', () => {
  const base = { GUARDRAIL_TABLE: 't', GUARDRAIL_SLACK_JOBS_QUEUE_URL: 'https://sqs/q' };

  it('reads the parameter name', () => {
    expect(
      readSlackInteractionsConfig({
        ...base,
        GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER: '/guardrail/slack/signing-secret',
      }),
    ).toMatchObject({
      signingSecretParameter: '/guardrail/slack/signing-secret',
      jobsQueueUrl: 'https://sqs/q',
    });
  });

  it.each([
    ['the signing secret itself', '8f742231b10e8888abcd99aaaaaa85a5'],
    ['a URL', 'https://example.com/x'],
    ['spaces', 'my secret'],
  ])('refuses %s without echoing it', (_n, value) => {
    let err: unknown;
    try {
      readSlackInteractionsConfig({ ...base, GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER');
    expect((err as Error).message).not.toContain(value);
  });

  it('a missing variable names it', () => {
    expect(() => readSlackInteractionsConfig(base)).toThrow(
      /GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER is not set/,
    );
  });
});
