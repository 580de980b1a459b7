import { describe, expect, it } from 'vitest';
import { findingIdOf } from '../../../shared/engine/finding-id';
import { evaluate } from '../../../shared/engine/evaluate';
import { normalize, type NormalizedEvent } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import type { Finding } from '../../../shared/model/finding';
import type { Resource } from '../../../shared/model/resources';
import {
  decideNotification,
  notifyResolved,
  resolvableRuleIds,
  resolveAndNotify,
  resolvedBy,
} from '../../../shared/lifecycle/lifecycle';
import type { EnqueueMeta, NotificationOutbox } from '../../../shared/lifecycle/outbox';
import { dedupeIdOf } from '../../../shared/notify/outbox';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { RULES } from '../../../shared/rules/registry';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { loadFixture } from '../../helpers/fixtures';
import { finding } from '../notify/fixtures';

class RecordingOutbox implements NotificationOutbox {
  readonly sent: { finding: Finding; meta: EnqueueMeta }[] = [];
  fail = 0;
  async enqueue(f: Finding, meta: EnqueueMeta): Promise<void> {
    if (this.fail > 0) {
      this.fail--;
      throw new Error('SQS is down');
    }
    this.sent.push({ finding: f, meta });
  }
}

const T0 = '2026-11-22T08:00:00.000Z';
const hours = (h: number): string => new Date(Date.parse(T0) + h * 3_600_000).toISOString();

/** What a pipeline does per sighting: record, decide, queue, mark notified. */
async function sighting(
  store: MemoryFindingStore,
  outbox: RecordingOutbox,
  f: Finding,
  at: string,
  policy = DEFAULT_POLICY,
) {
  const outcome = await store.record(f, at);
  const d = decideNotification(outcome.record, outcome, at, policy);
  if (d.notify) {
    await outbox.enqueue(f, {
      kind: d.kind,
      dedupeKey: d.dedupeKey,
      firstSeen: outcome.record.firstSeen,
      count: outcome.record.count,
    });
    await store.markNotified(f.findingId, at);
  }
  return { outcome, decision: d };
}

describe('decideNotification', () => {
  it('notifies a new finding, suppresses it for 24 h while counting, then sends ONE reminder', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const f = finding();
    expect((await sighting(store, outbox, f, T0)).decision).toMatchObject({ notify: true, kind: 'opened' });
    for (const h of [1, 5, 23.9]) {
      const s = await sighting(store, outbox, f, hours(h));
      expect(s.decision).toMatchObject({ notify: false, reason: expect.stringMatching(/^suppressed until/) });
    }
    expect((await store.get(f.findingId))?.count).toBe(4);
    expect(outbox.sent.map((s) => s.meta.kind)).toEqual(['opened']);

    const reminder = await sighting(store, outbox, f, hours(24));
    expect(reminder.decision).toMatchObject({ notify: true, kind: 'reminder', dedupeKey: `reminder:${T0}` });
    expect(outbox.sent[1]!.meta).toMatchObject({ kind: 'reminder', firstSeen: T0, count: 5 });
    // The period starts again from the reminder.
    expect((await sighting(store, outbox, f, hours(30))).decision.notify).toBe(false);
    expect((await sighting(store, outbox, f, hours(48))).decision).toMatchObject({ kind: 'reminder' });
    expect(outbox.sent.map((s) => s.meta.kind)).toEqual(['opened', 'reminder', 'reminder']);
  });

  it('uses the policy suppression period, and sends no reminder when reminders are off', async () => {
    const p6 = parsePolicy('notifications:\n  suppressionHours: 6\n');
    const record = { ...(await new MemoryFindingStore().record(finding(), T0)).record, lastNotifiedAt: T0 };
    expect(decideNotification(record, { opened: false }, hours(5.9), p6).notify).toBe(false);
    expect(decideNotification(record, { opened: false }, hours(6), p6)).toMatchObject({ kind: 'reminder' });
    const off = parsePolicy('notifications:\n  reminders: false\n');
    expect(decideNotification(record, { opened: false }, hours(100), off)).toEqual({
      notify: false,
      reason: 'reminders are off',
    });
  });

  it('gives concurrent reminders of the same period the same dedupe key (the notifier delivers one)', async () => {
    const record = { ...(await new MemoryFindingStore().record(finding(), T0)).record, lastNotifiedAt: T0 };
    const a = decideNotification(record, { opened: false }, hours(25), DEFAULT_POLICY);
    const b = decideNotification(record, { opened: false }, hours(26), DEFAULT_POLICY);
    expect(a).toEqual(b);
  });

  it('never notifies a rule in observe or off mode, and notifies once when it becomes notify', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const observed = finding({ mode: 'observe' });
    expect((await sighting(store, outbox, observed, T0)).decision).toEqual({
      notify: false,
      reason: 'mode observe does not notify',
    });
    const now = await sighting(store, outbox, { ...observed, mode: 'notify' }, hours(1));
    expect(now.decision).toMatchObject({ notify: true, kind: 'opened', dedupeKey: `opened:${T0}` });
    expect((await sighting(store, outbox, { ...observed, mode: 'notify' }, hours(2))).decision.notify).toBe(
      false,
    );
  });

  it('follows the store claim: the claim owner notifies, others do not; a pending notification blocks', async () => {
    const record = (await new MemoryFindingStore().record(finding(), T0)).record;
    expect(decideNotification(record, { opened: true, notify: true }, T0, DEFAULT_POLICY)).toMatchObject({
      notify: true,
      kind: 'opened',
    });
    expect(decideNotification(record, { opened: true, notify: false }, T0, DEFAULT_POLICY).notify).toBe(
      false,
    );
    const pending = { ...record, pendingNotification: 'evt-key' };
    expect(decideNotification(pending, { opened: false, notify: false }, hours(30), DEFAULT_POLICY)).toEqual({
      notify: false,
      reason: 'a notification for this finding is already on its way',
    });
  });

  it('notifies an aggregate only when its window crosses the threshold, with a key per crossing', async () => {
    const agg = (count: number, crossed: boolean) =>
      finding({
        aggregate: { key: 'k', windowStart: T0, windowEnd: hours(1), count, crossed },
      });
    const store = new MemoryFindingStore();
    const r1 = (await store.record(agg(5, true), T0)).record;
    const d1 = decideNotification(r1, { opened: true }, T0, DEFAULT_POLICY);
    expect(d1).toMatchObject({ notify: true, kind: 'opened', dedupeKey: `crossed:${T0}:5` });
    const r2 = (await store.record(agg(6, false), T0)).record;
    expect(
      decideNotification({ ...r2, lastNotifiedAt: T0 }, { opened: false }, hours(30), DEFAULT_POLICY).notify,
    ).toBe(false);
    const r3 = (await store.record(agg(20, true), T0)).record;
    expect(decideNotification(r3, { opened: false }, T0, DEFAULT_POLICY)).toMatchObject({
      dedupeKey: `crossed:${T0}:20`,
    });
  });
});

describe('resolveAndNotify', () => {
  it('resolves an open, notified finding and queues ONE resolved message, whoever calls again', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const f = finding();
    await sighting(store, outbox, f, T0);
    await sighting(store, outbox, f, hours(1));
    const r = await resolveAndNotify(
      store,
      outbox,
      f.findingId,
      'compliant: event e2 shows the fix',
      hours(2),
    );
    expect(r).toMatchObject({ resolved: true, notified: true });
    expect((await store.get(f.findingId))?.status).toBe('resolved');
    const resolved = outbox.sent.filter((s) => s.meta.kind === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.meta).toEqual({
      kind: 'resolved',
      dedupeKey: `resolved:${hours(2)}`,
      firstSeen: T0,
      count: 2,
      resolvedReason: 'compliant: event e2 shows the fix',
    });
    // A later event, a sweep, a remediation: nothing more.
    expect(await resolveAndNotify(store, outbox, f.findingId, 'sweep: compliant', hours(3))).toMatchObject({
      resolved: false,
      notified: false,
    });
    expect(outbox.sent.filter((s) => s.meta.kind === 'resolved')).toHaveLength(1);
  });

  it('re-queues with the same dedupe key when a retry finds its own resolution (queueing had failed)', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const f = finding();
    await sighting(store, outbox, f, T0);
    outbox.fail = 1;
    await expect(
      resolveAndNotify(store, outbox, f.findingId, 'remediation succeeded', hours(1)),
    ).rejects.toThrow('SQS is down');
    expect((await store.get(f.findingId))?.status).toBe('resolved');
    const retry = await resolveAndNotify(store, outbox, f.findingId, 'remediation succeeded', hours(1));
    expect(retry).toMatchObject({ resolved: true, notified: true });
    const twice = await resolveAndNotify(store, outbox, f.findingId, 'remediation succeeded', hours(1));
    // Both queued messages carry the same dedupe key: the notifier delivers it once per channel.
    expect(outbox.sent.filter((s) => s.meta.kind === 'resolved').map((s) => s.meta.dedupeKey)).toEqual([
      `resolved:${hours(1)}`,
      `resolved:${hours(1)}`,
    ]);
    expect(twice.notified).toBe(true);
    expect(dedupeIdOf(f.findingId, 'resolved', `resolved:${hours(1)}`)).toHaveLength(40);
  });

  it('does not resolve on a fix event older than the last sighting (events out of order)', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const f = finding();
    await sighting(store, outbox, f, T0);
    await sighting(store, outbox, f, hours(3));
    expect(await resolveAndNotify(store, outbox, f.findingId, 'compliant: event e1', hours(2))).toMatchObject(
      {
        resolved: false,
        notified: false,
      },
    );
    expect((await store.get(f.findingId))?.status).toBe('open');
  });

  it('resolves without a message when the finding was never notified, and ignores unknown ids', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const f = finding({ mode: 'observe' });
    await sighting(store, outbox, f, T0);
    expect(await resolveAndNotify(store, outbox, f.findingId, 'fixed', hours(1))).toMatchObject({
      resolved: true,
      notified: false,
    });
    expect(await resolveAndNotify(store, outbox, 'nope', 'fixed', hours(1))).toEqual({
      resolved: false,
      notified: false,
    });
    expect(outbox.sent).toEqual([]);
  });

  it('notifyResolved (for the sweep, which resolves itself) queues only for resolved, notified records', async () => {
    const store = new MemoryFindingStore();
    const outbox = new RecordingOutbox();
    const f = finding();
    await sighting(store, outbox, f, T0);
    expect(await notifyResolved(outbox, (await store.get(f.findingId))!)).toBe(false);
    const r = await store.resolve(f.findingId, 'sweep: the resource is now compliant', hours(5));
    expect(await notifyResolved(outbox, r!)).toBe(true);
    expect(outbox.sent.at(-1)!.meta.kind).toBe('resolved');
  });
});

describe('resolvedBy: a later event shows the fix', () => {
  const fixture = (name: string): Record<string, any> => loadFixture<Record<string, any>>(name);
  const run = (raw: unknown, policy = DEFAULT_POLICY): { n: NormalizedEvent; findings: Finding[] } => {
    const n = normalize(parseEvent(raw));
    return { n, findings: evaluate(n, { policy, now: new Date(T0) }).findings };
  };
  const SERVICE = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

  it('an UpdateService that disables the public IP resolves the svc-public-ip finding', () => {
    const opened = run(fixture('cloudtrail-update-service-assign-public-ip.json'));
    expect(opened.findings.map((f) => f.findingId)).toContain(findingIdOf('svc-public-ip', SERVICE));
    expect(resolvedBy(opened.n, opened.findings, DEFAULT_POLICY)).not.toContain(
      findingIdOf('svc-public-ip', SERVICE),
    );

    const fixed = fixture('cloudtrail-update-service-assign-public-ip.json');
    fixed.detail.requestParameters.networkConfiguration.awsvpcConfiguration.assignPublicIp = 'DISABLED';
    fixed.detail.responseElements.service.networkConfiguration.awsvpcConfiguration.assignPublicIp =
      'DISABLED';
    const later = run(fixed);
    expect(later.findings.map((f) => f.ruleId)).not.toContain('svc-public-ip');
    const ids = resolvedBy(later.n, later.findings, DEFAULT_POLICY);
    expect(ids).toContain(findingIdOf('svc-public-ip', SERVICE));
    // Exec is shown (false) too, so that finding would resolve as well; the platform is LATEST.
    expect(ids).toContain(findingIdOf('svc-exec-enabled', SERVICE));
    expect(ids).toContain(findingIdOf('svc-fargate-platform-outdated', SERVICE));
  });

  it('an event that does not show the network configuration resolves nothing about it', () => {
    const partial = fixture('cloudtrail-update-service-assign-public-ip.json');
    delete partial.detail.requestParameters.networkConfiguration;
    delete partial.detail.responseElements.service.networkConfiguration;
    for (const d of partial.detail.responseElements.service.deployments ?? []) delete d.networkConfiguration;
    const later = run(partial);
    const service = later.n.resources.find((r) => r.kind === 'Service') as Extract<
      Resource,
      { kind: 'Service' }
    >;
    expect(service.network).toBeUndefined();
    expect(resolvedBy(later.n, later.findings, DEFAULT_POLICY)).not.toContain(
      findingIdOf('svc-public-ip', SERVICE),
    );
  });

  it('a rule the policy turns off resolves nothing; a finding the event still produces is not resolved', () => {
    const fixed = fixture('cloudtrail-update-service-assign-public-ip.json');
    fixed.detail.responseElements.service.networkConfiguration.awsvpcConfiguration.assignPublicIp =
      'DISABLED';
    fixed.detail.requestParameters.networkConfiguration.awsvpcConfiguration.assignPublicIp = 'DISABLED';
    const off = parsePolicy('rules:\n  svc-public-ip:\n    mode: off\n');
    const later = run(fixed, off);
    expect(resolvedBy(later.n, later.findings, off)).not.toContain(findingIdOf('svc-public-ip', SERVICE));
    const still = run(fixture('cloudtrail-update-service-desired-count-only.json'));
    expect(resolvedBy(still.n, still.findings, DEFAULT_POLICY)).not.toContain(
      findingIdOf('svc-public-ip', SERVICE),
    );
  });

  it('a compliant task definition revision resolves every task-definition rule for that revision', () => {
    const { n, findings } = run(fixture('cloudtrail-register-task-definition-compliant-fargate.json'));
    const td = n.resources.find((r) => r.kind === 'TaskDefinition')!;
    const ids = resolvedBy(n, findings, DEFAULT_POLICY);
    const tdRules = RULES.filter((r) => r.family === 'resource' && r.appliesTo === 'TaskDefinition');
    // Off by default: resolves nothing. Read through enrichment (IAM): the event alone does not show it.
    const off = new Set(tdRules.filter((r) => DEFAULT_POLICY.rules[r.id]?.mode === 'off').map((r) => r.id));
    const enrichedOnly = new Set(['td-task-role-wildcard']);
    for (const r of tdRules) {
      if (findings.some((f) => f.ruleId === r.id)) continue;
      if (off.has(r.id) || enrichedOnly.has(r.id)) expect(ids).not.toContain(findingIdOf(r.id, td.arn));
      else expect(ids).toContain(findingIdOf(r.id, td.arn));
    }
    for (const f of findings) expect(ids).not.toContain(f.findingId);
  });

  it('a stopping task resolves its task findings; a running task without the launch request does not', () => {
    const stopped = run(fixture('ecs-task-state-change-stopped-essential-container-exited.json'));
    const task = stopped.n.resources.find((r) => r.kind === 'Task')!;
    expect(task).toMatchObject({ lastStatus: 'DEPROVISIONING' });
    expect(resolvedBy(stopped.n, stopped.findings, DEFAULT_POLICY)).toEqual(
      expect.arrayContaining([
        findingIdOf('task-public-ip', task.arn),
        findingIdOf('task-exec-enabled', task.arn),
      ]),
    );
    const running = run(fixture('ecs-task-state-change-running-awsvpc.json'));
    const t = running.n.resources.find((r) => r.kind === 'Task')!;
    expect(resolvedBy(running.n, running.findings, DEFAULT_POLICY)).not.toContain(
      findingIdOf('task-public-ip', t.arn),
    );
  });

  it('knows, for every resource rule of the registry, what an event must show to resolve it', () => {
    const resourceRules = RULES.filter((r) => r.family === 'resource').map((r) => r.id);
    expect(resolvableRuleIds().sort()).toEqual(resourceRules.sort());
  });
});
