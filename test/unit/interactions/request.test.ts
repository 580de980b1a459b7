/**
 * The interactivity endpoint's checks (shared/interactions/request.ts) with memory collaborators: Slack's
 * signature (the example secret of Slack's "Verifying requests" page), the replay guard, the payload,
 * the workspace and allow-lists, the Exempt modal. Every refusal is a 401/400 with nothing queued, or a
 * queued refusal (audited by the worker); no header value or secret is ever logged.
 */
import { describe, expect, it, vi } from 'vitest';
import { handleSlackRequest, type SlackRequestDeps } from '../../../shared/interactions/request';
import { MemorySlackJobQueue } from '../../../shared/interactions/jobs';
import { slackSignature, verifySlackSignature } from '../../../shared/notify/channels/slack/signature';
import type { SlackInteractivity } from '../../../shared/plugins/channels/slack';
import { MemorySlackInteractionStore } from '../../../shared/store/slack-interactions';
import {
  ALLOWED,
  blockActions,
  formBody,
  signedEvent,
  SIGNING_SECRET,
  STRANGER,
  TEAM,
} from '../../helpers/slack-requests';
import { finding } from '../notify/fixtures';

const FINDING_ID = '0123456789abcdef0123456789abcdef';
const INTERACTIVITY: SlackInteractivity = {
  enabled: true,
  workspaces: {
    [TEAM]: {
      approve: [ALLOWED],
      snooze: [ALLOWED, 'S0ONCALL01'],
      exempt: [ALLOWED],
      acknowledge: [ALLOWED],
    },
  },
};

function setup(over: Partial<SlackRequestDeps> = {}) {
  const queue = new MemorySlackJobQueue();
  const logs: { msg: string; attrs: unknown }[] = [];
  const views: { trigger: string; view: Record<string, unknown> }[] = [];
  const deps: SlackRequestDeps = {
    signingSecret: async () => SIGNING_SECRET,
    interactivity: INTERACTIVITY,
    replays: new MemorySlackInteractionStore(),
    queue,
    finding: async (id) =>
      id === FINDING_ID
        ? finding({
            findingId: FINDING_ID,
            resource: {
              type: 'AWS::ECS::TaskDefinition',
              arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
            },
            evidence: [
              { path: 'containerDefinitions[0].privileged', message: 'privileged', container: 'app' },
              { path: 'containerDefinitions[1].privileged', message: 'privileged', container: 'log_router' },
            ],
          })
        : undefined,
    openView: async (trigger, view) => {
      views.push({ trigger, view });
    },
    logger: {
      info: (msg, attrs) => logs.push({ msg, attrs }),
      warn: (msg, attrs) => logs.push({ msg, attrs }),
    },
    ...over,
  };
  const send = (event: ReturnType<typeof signedEvent>) =>
    handleSlackRequest(
      { headers: event.headers, body: event.body ?? '', isBase64Encoded: event.isBase64Encoded },
      deps,
    );
  return { deps, queue, logs, views, send };
}

const approve = (user = ALLOWED) =>
  blockActions({
    findingId: FINDING_ID,
    action: 'guardrail:approve',
    user,
    responseUrl: 'https://hooks.slack.com/actions/T/1/x',
  });

describe('Slack signature (v0 HMAC-SHA256)', () => {
  it("matches Slack's documented example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the worked example).
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(SIGNING_SECRET, '1531420618', body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
    expect(() =>
      verifySlackSignature(
        {
          'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
          'x-slack-request-timestamp': '1531420618',
        },
        body,
        SIGNING_SECRET,
        1531420618_000,
      ),
    ).not.toThrow();
  });

  it('valid: 200, the press queued with who and what', async () => {
    const { send, queue } = setup();
    const res = await send(signedEvent(approve()));
    expect(res.statusCode).toBe(200);
    expect(queue.jobs).toHaveLength(1);
    expect(queue.jobs[0]).toMatchObject({
      action: 'approve',
      team: TEAM,
      user: ALLOWED,
      findingId: FINDING_ID,
    });
    expect(queue.jobs[0]!.refused).toBeUndefined();
  });

  it('valid when Function URLs hand the body over base64-encoded', async () => {
    const { send, queue } = setup();
    expect((await send(signedEvent(approve(), { base64: true }))).statusCode).toBe(200);
    expect(queue.jobs).toHaveLength(1);
  });

  it.each([
    ['wrong secret', { secret: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, 'signature mismatch'],
    ['modified body', { tamper: (b: string) => b.replace('approve', 'acknowledge') }, 'signature mismatch'],
    ['one byte appended', { tamper: (b: string) => `${b}&x=1` }, 'signature mismatch'],
    [
      'stale timestamp (5 min + 1 s old)',
      { timestamp: Math.floor(Date.now() / 1000) - 301 },
      'stale timestamp',
    ],
    ['timestamp from the future', { timestamp: Math.floor(Date.now() / 1000) + 301 }, 'stale timestamp'],
    ['missing signature header', { omit: 'signature' as const }, 'missing signature header'],
    ['missing timestamp header', { omit: 'timestamp' as const }, 'missing timestamp header'],
  ])(
    '%s: 401, nothing queued, the check logged and no secret or header value',
    async (_name, opts, problem) => {
      const { send, queue, logs } = setup();
      const event = signedEvent(approve(), opts);
      const res = await send(event);
      expect(res.statusCode).toBe(401);
      expect(queue.jobs).toHaveLength(0);
      expect(logs).toEqual([{ msg: 'Slack request refused', attrs: { problem } }]);
      const logged = JSON.stringify(logs);
      expect(logged).not.toContain(SIGNING_SECRET);
      if (event.headers['x-slack-signature'])
        expect(logged).not.toContain(event.headers['x-slack-signature']);
    },
  );

  it.each([
    ['not hex', 'v0=zz'],
    ['v1 scheme', `v1=${'a'.repeat(64)}`],
    ['two signatures', `v0=${'a'.repeat(64)},v0=${'b'.repeat(64)}`],
    ['a huge header', `v0=${'a'.repeat(100_000)}`],
  ])('malformed signature (%s): 401', async (_n, signature) => {
    const { send } = setup();
    const event = signedEvent(approve());
    const res = await send({ ...event, headers: { ...event.headers, 'x-slack-signature': signature } });
    expect(res.statusCode).toBe(401);
  });

  it('headers in any case are read (X-Slack-Signature)', async () => {
    const { send } = setup();
    const event = signedEvent(approve());
    const headers = Object.fromEntries(
      Object.entries(event.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]),
    );
    expect((await send({ ...event, headers })).statusCode).toBe(200);
  });

  it('replayed request (the same signed request again, within the 5 minutes): 401 the second time', async () => {
    const { send, queue } = setup();
    const event = signedEvent(approve());
    expect((await send(event)).statusCode).toBe(200);
    expect((await send(event)).statusCode).toBe(401);
    expect(queue.jobs).toHaveLength(1);
  });

  it('the signing secret cannot be read: the error propagates (500 at the edge), nothing queued', async () => {
    const { send, queue } = setup({
      signingSecret: async () => {
        throw new Error('AccessDeniedException');
      },
    });
    await expect(send(signedEvent(approve()))).rejects.toThrow('AccessDeniedException');
    expect(queue.jobs).toHaveLength(0);
  });
});

describe('payload and who', () => {
  it.each([
    ['no payload field', 'foo=bar'],
    ['payload not JSON', 'payload=%7Bnot'],
    ['payload a JSON string', `payload=${encodeURIComponent('"block_actions"')}`],
    ['unknown type', formBody({ type: 'shortcut', team: { id: TEAM }, user: { id: ALLOWED } })],
    ['team id of the wrong type', formBody({ ...approve(), team: { id: 42 } })],
    ['no actions', formBody({ ...approve(), actions: [] })],
  ])('%s: 400 naming the path, nothing queued', async (_n, body) => {
    const { deps, queue, logs } = setup();
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await handleSlackRequest(
      {
        headers: {
          'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
          'x-slack-request-timestamp': ts,
        },
        body,
      },
      deps,
    );
    expect(res.statusCode).toBe(400);
    expect(queue.jobs).toHaveLength(0);
    expect(logs[0]?.msg).toBe('Slack payload refused');
    expect(JSON.stringify(logs)).not.toContain('42');
  });

  it('a user not on the allow-list: queued as refused (the worker audits it and tells the user)', async () => {
    const { send, queue } = setup();
    await send(signedEvent(approve(STRANGER)));
    expect(queue.jobs).toHaveLength(1);
    expect(queue.jobs[0]).toMatchObject({
      user: STRANGER,
      refused: `user ${STRANGER} is not allowed to approve`,
    });
  });

  it('a workspace not listed: refused, whatever the user', async () => {
    const { send, queue } = setup();
    await send(
      signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:approve', team: 'T0OTHER01' })),
    );
    expect(queue.jobs[0]!.refused).toBe('workspace T0OTHER01 is not allowed');
  });

  it('interactivity off in the policy: every press refused', async () => {
    const { send, queue } = setup({ interactivity: { ...INTERACTIVITY, enabled: false } });
    await send(signedEvent(approve()));
    expect(queue.jobs[0]!.refused).toMatch(/not enabled/);
  });

  it('a user group on the list lets its members in (usergroups.users.list), and only them', async () => {
    const members = async (g: string) => (g === 'S0ONCALL01' ? ['U0ONCALL01'] : []);
    const { send, queue } = setup({ groupMembers: members });
    await send(
      signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:snooze:1', user: 'U0ONCALL01' })),
    );
    await send(
      signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:approve', user: 'U0ONCALL01' })),
    );
    expect(queue.jobs.map((j) => [j.action, j.refused])).toEqual([
      ['snooze', undefined],
      ['approve', 'user U0ONCALL01 is not allowed to approve'],
    ]);
  });

  it('a group that cannot be read allows nobody (fail closed)', async () => {
    const { send, queue } = setup({
      groupMembers: async () => {
        throw new Error('ratelimited');
      },
    });
    await send(
      signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:snooze:1', user: 'U0ONCALL01' })),
    );
    expect(queue.jobs[0]!.refused).toMatch(/not allowed/);
  });

  it.each([
    ['another action id', 'other_app:approve', FINDING_ID],
    ['snooze for 30 days (not offered)', 'guardrail:snooze:30', FINDING_ID],
    ['a value that is not a finding id', 'guardrail:approve', '../../etc/passwd'],
  ])('%s: ignored with 200, nothing queued', async (_n, action, value) => {
    const { send, queue } = setup();
    expect((await send(signedEvent(blockActions({ findingId: value, action })))).statusCode).toBe(200);
    expect(queue.jobs).toHaveLength(0);
  });
});

describe('Exempt', () => {
  it('opens the modal with the finding containers, nothing queued yet', async () => {
    const { send, queue, views } = setup();
    await send(
      signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:exempt', triggerId: 'trig-1' })),
    );
    expect(queue.jobs).toHaveLength(0);
    expect(views).toHaveLength(1);
    expect(views[0]!.trigger).toBe('trig-1');
    const text = JSON.stringify(views[0]!.view);
    expect(text).toContain('"callback_id":"guardrail:exempt"');
    expect(text).toContain('log_router');
    expect(JSON.parse(views[0]!.view.private_metadata as string)).toEqual({ findingId: FINDING_ID });
  });

  it('without a bot token (no views.open): refused and told', async () => {
    const { send, queue } = setup({ openView: undefined });
    await send(signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:exempt' })));
    expect(queue.jobs[0]!.refused).toMatch(/bot token/);
  });

  const submission = (
    values: Record<string, unknown>,
    user = ALLOWED,
    metadata = { findingId: FINDING_ID },
  ) => ({
    type: 'view_submission',
    team: { id: TEAM },
    user: { id: user },
    view: { callback_id: 'guardrail:exempt', private_metadata: JSON.stringify(metadata), state: { values } },
  });
  const tomorrowPlus = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  it('a valid submission is queued with reason, expiry and container', async () => {
    const { send, queue } = setup();
    const res = await send(
      signedEvent(
        submission({
          reason: { value: { type: 'plain_text_input', value: '  SEC-123 accepted  ' } },
          until: { value: { type: 'datepicker', selected_date: tomorrowPlus(10) } },
          container: { value: { type: 'static_select', selected_option: { value: 'log_router' } } },
        }),
      ),
    );
    expect(res).toEqual({ statusCode: 200, body: '' });
    expect(queue.jobs[0]).toMatchObject({
      action: 'exempt',
      findingId: FINDING_ID,
      exemption: { reason: 'SEC-123 accepted', until: tomorrowPlus(10), container: 'log_router' },
    });
  });

  it.each([
    ['no reason', { until: { value: { selected_date: tomorrowPlus(3) } } }, 'reason'],
    [
      'a date in the past',
      { reason: { value: { value: 'ok reason' } }, until: { value: { selected_date: '2020-01-01' } } },
      'until',
    ],
    [
      'more than a year',
      { reason: { value: { value: 'ok reason' } }, until: { value: { selected_date: tomorrowPlus(400) } } },
      'until',
    ],
    [
      'not a real day',
      { reason: { value: { value: 'ok reason' } }, until: { value: { selected_date: '2027-02-30' } } },
      'until',
    ],
  ])('%s: the modal shows the error on its field, nothing queued', async (_n, values, field) => {
    const { send, queue } = setup();
    const res = await send(signedEvent(submission(values)));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toContain(field);
    expect(queue.jobs).toHaveLength(0);
  });

  it('a forged submission by someone not on the exempt list: queued as refused', async () => {
    const { send, queue } = setup();
    await send(
      signedEvent(
        submission(
          { reason: { value: { value: 'trust me' } }, until: { value: { selected_date: tomorrowPlus(3) } } },
          STRANGER,
        ),
      ),
    );
    expect(queue.jobs[0]!.refused).toMatch(/not allowed to exempt/);
  });
});

describe('huge and hanging', () => {
  it('a validly signed body over 256 KiB: 400 without parsing, nothing queued', async () => {
    const { deps, queue } = setup();
    const body = `payload=${'x'.repeat(300 * 1024)}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await handleSlackRequest(
      {
        headers: {
          'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
          'x-slack-request-timestamp': ts,
        },
        body,
      },
      deps,
    );
    expect(res.statusCode).toBe(400);
    expect(queue.jobs).toHaveLength(0);
  });

  it('the jobs queue hanging (SQS never answers): the send fails within Slack 3 s, never waits forever', async () => {
    const { createServer } = await import('node:http');
    const { SqsSlackJobQueue } = await import('../../../shared/interactions/jobs');
    const server = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      // The production client configuration (no client passed): only the endpoint points at the server.
      vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
      vi.stubEnv('AWS_REGION', 'us-east-1');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'a');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'b');
      const queue = new SqsSlackJobQueue(`http://127.0.0.1:${port}/123456789012/jobs`);
      const t0 = Date.now();
      await expect(
        queue.send({
          requestId: 'a'.repeat(64),
          at: new Date().toISOString(),
          team: TEAM,
          user: ALLOWED,
          action: 'acknowledge',
          findingId: FINDING_ID,
        }),
      ).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      vi.unstubAllEnvs();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('Exempt form refused by Slack', () => {
  it('views.open failing (expired trigger, revoked token): 200, the user is told through a queued refusal', async () => {
    const { send, queue, logs } = setup({
      openView: async () => {
        throw Object.assign(new Error('Slack views.open answered error expired_trigger_id'), {
          name: 'SlackDeliveryError',
        });
      },
    });
    const res = await send(signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:exempt' })));
    expect(res.statusCode).toBe(200);
    expect(queue.jobs[0]!.refused).toMatch(/could not open the Exempt form/);
    expect(logs.at(-1)).toEqual({
      msg: 'Slack refused to open the Exempt form',
      attrs: { errorType: 'SlackDeliveryError' },
    });
  });
});
