/**
 * The worker of the Slack buttons (shared/interactions/worker.ts) with memory stores and a stub
 * Remediator: one action per approval whatever the presses, a retried job taking over its own claim, an
 * exemption made since the message stopping the approval, snooze on open findings only, exemption
 * records checked against the finding, every job audited, and text built to break Slack's mrkdwn made
 * inert in the updated message.
 */
import { describe, expect, it } from 'vitest';
import type { SlackJob } from '../../../shared/interactions/jobs';
import { runSlackJob, type SlackWorkerDeps } from '../../../shared/interactions/worker';
import type { NotificationOutbox } from '../../../shared/lifecycle/outbox';
import type { Finding } from '../../../shared/model/finding';
import { policyFromDocument } from '../../../shared/policy/document';
import type { RemediatorPort } from '../../../shared/pipeline/types';
import { MemoryAuditLog } from '../../../shared/store/audit';
import { MemoryExemptionRecords } from '../../../shared/store/exemption-records';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { MemorySlackInteractionStore } from '../../../shared/store/slack-interactions';
import { finding as baseFinding } from '../notify/fixtures';

const NOW = new Date('2026-12-08T02:00:00Z');
const ID = 'abcdefabcdefabcdefabcdefabcdefab';
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const HOSTILE = 'web<!channel> *bold* `x` <https://evil.example|click> @here\n> quote\u202e';

function approveFinding(over: Partial<Finding> = {}): Finding {
  return baseFinding({
    findingId: ID,
    ruleId: 'td-privileged',
    mode: 'approve',
    resource: { type: 'AWS::ECS::TaskDefinition', arn: ARN, name: HOSTILE },
    evidence: [{ path: 'containerDefinitions[0].privileged', message: 'privileged', container: 'app' }],
    action: {
      name: 'deregister-task-definition',
      status: 'planned',
      reason: 'awaiting approval: would have deregistered',
    },
    ...over,
  });
}

function job(over: Partial<SlackJob> = {}): SlackJob {
  return {
    requestId: 'a'.repeat(64),
    at: NOW.toISOString(),
    team: 'T0GUARD01',
    user: 'U0ALLOWED1',
    action: 'approve',
    findingId: ID,
    responseUrl: 'https://hooks.slack.com/actions/T/1/x',
    ...over,
  };
}

async function setup(
  opts: { f?: Finding; remediatorCalls?: Finding[]; policyYaml?: Record<string, unknown> } = {},
) {
  const store = new MemoryFindingStore();
  const f = opts.f ?? approveFinding();
  await store.record(f, '2026-12-08T01:00:00Z');
  await store.markNotified(f.findingId, '2026-12-08T01:00:01Z');
  const calls: Finding[] = opts.remediatorCalls ?? [];
  const remediator: RemediatorPort = {
    remediate: async (finding, context) => {
      calls.push(finding);
      // As the Remediator: an exempted finding is returned without an action.
      if (finding.exemption && !finding.exemption.expired) {
        const { action: _a, ...rest } = finding;
        return rest;
      }
      expect(context?.approval?.by).toMatch(/^slack:T0GUARD01\/U0ALLOWED[12]$/);
      return {
        ...finding,
        action: { name: 'deregister-task-definition', status: 'done', reason: `deregistered ${HOSTILE}` },
      };
    },
  };
  const answers: { url: string; body: Record<string, unknown> }[] = [];
  const queued: unknown[] = [];
  const outbox: NotificationOutbox = {
    enqueue: async (finding, meta) => {
      queued.push({ finding, meta });
    },
  } as NotificationOutbox;
  const deps: SlackWorkerDeps = {
    policy: policyFromDocument({ rules: { 'td-privileged': { mode: 'approve' } }, ...opts.policyYaml }),
    store,
    interactions: new MemorySlackInteractionStore(),
    exemptions: new MemoryExemptionRecords(),
    remediator: async () => remediator,
    outbox,
    audit: new MemoryAuditLog(),
    respond: async (url, body) => {
      answers.push({ url, body });
    },
    logger: { info: () => undefined, warn: () => undefined },
    now: () => NOW,
    newId: (() => {
      let n = 0;
      return () => `audit-${++n}`;
    })(),
  };
  return { deps, store, calls, answers, queued, audit: deps.audit as MemoryAuditLog };
}

describe('approve', () => {
  it('runs the Remediator once with the approval, resolves the finding, replaces the message with the outcome', async () => {
    const { deps, store, calls, answers, queued, audit } = await setup();
    const r = await runSlackJob(job(), deps);
    expect(r.status).toBe('done');
    expect(calls).toHaveLength(1);
    expect((await store.get(ID))?.status).toBe('resolved');
    expect(queued).toEqual([
      expect.objectContaining({ meta: expect.objectContaining({ kind: 'resolved' }) }),
    ]);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body.replace_original).toBe(true);
    const blocks = JSON.stringify(answers[0]!.body.blocks);
    expect(blocks).not.toContain('guardrail:approve');
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: 'slack:approve',
        status: 'done',
        performedBy: 'slack:T0GUARD01/U0ALLOWED1',
      }),
    ]);
  });

  it('ten presses from two people: one action; the others are told who approved, to them only', async () => {
    const { deps, calls, answers } = await setup();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        runSlackJob(
          job({ requestId: String(i).repeat(64).slice(0, 64), user: i % 2 ? 'U0ALLOWED1' : 'U0ALLOWED2' }),
          deps,
        ),
      ),
    );
    expect(calls).toHaveLength(1);
    expect(results.filter((r) => r.status === 'done')).toHaveLength(1);
    expect(results.filter((r) => r.reason.startsWith('already approved by slack:T0GUARD01/'))).toHaveLength(
      9,
    );
    expect(answers.filter((a) => a.body.response_type === 'ephemeral')).toHaveLength(9);
  });

  it('the same job retried after a crash between the claim and the outcome takes over its own claim', async () => {
    const { deps, calls } = await setup();
    await deps.interactions.claimApproval(
      ID,
      '2026-12-08T01:00:00.000Z',
      `slack:T0GUARD01/U0ALLOWED1#${'a'.repeat(64)}`,
      NOW.toISOString(),
    );
    const r = await runSlackJob(job(), deps);
    expect(r.status).toBe('done');
    expect(calls).toHaveLength(1);
  });

  it('an exemption made from Slack after the message: the approval does not act (exempted)', async () => {
    const { deps, calls } = await setup();
    await deps.exemptions.put({
      id: 'x1',
      rule: 'td-privileged',
      arn: ARN,
      until: '2026-12-31',
      reason: 'accepted',
      createdBy: 'slack:T0GUARD01/U0OTHER01',
      createdAt: NOW.toISOString(),
    });
    const r = await runSlackJob(job(), deps);
    expect(calls[0]!.exemption).toMatchObject({ expired: false });
    expect(r.reason).toMatch(/skipped: exempted/);
  });

  it('a rule no longer in approve mode (the policy changed): nothing happens, told and audited', async () => {
    const { deps, calls } = await setup({ policyYaml: { rules: { 'td-privileged': { mode: 'notify' } } } });
    const r = await runSlackJob(job(), deps);
    expect(r).toMatchObject({ status: 'skipped', onlyToUser: true });
    expect(calls).toHaveLength(0);
  });

  it('an unknown finding (never recorded, or expired): told, audited under account "unknown"', async () => {
    const { deps, audit } = await setup();
    const r = await runSlackJob(job({ findingId: 'f'.repeat(32) }), deps);
    expect(r.reason).toBe('finding not recorded');
    expect(audit.entries[0]).toMatchObject({ account: 'unknown', findingId: 'f'.repeat(32) });
  });

  it('a refused press is audited with the reason and answered to the presser only; nothing else happens', async () => {
    const { deps, calls, answers, audit } = await setup();
    await runSlackJob(
      job({ user: 'U0STRANGER', refused: 'user U0STRANGER is not allowed to approve' }),
      deps,
    );
    expect(calls).toHaveLength(0);
    expect(answers[0]!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(audit.entries[0]).toMatchObject({
      status: 'skipped',
      reason: 'refused: user U0STRANGER is not allowed to approve',
      performedBy: 'slack:T0GUARD01/U0STRANGER',
      account: '123456789012',
    });
  });

  it('response_url failing (expired, 404) does not fail the job: the work is done and audited', async () => {
    const { deps, calls, audit } = await setup();
    const failing: SlackWorkerDeps = {
      ...deps,
      respond: async () => {
        throw new Error('expired_url');
      },
    };
    await expect(runSlackJob(job(), failing)).resolves.toMatchObject({ status: 'done' });
    expect(calls).toHaveLength(1);
    expect(audit.entries).toHaveLength(1);
  });
});

describe('text built to break Slack', () => {
  it('the updated message and the outcome line keep hostile resource names and reasons inert', async () => {
    const { deps, answers } = await setup();
    await runSlackJob(job(), deps);
    const text = JSON.stringify(answers[0]!.body);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example|click>');
    // The whole name is one inline code span (Slack formats nothing inside one).
    expect(text).toContain(
      '`web&lt;!channel&gt; *bold* ˋxˋ &lt;https://evil.example|click&gt; @here ↵ &gt; quote\ufffd`',
    );
    expect(text).not.toContain('\u202e');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('an exemption reason with mrkdwn and mentions is shown inert', async () => {
    const { deps, answers } = await setup();
    await runSlackJob(
      job({ action: 'exempt', exemption: { reason: '<!here> *ship it* <@U0BOSS>', until: '2026-12-31' } }),
      deps,
    );
    const line = JSON.stringify(answers[0]!.body.blocks);
    expect(line).toContain('&lt;!here&gt;');
    expect(line).not.toContain('<!here>');
    expect(line).not.toContain('<@U0BOSS>');
  });
});

describe('snooze, exempt, acknowledge', () => {
  it('snooze 7 days sets snoozedUntil on the open finding', async () => {
    const { deps } = await setup();
    const r = await runSlackJob(job({ action: 'snooze', days: 7 }), deps);
    expect(r.reason).toBe('snoozed until 2026-12-15T02:00:00.000Z');
    expect((deps.interactions as MemorySlackInteractionStore).snoozes.get(ID)).toBe(
      '2026-12-15T02:00:00.000Z',
    );
  });

  it('snooze on a resolved finding: nothing to snooze', async () => {
    const { deps, store } = await setup();
    await store.resolve(ID, 'fixed', '2026-12-08T01:30:00Z');
    const r = await runSlackJob(job({ action: 'snooze', days: 1 }), deps);
    expect(r).toMatchObject({ status: 'skipped', reason: 'finding is not open' });
  });

  it('exempt writes a record for the finding resource, rule and container, with who and why', async () => {
    const { deps } = await setup();
    await runSlackJob(
      job({ action: 'exempt', exemption: { reason: 'SEC-1', until: '2026-12-31', container: 'app' } }),
      deps,
    );
    expect((deps.exemptions as MemoryExemptionRecords).records).toEqual([
      expect.objectContaining({
        rule: 'td-privileged',
        arn: ARN,
        container: 'app',
        until: '2026-12-31',
        reason: 'SEC-1',
        createdBy: 'slack:T0GUARD01/U0ALLOWED1',
        findingId: ID,
      }),
    ]);
  });

  it('exempt naming a container the finding does not have (a forged submission): refused, nothing written', async () => {
    const { deps } = await setup();
    const r = await runSlackJob(
      job({ action: 'exempt', exemption: { reason: 'SEC-1', until: '2026-12-31', container: 'sidecar' } }),
      deps,
    );
    expect(r.status).toBe('skipped');
    expect((deps.exemptions as MemoryExemptionRecords).records).toEqual([]);
  });

  it('acknowledge: audited and shown, buttons kept', async () => {
    const { deps, answers } = await setup();
    const r = await runSlackJob(job({ action: 'acknowledge' }), deps);
    expect(r.status).toBe('done');
    expect(JSON.stringify(answers[0]!.body.blocks)).toContain('guardrail:snooze:1');
  });
});

describe('an approval that changed nothing', () => {
  it('skipped (budget exhausted): Approve can be pressed again and then acts, once', async () => {
    let budget = 0;
    const { deps, calls } = await setup();
    const remediator: RemediatorPort = {
      remediate: async (f) => {
        calls.push(f);
        return budget++ === 0
          ? {
              ...f,
              action: { name: 'deregister-task-definition', status: 'skipped', reason: 'budget exhausted' },
            }
          : { ...f, action: { name: 'deregister-task-definition', status: 'done', reason: 'deregistered' } };
      },
    };
    const d = { ...deps, remediator: async () => remediator };
    expect((await runSlackJob(job({ requestId: '1'.repeat(64) }), d)).status).toBe('skipped');
    expect((await runSlackJob(job({ requestId: '2'.repeat(64) }), d)).status).toBe('done');
    expect((await runSlackJob(job({ requestId: '3'.repeat(64) }), d)).reason).toMatch(/^already approved/);
    expect(calls).toHaveLength(2);
  });
});
