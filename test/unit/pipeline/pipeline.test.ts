/**
 * The pipeline with in-memory parts (the CLI's store and counter, a recording outbox and logger): policy
 * modes, exemptions, aggregates, remediation (order, dry-run, lazy loading, write-back), errors and
 * logging. No AWS.
 */
import { describe, expect, it } from 'vitest';
import { lazy } from '../../../functions/edge/lazy';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { InvalidEventError } from '../../../shared/events/errors';
import type { Enricher } from '../../../shared/engine/enrich';
import { Pipeline, type PipelineDeps } from '../../../shared/pipeline/pipeline';
import type { RemediatorPort } from '../../../shared/pipeline/types';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { loadEvent } from '../../helpers/pipeline-harness';
import {
  MemoryFindingActions,
  RecordingLogger,
  RecordingMetrics,
  RecordingOutbox,
  ScriptedRemediator,
} from './recorders';

const lazyEnricher = (load: () => Promise<Enricher>): Enricher =>
  lazy(load, ['describeTaskDefinition', 'publicIps', 'describeService']);

function setup(policyYaml?: string, extra: Partial<PipelineDeps> = {}) {
  const store = new MemoryFindingStore();
  const outbox = new RecordingOutbox();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const pipeline = new Pipeline({
    policy: policyYaml === undefined ? DEFAULT_POLICY : parsePolicy(policyYaml),
    store,
    counter: new MemoryWindowCounter(),
    outbox,
    logger,
    metrics,
    ...extra,
  });
  return { pipeline, store, outbox, logger, metrics };
}

const publicIpService = () => loadEvent('cloudtrail-create-service-assign-public-ip');

describe('Pipeline', () => {
  it('notify: a new finding is recorded and queued once; a later sighting is recorded, not queued', async () => {
    const { pipeline, store, outbox, metrics } = setup();
    const first = await pipeline.handle(publicIpService());
    expect(first).toEqual({
      eventId: publicIpService().id,
      kind: 'cloudTrail',
      findings: 1,
      new: 1,
      queued: 1,
      exempted: 0,
      remediations: 0,
      resolved: 0,
    });
    const again = await pipeline.handle({ ...publicIpService(), id: 'another-delivery' });
    expect(again).toMatchObject({ findings: 1, new: 0, queued: 0 });

    expect(outbox.sent).toHaveLength(1);
    expect(outbox.sent[0]!.finding.ruleId).toBe('svc-public-ip');
    expect(outbox.sent[0]!.meta.dedupeKey).toBe(
      `cloudtrail|${publicIpService().account}|${publicIpService().detail.eventID}`,
    );
    const [rec] = [...store.records.values()];
    expect(rec).toMatchObject({ status: 'open', count: 2, lastNotifiedAt: expect.any(String) });
    expect(metrics.total('Findings', { rule: 'svc-public-ip', severity: 'high' })).toBe(2);
    expect(metrics.total('NewFindings')).toBe(1);
    expect(metrics.total('NotificationsQueued')).toBe(1);
  });

  it('observe mode: recorded, never queued', async () => {
    const { pipeline, store, outbox } = setup('rules:\n  svc-public-ip: { mode: observe }\n');
    expect(await pipeline.handle(publicIpService())).toMatchObject({ findings: 1, new: 1, queued: 0 });
    expect(outbox.sent).toHaveLength(0);
    expect(store.records.size).toBe(1);
  });

  it('remediate mode without a remediator: the default one says "remediation not enabled", once; the notification says so', async () => {
    const { pipeline, outbox, logger, metrics } = setup('rules:\n  svc-public-ip: { mode: remediate }\n');
    expect(await pipeline.handle(publicIpService())).toMatchObject({ queued: 1, remediations: 1 });
    expect(await pipeline.handle({ ...publicIpService(), id: 'dup' })).toMatchObject({
      queued: 0,
      remediations: 0,
    });
    expect(outbox.sent[0]!.finding.action).toEqual({
      name: 'disable-public-ip',
      status: 'skipped',
      reason: 'remediation not enabled',
    });
    expect(logger.find('remediation not enabled')?.attributes).toMatchObject({
      ruleId: 'svc-public-ip',
      action: 'disable-public-ip',
    });
    expect(metrics.total('Remediations', { action: 'disable-public-ip', status: 'skipped' })).toBe(1);
  });

  it('remediates BEFORE queueing: the notification carries the outcome, which is written back with the event key', async () => {
    const order: string[] = [];
    const remediator = new ScriptedRemediator((f) => {
      order.push('remediate');
      return { name: f.action!.name, status: 'done', reason: 'set assignPublicIp to DISABLED' };
    });
    const actions = new MemoryFindingActions();
    const { pipeline, outbox, metrics, logger } = setup('rules:\n  svc-public-ip: { mode: remediate }\n', {
      remediator,
      actions,
    });
    const send = outbox.send.bind(outbox);
    outbox.send = async (f, m) => {
      order.push('queue');
      return send(f, m);
    };
    expect(await pipeline.handle(publicIpService())).toMatchObject({
      queued: 2,
      remediations: 1,
      resolved: 1,
    });
    expect(order).toEqual(['remediate', 'queue']);
    // The verified fix resolves the finding: one "resolved" message follows the opened one.
    expect(outbox.enqueued.map((e) => [e.meta.kind, e.finding.ruleId])).toEqual([
      ['resolved', 'svc-public-ip'],
    ]);
    // The Remediator got the engine's finding (action planned), the outbox the outcome.
    expect(remediator.calls[0]!.action).toEqual({ name: 'disable-public-ip', status: 'planned' });
    // ... and the event's resources: the service with its cluster (never guessed from the ARN).
    expect(remediator.resources[0]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'Service',
          arn: remediator.calls[0]!.resource.arn,
          clusterArn: expect.any(String),
        }),
      ]),
    );
    expect(outbox.sent[0]!.finding.action).toEqual({
      name: 'disable-public-ip',
      status: 'done',
      reason: 'set assignPublicIp to DISABLED',
    });
    const saved = actions.saved.get(outbox.sent[0]!.finding.findingId);
    expect(saved).toMatchObject({
      key: `cloudtrail|${publicIpService().account}|${publicIpService().detail.eventID}`,
      action: { status: 'done' },
      finding: { ruleId: 'svc-public-ip', action: { status: 'done' } },
    });
    expect(metrics.total('Remediations', { action: 'disable-public-ip', status: 'done' })).toBe(1);
    expect(logger.find('remediation')?.attributes).toMatchObject({
      ruleId: 'svc-public-ip',
      action: { status: 'done' },
    });

    // A later sighting of the open finding: neither notified nor remediated again (same trigger).
    expect(await pipeline.handle({ ...publicIpService(), id: 'later' })).toMatchObject({
      queued: 0,
      remediations: 0,
    });
    expect(remediator.calls).toHaveLength(1);
  });

  it('dry-run: the Remediator is still called (it reports "would have"); the notification carries that', async () => {
    const remediator = new ScriptedRemediator((f) => ({
      name: f.action!.name,
      status: 'planned',
      reason: 'dry-run: would have set assignPublicIp to DISABLED',
    }));
    const { pipeline, outbox } = setup('dryRun: true\nrules:\n  svc-public-ip: { mode: remediate }\n', {
      remediator,
    });
    expect(await pipeline.handle(publicIpService())).toMatchObject({ queued: 1, remediations: 1 });
    expect(remediator.calls).toHaveLength(1);
    expect(remediator.calls[0]!.action?.reason).toMatch(/^dry-run: would /); // the engine's plan
    expect(outbox.sent[0]!.finding.action).toEqual({
      name: 'disable-public-ip',
      status: 'planned',
      reason: 'dry-run: would have set assignPublicIp to DISABLED',
    });
  });

  it('only remediate-mode findings are remediated (one of the many findings of a privileged task definition)', async () => {
    const remediator = new ScriptedRemediator((f) => ({ name: f.action!.name, status: 'done' }));
    const { pipeline, outbox } = setup('rules:\n  td-privileged: { mode: remediate }\n', { remediator });
    expect(await pipeline.handle(publicIpService())).toMatchObject({ queued: 1, remediations: 0 });
    const td = await pipeline.handle(loadEvent('cloudtrail-register-task-definition-privileged'));
    expect(td.findings).toBeGreaterThan(1);
    // Each finding queued once (observe-mode ones are recorded, never queued), plus the resolution of the
    // public-IP finding of the first event.
    const observed = DEFAULT_POLICY.rules['td-no-task-role']?.mode === 'observe' ? 1 : 0;
    expect(td).toMatchObject({ queued: td.findings - observed + 1, remediations: 1, resolved: 1 });
    expect(remediator.calls.map((f) => f.ruleId)).toEqual(['td-privileged']);
    const withAction = outbox.sent.filter((s) => s.finding.action !== undefined);
    expect(withAction.map((s) => [s.finding.ruleId, s.finding.action?.status])).toEqual([
      ['td-privileged', 'done'],
    ]);
  });

  it('a throwing remediator becomes a failed action; the event still succeeds and the failure is notified', async () => {
    const remediator: RemediatorPort = {
      remediate: () => Promise.reject(new Error('AccessDenied')),
    };
    const { pipeline, logger, outbox } = setup('rules:\n  svc-public-ip: { mode: remediate }\n', {
      remediator,
    });
    expect(await pipeline.handle(publicIpService())).toMatchObject({ queued: 1, remediations: 1 });
    expect(logger.find('remediation')).toMatchObject({
      level: 'warn',
      attributes: { action: { status: 'failed', reason: 'Error: AccessDenied' } },
    });
    expect(outbox.sent[0]!.finding.action).toMatchObject({ status: 'failed' });
  });

  it('the lazy remediator: not loaded until a finding needs it; a failed load is a failed action, retried later', async () => {
    let loads = 0;
    const lazyRemediator = lazy<RemediatorPort, 'remediate'>(async () => {
      loads++;
      if (loads === 1) throw Object.assign(new Error('cannot load'), { name: 'LoadError' });
      return new ScriptedRemediator((f) => ({ name: f.action!.name, status: 'done' }));
    }, ['remediate']);
    const { pipeline, outbox } = setup('rules:\n  td-privileged: { mode: remediate }\n', {
      remediator: lazyRemediator,
    });
    await pipeline.handle(publicIpService()); // notify mode: nothing to remediate
    expect(lazyRemediator.loaded).toBe(false);
    expect(loads).toBe(0);
    await pipeline.handle(loadEvent('cloudtrail-register-task-definition-privileged'));
    expect(loads).toBe(1);
    const first = outbox.sent.find((s) => s.finding.ruleId === 'td-privileged')!;
    expect(first.finding.action).toMatchObject({ status: 'failed', reason: 'LoadError: cannot load' });
    expect((await lazyRemediator.remediate(first.finding)).action).toMatchObject({ status: 'done' });
    expect(loads).toBe(2);
  });

  it('a failed write-back of the outcome is logged and counted; the notification still goes out', async () => {
    const actions = new MemoryFindingActions();
    actions.failWith = Object.assign(new Error('throttled'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const remediator = new ScriptedRemediator((f) => ({ name: f.action!.name, status: 'done' }));
    const { pipeline, outbox, logger, metrics } = setup('rules:\n  svc-public-ip: { mode: remediate }\n', {
      remediator,
      actions,
    });
    expect(await pipeline.handle(publicIpService())).toMatchObject({
      queued: 2,
      remediations: 1,
      resolved: 1,
    });
    expect(outbox.sent[0]!.finding.action).toMatchObject({ status: 'done' });
    expect(logger.find('could not write the remediation outcome')?.attributes).toMatchObject({
      errorType: 'ProvisionedThroughputExceededException',
    });
    expect(metrics.total('Errors', { errorType: 'RemediationWriteBack' })).toBe(1);
  });

  it('an exempted finding is neither recorded nor queued', async () => {
    const { pipeline, store, outbox } = setup(
      "exemptions:\n  - { rule: svc-public-ip, arn: 'arn:aws:ecs:*:service/prod-cluster/*', reason: SEC-1 }\n",
    );
    expect(await pipeline.handle(publicIpService())).toMatchObject({ findings: 0, exempted: 1, queued: 0 });
    expect(store.records.size).toBe(0);
    expect(outbox.sent).toHaveLength(0);
  });

  it('aggregates: only the event whose count reaches the threshold queues', async () => {
    const { pipeline, outbox, metrics } = setup(
      'rules:\n  throttle-api-calls:\n    params: { threshold: 3 }\n',
    );
    const base = loadEvent('cloudtrail-throttling-exception');
    const summaries = [];
    for (let i = 0; i < 5; i++) {
      summaries.push(
        await pipeline.handle({ ...base, id: `e${i}`, detail: { ...base.detail, eventID: `c${i}` } }),
      );
    }
    expect(summaries.map((s) => s.findings)).toEqual([0, 0, 1, 1, 1]);
    expect(summaries.map((s) => s.queued)).toEqual([0, 0, 1, 0, 0]);
    expect(outbox.sent[0]!.finding.aggregate).toMatchObject({ count: 3, crossed: true });
    expect(metrics.total('Throttles', { api: 'ecs:RegisterTaskDefinition' })).toBe(5);
  });

  it('invalid input: InvalidEventError re-thrown, logged with problem and path, never the body', async () => {
    const { pipeline, logger, metrics, outbox } = setup();
    const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const event = publicIpService();
    event.id = 'bad-1';
    event.account = `acct-${secret}`; // wrong format in an envelope field
    const err = await pipeline.handle(event).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidEventError);
    expect((err as InvalidEventError).path).toBe('account');

    const entry = logger.find('invalid event');
    expect(entry).toMatchObject({
      level: 'error',
      attributes: { errorType: 'InvalidEventError', path: 'account', eventId: 'bad-1' },
    });
    expect(JSON.stringify(logger.entries)).not.toContain(secret);
    expect(metrics.total('Errors', { errorType: 'InvalidEventError' })).toBe(1);
    expect(outbox.sent).toHaveLength(0);
    expect(logger.keys).toEqual({}); // correlation keys removed after the event

    await expect(pipeline.handle([1, 2])).rejects.toThrow(/not an event/);
    // an id that is not a plain short id is not even used for correlation
    await expect(pipeline.handle({ id: `x ${secret}` })).rejects.toBeInstanceOf(InvalidEventError);
    expect(JSON.stringify(logger.entries)).not.toContain(secret);
  });

  it('an outbox failure fails the event (to be retried) and is logged and counted', async () => {
    const { pipeline, outbox, logger, metrics } = setup();
    outbox.failWith = Object.assign(new Error('queue unavailable'), { name: 'QueueUnavailable' });
    await expect(pipeline.handle(publicIpService())).rejects.toThrow('queue unavailable');
    expect(logger.find('event processing failed')?.attributes).toMatchObject({
      errorType: 'QueueUnavailable',
    });
    expect(metrics.total('Errors', { errorType: 'QueueUnavailable' })).toBe(1);
  });

  it('logs carry the correlation keys while the event is processed, and drop them after', async () => {
    const { pipeline, logger } = setup();
    const event = loadEvent('ecs-container-instance-state-change-active');
    await pipeline.handle(event);
    const processed = logger.find('event processed');
    expect(processed?.attributes).toMatchObject({
      eventId: event.id,
      detailType: 'ECS Container Instance State Change',
      resourceArn: event.detail.containerInstanceArn,
      idempotencyKey: `instance|${event.detail.containerInstanceArn}|${event.detail.version}`,
    });
    expect(logger.keys).toEqual({});
  });

  it('enrichment through the lazy enricher: loaded on the first event that needs it, only once', async () => {
    let loads = 0;
    const calls: string[] = [];
    const fake: Enricher = {
      describeTaskDefinition: async (arn) => {
        calls.push(arn);
        return undefined;
      },
      publicIps: async () => ['203.0.113.10'],
      describeService: async () => undefined,
    };
    const enricher = lazyEnricher(async () => {
      loads++;
      return fake;
    });
    const { pipeline, outbox } = setup(undefined, { enricher });
    // A throttling event needs nothing: nothing is loaded.
    await pipeline.handle(loadEvent('ecs-service-action-operation-throttled'));
    expect(loads).toBe(0);
    // A running awsvpc task: its ENI's public IP is looked up -> task-public-ip.
    const running = await pipeline.handle(loadEvent('ecs-task-state-change-running-awsvpc'));
    await pipeline.handle(loadEvent('ecs-task-state-change-running-awsvpc'));
    expect(loads).toBe(1);
    expect(running).toMatchObject({ findings: 1, queued: 1 });
    expect(outbox.sent.map((s) => s.finding.ruleId)).toContain('task-public-ip');
  });

  it('the lazy enricher tries again after a failed load', async () => {
    let loads = 0;
    const enricher = lazyEnricher(async () => {
      loads++;
      if (loads === 1) throw new Error('cannot load');
      return {
        describeTaskDefinition: async () => undefined,
        publicIps: async () => [],
        describeService: async () => undefined,
      };
    });
    await expect(enricher.publicIps(['eni-1'], { account: '1', region: 'r' })).rejects.toThrow('cannot load');
    await expect(enricher.publicIps(['eni-1'], { account: '1', region: 'r' })).resolves.toEqual([]);
    expect(loads).toBe(2);
  });
});
