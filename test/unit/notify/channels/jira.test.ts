/**
 * Jira Cloud against a loopback fake Jira (test/helpers/fake-http.ts `fakeJira`): one issue per finding,
 * whatever happens between (a create Jira performed but did not confirm, a lost issue-ref record, a
 * redelivered message); reminders comment; the resolution transitions then comments; ADF keeps hostile
 * text literal; the API token never leaks. Request shapes: Jira Cloud REST API v3 (create issue, search
 * by JQL, add comment, get/do transitions).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '../../../../shared/notify/ledger';
import { findingLabel, jiraIssueFields } from '../../../../shared/notify/channels/jira/message';
import {
  fakeJira,
  hang,
  serverError,
  startFakeHttp,
  tooManyRequests,
  type FakeHttp,
} from '../../../helpers/fake-http';
import { finding, notification } from '../fixtures';
import { channelNotifier, HOSTILE, hostileFinding, SECRET, secretValues } from './setup';

const JIRA = ['jira'];

/** Every text node of an ADF document, and every mark type used. */
function adf(doc: unknown): { texts: string[]; marks: string[]; types: string[] } {
  const out = { texts: [] as string[], marks: [] as string[], types: [] as string[] };
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    const o = n as { type?: string; text?: string; marks?: { type: string }[]; content?: unknown[] };
    if (o.type) out.types.push(o.type);
    if (typeof o.text === 'string') out.texts.push(o.text);
    for (const m of o.marks ?? []) out.marks.push(m.type);
    for (const c of o.content ?? []) walk(c);
  };
  walk(doc);
  return out;
}

describe('Jira channel', () => {
  let http: FakeHttp;
  beforeAll(async () => {
    http = await startFakeHttp();
  });
  afterAll(async () => http.close());
  beforeEach(() => http.reset());

  it('creates one issue, comments on reminders, transitions to Done and comments on resolution', async () => {
    const jira = fakeJira(http);
    const { notifier, refs } = channelNotifier(http, JIRA);
    const f = finding();
    expect((await notifier.deliver([notification(f)]))[0]!.delivered).toEqual(['jira:default']);
    await notifier.deliver([{ ...notification(f, 'reminder', 'r1'), count: 5 }]);
    await notifier.deliver([{ ...notification(f, 'resolved', 'z1'), resolvedReason: 'sweep: compliant' }]);
    expect([...jira.issues.keys()]).toEqual(['SEC-1']);
    const issue = jira.issues.get('SEC-1')!;
    expect(issue.fields).toMatchObject({
      project: { key: 'SEC' },
      issuetype: { name: 'Task' },
      labels: ['ecs-guardrail', findingLabel(f.findingId)],
    });
    expect(issue.fields.summary).toBe(`[ECS Guardrail] HIGH: ${f.title} (${f.resource.name})`);
    expect(issue.status).toBe('Done');
    expect(issue.comments.map((c) => adf(c).texts[0])).toEqual([
      `Still open: HIGH: ${f.title}`,
      `Resolved: ${f.title}`,
    ]);
    expect(await refs.get(f.findingId)).toEqual({ issueKey: 'SEC-1', createdBy: notification(f).dedupeId });
    const auth = http.requests[0]!.headers.authorization;
    expect(auth).toBe(`Basic ${Buffer.from(`bot@example.com:${SECRET.jiraToken}`).toString('base64')}`);
  });

  it('routes a team to its project', async () => {
    const jira = fakeJira(http, 'PAY');
    const { notifier } = channelNotifier(http, JIRA);
    const [r] = await notifier.deliver([notification(finding({ tags: { 'guardrail:team': 'payments' } }))]);
    expect(r!.delivered).toEqual(['jira:team:payments']);
    expect(jira.issues.get('PAY-1')!.fields.project).toEqual({ key: 'PAY' });
  });

  it('a create Jira performed but did not confirm is found by its label: never a second issue', async () => {
    let now = Date.parse('2026-11-22T09:00:00Z');
    const ledger = new MemoryDeliveryLedger(120_000, () => now);
    const jira = fakeJira(http);
    const { notifier, refs } = channelNotifier(http, JIRA, { now: () => now }, ledger);
    const f = finding();
    const n = notification(f);
    // Jira creates the issue, then answers after our timeout.
    http.route((r) => {
      if (r.method === 'POST' && r.path === '/rest/api/3/issue' && jira.issues.size === 0) {
        jira.issues.set('SEC-1', {
          fields: (r.json as { fields: Record<string, unknown> }).fields,
          status: 'To Do',
          comments: [],
        });
        return { status: 201, body: { key: 'SEC-1' }, delayMs: 2000 };
      }
      return undefined;
    });
    const [first] = await notifier.deliver([n]);
    expect(first!.failures[0]).toMatchObject({ unconfirmed: true });
    expect(await refs.get(f.findingId)).toBeUndefined();
    // The normal fake Jira again, holding the issue it created.
    const jira2 = fakeJira(http);
    jira2.issues.set('SEC-1', jira.issues.get('SEC-1')!);
    now += 121_000;
    const [again] = await notifier.deliver([n]);
    expect(again!.delivered).toEqual(['jira:default']);
    expect([...jira2.issues.keys()]).toEqual(['SEC-1']);
    expect(http.requests.filter((q) => q.method === 'POST' && q.path === '/rest/api/3/issue')).toHaveLength(
      1,
    );
    expect(await refs.get(f.findingId)).toEqual({ issueKey: 'SEC-1' });
  });

  it('429, 500 and no answer on create: nothing lost, one issue', async () => {
    let now = Date.parse('2026-11-22T09:00:00Z');
    const ledger = new MemoryDeliveryLedger(120_000, () => now);
    const jira = fakeJira(http);
    const { notifier } = channelNotifier(http, JIRA, { now: () => now }, ledger);
    const n = notification(finding());
    // refs miss -> search (answered) -> create (faulted)
    http.script({ status: 200, body: { issues: [] } }, tooManyRequests(90));
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({
      status: 429,
      retryAfterMs: 90_000,
    });
    http.script(
      { status: 200, body: { issues: [] } },
      serverError(),
      serverError(),
      serverError(),
      serverError(),
    );
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({ status: 500, retryable: true });
    http.script(hang);
    expect((await notifier.deliver([n]))[0]!.failures[0]).toMatchObject({ unconfirmed: true });
    now += 121_000;
    expect((await notifier.deliver([n]))[0]!.delivered).toEqual(['jira:default']);
    expect((await notifier.deliver([n]))[0]!.alreadyDelivered).toEqual(['jira:default']);
    expect(jira.issues.size).toBe(1);
  });

  it('a finding opened again after it resolved comments on its issue instead of creating another', async () => {
    const jira = fakeJira(http);
    const { notifier } = channelNotifier(http, JIRA);
    const f = finding();
    await notifier.deliver([notification(f, 'opened', 'k1')]);
    await notifier.deliver([notification(f, 'resolved', 'k2')]);
    await notifier.deliver([notification(f, 'opened', 'k3')]);
    expect(jira.issues.size).toBe(1);
    expect(adf(jira.issues.get('SEC-1')!.comments[1]).texts[0]).toMatch(/^Opened again: HIGH/);
  });

  it('a resolution without an issue does nothing; a rejected token (401) names no secret', async () => {
    fakeJira(http);
    const { notifier, log } = channelNotifier(http, JIRA);
    const [r] = await notifier.deliver([notification(finding(), 'resolved')]);
    expect(r!.delivered).toEqual(['jira:default']);
    expect(http.requests.map((q) => q.path)).toEqual(['/rest/api/3/search/jql']);
    http.reset();
    http.script({ status: 401, body: { message: `token ${SECRET.jiraToken} rejected` } });
    const [bad] = await notifier.deliver([notification(finding())]);
    expect(bad!.failures[0]).toMatchObject({ error: 'ChannelDeliveryError', status: 401, retryable: false });
    const text = JSON.stringify([bad, log.lines]);
    for (const s of secretValues(http)) expect(text).not.toContain(s);
  });

  it('keeps hostile text literal in ADF: text nodes only, our marks only, one line each', () => {
    const fields = jiraIssueFields(notification(hostileFinding()), {
      projectKey: 'SEC',
      issueType: 'Task',
      labels: [],
    });
    const d = adf(fields.description);
    expect(new Set(d.types)).toEqual(new Set(['doc', 'paragraph', 'text', 'bulletList', 'listItem']));
    expect(new Set(d.marks)).toEqual(new Set(['strong', 'link', 'em']));
    const all = d.texts.join('\n');
    expect(all).toContain('[~accountid:123] {noformat} !http://evil.example/i.png!');
    expect(all).toContain(HOSTILE.name);
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(d.texts.every((t) => !/[\n\r\u0000-\u001f\u202e]/.test(t))).toBe(true);
    expect(fields.summary).not.toMatch(/[\n\r]/);
    expect(String(fields.summary).length).toBeLessThanOrEqual(255);
  });

  it('answers of the wrong JSON types: a search hit that is no issue key creates; a create without a key fails clearly', async () => {
    const jira = fakeJira(http);
    const { notifier } = channelNotifier(http, JIRA);
    http.script({ status: 200, body: { issues: [{ key: { $ne: 1 } }] } });
    const [ok] = await notifier.deliver([notification(finding())]);
    expect(ok!.delivered).toEqual(['jira:default']);
    expect(jira.issues.size).toBe(1);
    http.script({ status: 200, body: { issues: 'none' } }, { status: 201, body: { key: ['SEC-9'] } });
    const [bad] = await notifier.deliver([notification(finding())]);
    expect(bad!.failures[0]).toMatchObject({
      error: 'ChannelDeliveryError',
      message: 'Jira created an issue but answered no issue key',
      retryable: false,
    });
  });
});
