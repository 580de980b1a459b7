/**
 * The finding lifecycle through the pipeline (shared/lifecycle/lifecycle.ts wired in): a later event that
 * shows the fix resolves the finding with one "resolved" message; an open finding seen again is quiet
 * for the suppression period, then reminds once.
 */
import { describe, expect, it } from 'vitest';
import { findingIdOf } from '../../../shared/engine/finding-id';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { Pipeline } from '../../../shared/pipeline/pipeline';
import { parsePolicy } from '../../../shared/policy/load';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { loadEvent } from '../../helpers/pipeline-harness';
import { RecordingLogger, RecordingMetrics, RecordingOutbox } from './recorders';

function setup(clock: { now: Date }, policyYaml = 'notifications: { suppressionHours: 24 }\n') {
  const store = new MemoryFindingStore();
  const outbox = new RecordingOutbox();
  const pipeline = new Pipeline({
    policy: parsePolicy(policyYaml),
    store,
    counter: new MemoryWindowCounter(),
    outbox,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    now: () => clock.now,
  });
  return { pipeline, store, outbox };
}

/** The CreateService fixture (assignPublicIp ENABLED), as a new CloudTrail event at `time`. */
function serviceEvent(time: string, assignPublicIp: 'ENABLED' | 'DISABLED', id: string) {
  const e = loadEvent('cloudtrail-create-service-assign-public-ip');
  e.id = id;
  e.time = time;
  e.detail.eventID = id;
  e.detail.eventTime = time;
  e.detail.responseElements.service.networkConfiguration.awsvpcConfiguration.assignPublicIp = assignPublicIp;
  delete e.detail.responseElements.service.deployments;
  return e;
}

describe('pipeline lifecycle', () => {
  it('a later event showing the fix resolves the open finding and queues one resolved message', async () => {
    const clock = { now: new Date('2026-03-01T12:00:00Z') };
    const { pipeline, store, outbox } = setup(clock);
    const open = await pipeline.handle(serviceEvent('2026-03-01T12:00:00Z', 'ENABLED', 'e-open'));
    expect(open).toMatchObject({ new: 1, queued: 1, resolved: 0 });
    const serviceArn = outbox.sent[0]!.finding.resource.arn;
    const id = findingIdOf('svc-public-ip', serviceArn);

    const fix = await pipeline.handle(serviceEvent('2026-03-01T13:00:00Z', 'DISABLED', 'e-fix'));
    expect(fix).toMatchObject({ findings: 0, resolved: 1, queued: 1 });
    expect(await store.get(id)).toMatchObject({
      status: 'resolved',
      resolvedReason: 'compliant: event e-fix shows the fix',
    });
    expect(outbox.enqueued.map((e) => [e.meta.kind, e.finding.findingId])).toEqual([['resolved', id]]);

    // The fix event delivered again, and an OLDER event showing the old state, change nothing.
    expect(
      await pipeline.handle(serviceEvent('2026-03-01T13:00:00Z', 'DISABLED', 'e-fix-again')),
    ).toMatchObject({
      resolved: 0,
      queued: 0,
    });
    expect(await pipeline.handle(serviceEvent('2026-03-01T12:30:00Z', 'ENABLED', 'e-late'))).toMatchObject({
      new: 0,
      queued: 0,
    });
    expect((await store.get(id))?.status).toBe('resolved');
    expect(outbox.enqueued).toHaveLength(1);
  });

  it('an open finding seen again is quiet for the suppression period, then sends one reminder', async () => {
    const clock = { now: new Date('2026-03-01T12:00:00Z') };
    const { pipeline, outbox } = setup(clock);
    await pipeline.handle(serviceEvent('2026-03-01T12:00:00Z', 'ENABLED', 'e1'));
    clock.now = new Date('2026-03-02T11:00:00Z'); // 23 h later: suppressed, counted
    expect(await pipeline.handle(serviceEvent('2026-03-02T11:00:00Z', 'ENABLED', 'e2'))).toMatchObject({
      queued: 0,
    });
    clock.now = new Date('2026-03-02T12:30:00Z'); // past 24 h: one reminder
    expect(await pipeline.handle(serviceEvent('2026-03-02T12:30:00Z', 'ENABLED', 'e3'))).toMatchObject({
      queued: 1,
    });
    expect(outbox.enqueued.map((e) => [e.meta.kind, e.meta.count])).toEqual([['reminder', 3]]);
    clock.now = new Date('2026-03-02T13:00:00Z'); // the period starts again
    expect(await pipeline.handle(serviceEvent('2026-03-02T13:00:00Z', 'ENABLED', 'e4'))).toMatchObject({
      queued: 0,
    });
    expect(outbox.sent).toHaveLength(1);
  });

  it('reminders can be turned off', async () => {
    const clock = { now: new Date('2026-03-01T12:00:00Z') };
    const { pipeline, outbox } = setup(clock, 'notifications: { suppressionHours: 1, reminders: false }\n');
    await pipeline.handle(serviceEvent('2026-03-01T12:00:00Z', 'ENABLED', 'e1'));
    clock.now = new Date('2026-03-03T12:00:00Z');
    expect(await pipeline.handle(serviceEvent('2026-03-03T12:00:00Z', 'ENABLED', 'e2'))).toMatchObject({
      queued: 0,
    });
    expect(outbox.enqueued).toEqual([]);
  });
});
