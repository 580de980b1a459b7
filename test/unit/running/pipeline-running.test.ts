/**
 * The running inventory through the pipeline with in-memory stores (docs/running.md): a scan of a digest
 * that runs in two services opens one finding per service naming its tasks, resolves them when the tasks
 * stop; a digest known vulnerable fires when a task starts later; reordered and duplicated task events.
 */
import { describe, expect, it } from 'vitest';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { Pipeline } from '../../../shared/pipeline/pipeline';
import { imageFindingId, RunningImages } from '../../../shared/pipeline/running-images';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { MemoryImageScanStore, MemoryRunningInventory } from '../../../shared/store/memory-running-inventory';
import { RecordingLogger, RecordingOutbox } from '../pipeline/recorders';
import { ecrScanEvent, SCANNED_DIGEST, SCANNED_REPOSITORY, taskEvent } from '../../helpers/running-events';

const SERVICE = (name: string) => `arn:aws:ecs:us-east-1:123456789012:service/example-cluster/${name}`;
const TASK = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/example-cluster/${id}`;

function setup(policyYaml?: string) {
  const store = new MemoryFindingStore();
  const outbox = new RecordingOutbox();
  const inventory = new MemoryRunningInventory();
  const scans = new MemoryImageScanStore();
  const pipeline = new Pipeline({
    policy: policyYaml === undefined ? DEFAULT_POLICY : parsePolicy(policyYaml),
    store,
    counter: new MemoryWindowCounter(),
    outbox,
    logger: new RecordingLogger(),
    running: new RunningImages({ inventory, scans }),
  });
  const open = () =>
    [...store.records.values()].filter(
      (r) => r.status === 'open' && r.finding.ruleId === 'image-vulnerable-running',
    );
  return { pipeline, store, outbox, inventory, scans, open };
}

describe('image-vulnerable-running through the pipeline', () => {
  it("a scan of a digest running in two services opens exactly two findings naming each service's tasks, resolved when the tasks stop", async () => {
    const { pipeline, outbox, open, store } = setup();
    await pipeline.handle(taskEvent({ id: 'a1', service: 'web' }));
    await pipeline.handle(taskEvent({ id: 'a2', service: 'web' }));
    await pipeline.handle(taskEvent({ id: 'b1', service: 'api' }));
    expect(open()).toHaveLength(0);

    const summary = await pipeline.handle(ecrScanEvent({ time: '2025-05-06T12:00:00Z' }));
    expect(summary).toMatchObject({ kind: 'ecrImageScan', findings: 2, new: 2, queued: 2 });
    const findings = open().map((r) => r.finding);
    expect(findings.map((f) => f.resource.arn).sort()).toEqual([SERVICE('api'), SERVICE('web')]);
    const web = findings.find((f) => f.resource.arn === SERVICE('web'))!;
    const messages = web.evidence.map((e) => e.message).join('\n');
    expect(messages).toContain(TASK('a1'));
    expect(messages).toContain(TASK('a2'));
    expect(messages).not.toContain(TASK('b1'));
    expect(messages).toContain('10 critical');
    expect(messages).toContain('9 medium');
    expect(web).toMatchObject({ severity: 'critical', resource: { type: 'AWS::ECS::Service', name: 'web' } });
    expect(web.findingId).toBe(imageFindingId(SERVICE('web'), SCANNED_DIGEST));
    expect(outbox.sent).toHaveLength(2);

    // One of web's two tasks stops: still open (one task left), the evidence names only the other.
    await pipeline.handle(
      taskEvent({ id: 'a1', service: 'web', status: 'STOPPED', time: '2025-05-06T12:10:00Z' }),
    );
    expect(open()).toHaveLength(2);
    const still = store.records
      .get(web.findingId)!
      .finding.evidence.map((e) => e.message)
      .join('\n');
    expect(still).not.toContain(TASK('a1'));
    expect(still).toContain(TASK('a2'));

    const s2 = await pipeline.handle(
      taskEvent({ id: 'a2', service: 'web', status: 'STOPPED', time: '2025-05-06T12:11:00Z' }),
    );
    expect(s2).toMatchObject({ resolved: 1, inventory: 'removed' });
    await pipeline.handle(
      taskEvent({ id: 'b1', service: 'api', status: 'STOPPED', time: '2025-05-06T12:12:00Z' }),
    );
    expect(open()).toHaveLength(0);
    expect(outbox.enqueued.filter((m) => m.meta.kind === 'resolved')).toHaveLength(2);
  });

  it('a task that starts after its digest was reported vulnerable fires at start', async () => {
    const { pipeline, open } = setup();
    const scan = await pipeline.handle(ecrScanEvent({ time: '2025-05-06T10:00:00Z' }));
    expect(scan).toMatchObject({ findings: 0, new: 0 }); // nothing runs it yet
    const start = await pipeline.handle(taskEvent({ id: 'late', service: 'web' }));
    expect(start).toMatchObject({ new: 1, queued: 1, inventory: 'added' });
    expect(open().map((r) => r.finding.resource.arn)).toEqual([SERVICE('web')]);
  });

  it('the team the sweep recorded is kept by later events and routes the finding (guardrail:team tag)', async () => {
    const { pipeline, inventory, open } = setup();
    const { parseEvent } = await import('../../../shared/events/parse');
    const { runningTaskOf } = await import('../../../shared/events/running');
    const p = parseEvent(taskEvent({ id: 't-team', service: 'web', version: 2 }));
    if (p.kind !== 'task') throw new Error('kind');
    await inventory.apply({ ...runningTaskOf(p)!, team: 'payments' }); // as the sweep records it
    await pipeline.handle(taskEvent({ id: 't-team', service: 'web', version: 3 }));
    await pipeline.handle(ecrScanEvent());
    expect(open().map((r) => r.finding.tags)).toEqual([{ 'guardrail:team': 'payments' }]);
  });

  it('a standalone task is its own owner', async () => {
    const { pipeline, open } = setup();
    await pipeline.handle(taskEvent({ id: 'solo' }));
    await pipeline.handle(ecrScanEvent());
    expect(open().map((r) => r.finding.resource)).toEqual([{ type: 'AWS::ECS::Task', arn: TASK('solo') }]);
  });

  it('below the threshold nothing opens; the policy can lower it (minSeverity: medium)', async () => {
    const onlyMedium = ecrScanEvent({ counts: { MEDIUM: 3, LOW: 1 } });
    const strict = setup();
    await strict.pipeline.handle(taskEvent({ id: 'a1', service: 'web' }));
    await strict.pipeline.handle(onlyMedium);
    expect(strict.open()).toHaveLength(0);

    const lax = setup('rules:\n  image-vulnerable-running:\n    params: { minSeverity: medium }\n');
    await lax.pipeline.handle(taskEvent({ id: 'a1', service: 'web' }));
    await lax.pipeline.handle(onlyMedium);
    expect(lax.open().map((r) => r.finding.severity)).toEqual(['medium']);
  });

  it('a rescan that reports no critical vulnerability any more resolves the finding', async () => {
    const { pipeline, open } = setup();
    await pipeline.handle(taskEvent({ id: 'a1', service: 'web' }));
    await pipeline.handle(ecrScanEvent({ time: '2025-05-06T12:00:00Z' }));
    expect(open()).toHaveLength(1);
    const rescan = await pipeline.handle(
      ecrScanEvent({ counts: { LOW: 2 }, time: '2025-05-06T13:00:00Z', id: 'rescan' }),
    );
    expect(rescan).toMatchObject({ resolved: 1 });
    expect(open()).toHaveLength(0);
  });

  it('an older scan delivered after a newer one changes nothing', async () => {
    const { pipeline, open } = setup();
    await pipeline.handle(taskEvent({ id: 'a1', service: 'web' }));
    await pipeline.handle(ecrScanEvent({ counts: { LOW: 2 }, time: '2025-05-06T13:00:00Z', id: 'new' }));
    await pipeline.handle(ecrScanEvent({ time: '2025-05-06T12:00:00Z', id: 'old' }));
    expect(open()).toHaveLength(0);
  });

  it('a STOPPED delivered before its RUNNING leaves no ghost: the late RUNNING is stale', async () => {
    const { pipeline, inventory, open } = setup();
    await pipeline.handle(ecrScanEvent());
    const stop = await pipeline.handle(taskEvent({ id: 'r1', service: 'web', status: 'STOPPED' }));
    expect(stop).toMatchObject({ inventory: 'tombstoned' });
    const late = await pipeline.handle(taskEvent({ id: 'r1', service: 'web', status: 'RUNNING' }));
    expect(late).toMatchObject({ inventory: 'stale', new: 0 });
    expect(await inventory.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST)).toEqual([]);
    expect(open()).toHaveLength(0);
  });

  it('a RUNNING replayed from an archive long after (older than an entry lives) adds no ghost', async () => {
    const { pipeline, inventory } = setup();
    const replay = taskEvent({ id: 'old-1', service: 'web', time: '2025-01-01T00:00:00Z' });
    replay['replay-name'] = 'incident-replay';
    expect(await pipeline.handle(replay)).toMatchObject({ inventory: 'stale', new: 0 });
    expect(await inventory.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST)).toEqual([]);
  });

  it('the same RUNNING delivered twice (new envelope id, same version) is one task and one notification', async () => {
    const { pipeline, inventory, outbox } = setup();
    await pipeline.handle(ecrScanEvent());
    await pipeline.handle(taskEvent({ id: 'd1', service: 'web', eventId: 'first' }));
    const again = await pipeline.handle(taskEvent({ id: 'd1', service: 'web', eventId: 'second' }));
    expect(again).toMatchObject({ inventory: 'unchanged', new: 0, queued: 0 });
    expect(await inventory.tasksOf(SCANNED_REPOSITORY, SCANNED_DIGEST)).toHaveLength(1);
    expect(outbox.sent).toHaveLength(1);
  });

  it('Inspector: an ACTIVE critical finding opens on the service running the image; CLOSED resolves it', async () => {
    const { pipeline, open } = setup();
    const { runningFixture } = await import('../../helpers/running-events');
    const active = runningFixture('inspector2-finding-ecr-image');
    active.detail.severity = 'CRITICAL';
    active.time = new Date(Date.now() + 60_000).toISOString();
    const img = active.detail.resources[0].details.awsEcrContainerImage;
    await pipeline.handle(
      taskEvent({
        id: 'i1',
        service: 'sample',
        image: `${img.repositoryName}:latest`,
        digest: img.imageHash,
      }),
    );
    expect(await pipeline.handle(active)).toMatchObject({ kind: 'inspectorFinding', new: 1 });
    expect(open()[0]!.finding.evidence.map((e) => e.message)).toContain('CVE-2019-17498 (critical)');
    const closed = {
      ...active,
      id: 'closed-1',
      time: new Date(Date.now() + 120_000).toISOString(),
      detail: { ...active.detail, status: 'CLOSED' },
    };
    expect(await pipeline.handle(closed)).toMatchObject({ resolved: 1 });
    expect(open()).toHaveLength(0);
  });

  it('an Inspector finding (AWS example) is recorded; CLOSED removes its id, ACTIVE critical opens', async () => {
    const { pipeline, scans } = setup();
    const { runningFixture } = await import('../../helpers/running-events');
    const inspector = runningFixture('inspector2-finding-ecr-image');
    const digest = inspector.detail.resources[0].details.awsEcrContainerImage.imageHash as string;
    await pipeline.handle(inspector);
    expect(await scans.factsOf('amazon/amazon-ecs-sample', digest)).toMatchObject({
      counts: { MEDIUM: 1 },
      vulnerabilities: [{ id: 'CVE-2019-17498', severity: 'MEDIUM' }],
    });
    const closed = {
      ...inspector,
      id: 'closed',
      time: '2021-12-04T00:00:00Z',
      detail: { ...inspector.detail, status: 'CLOSED' },
    };
    await pipeline.handle(closed);
    expect(await scans.factsOf('amazon/amazon-ecs-sample', digest)).toBeUndefined();
  });
});
