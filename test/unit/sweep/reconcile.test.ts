import { describe, expect, it } from 'vitest';
import { findingIdOf } from '../../../shared/engine/finding-id';
import type { Finding } from '../../../shared/model/finding';
import type { Resource } from '../../../shared/model/resources';
import { DEFAULT_POLICY, policyFromDocument } from '../../../shared/policy/load';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { evaluateSweep, reconcile } from '../../../shared/sweep/reconcile';
import type { SweepResult } from '../../../shared/sweep/types';

const A = '111122223333';
const R = 'eu-west-1';
const arn = (rest: string) => `arn:aws:ecs:${R}:${A}:${rest}`;
const T0 = '2026-05-01T00:00:00.000Z';

const publicSvc: Resource = {
  kind: 'Service',
  arn: arn('service/prod/api'),
  account: A,
  region: R,
  name: 'api',
  clusterArn: arn('cluster/prod'),
  network: { assignPublicIp: 'ENABLED' },
};
const fixedCluster: Resource = {
  kind: 'Cluster',
  arn: arn('cluster/prod'),
  account: A,
  region: R,
  name: 'prod',
  settings: { containerInsights: 'enabled' },
};
const exemptTd: Resource = {
  kind: 'TaskDefinition',
  arn: arn('task-definition/agent:3'),
  account: A,
  region: R,
  family: 'agent',
  revision: 3,
  // Fargate with awsvpc: the v2 rules for instances (memory limit, task role, network mode) do not apply.
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  tags: { 'guardrail:exempt': 'td-privileged;reason=SEC-1' },
  containers: [
    {
      name: 'agent',
      image: `${A}.dkr.ecr.${R}.amazonaws.com/agent:1`,
      privileged: true,
      user: '1000',
      readonlyRootFilesystem: true,
      capabilitiesAdd: [],
      environment: [],
      logDriver: 'awslogs',
    },
  ],
  volumes: [],
};

function sweep(resources: Resource[], complete = true, startedAt = '2026-05-02T00:00:00.000Z'): SweepResult {
  return {
    account: A,
    region: R,
    startedAt,
    finishedAt: '2026-05-02T00:00:05.000Z',
    durationMs: 5000,
    complete,
    gaps: complete
      ? []
      : [
          {
            operation: 'ListTasks',
            kind: 'throttled',
            code: 'ThrottlingException',
            message: 'Rate exceeded',
            missed: 'running tasks of cluster prod',
          },
        ],
    resources,
    counts: { clusters: 1, services: 1, taskSets: 0, tasks: 0, containerInstances: 0, taskDefinitions: 1 },
    taskDefinitions: { total: 1, fromCache: 0, described: 1, tagsRefreshed: 0 },
    warnings: [],
  };
}

function prior(ruleId: string, resourceArn: string, type = 'AWS::ECS::Service'): Finding {
  return {
    findingId: findingIdOf(ruleId, resourceArn),
    ruleId,
    severity: 'high',
    title: ruleId,
    resource: { type, arn: resourceArn },
    account: A,
    region: R,
    evidence: [],
    event: { id: 'evt', source: 'aws.ecs', detailType: 'x', time: T0 },
    controls: {},
    mode: 'notify',
  };
}

async function seededStore(): Promise<MemoryFindingStore> {
  const store = new MemoryFindingStore();
  for (const f of [
    prior('cluster-container-insights-disabled', fixedCluster.arn, 'AWS::ECS::Cluster'),
    prior('td-privileged', exemptTd.arn, 'AWS::ECS::TaskDefinition'),
    prior('svc-public-ip', arn('service/prod/deleted')),
    prior('td-root-user', arn('task-definition/old:1'), 'AWS::ECS::TaskDefinition'),
    prior('throttle-ecs-operation', arn('service/prod/api')),
    prior('svc-public-ip', `arn:aws:ecs:us-east-1:${A}:service/prod/api`),
  ])
    await store.record(f.resource.arn.includes(':us-east-1:') ? { ...f, region: 'us-east-1' } : f, T0);
  return store;
}

describe('evaluateSweep', () => {
  it('runs the engine over every swept resource and separates exempted findings', () => {
    const e = evaluateSweep(sweep([publicSvc, fixedCluster, exemptTd]), DEFAULT_POLICY, new Date(T0));
    expect(e.findings.map((f) => f.ruleId)).toEqual(['svc-public-ip']);
    expect(e.suppressed.map((f) => f.ruleId)).toEqual(['td-privileged']);
    expect(e.event).toMatchObject({ source: 'guardrail.sweep', time: '2026-05-02T00:00:00.000Z' });
    expect(e.evaluatedRules.has('td-root-user')).toBe(true);
    expect(e.evaluatedRules.has('throttle-ecs-operation')).toBe(false);
  });
});

describe('reconcile', () => {
  it('after a complete sweep resolves compliant, gone and exempted findings, and only those', async () => {
    const store = await seededStore();
    const policy = policyFromDocument({ rules: { 'td-root-user': { mode: 'off' } } });
    const result = sweep([publicSvc, fixedCluster, exemptTd]);
    const out = await reconcile(store, result, evaluateSweep(result, policy, new Date(T0)));
    expect(out.reconciled).toBe(true);
    expect(out.recorded).toBe(1);
    expect(out.opened.map((f) => f.ruleId)).toEqual(['svc-public-ip']);
    expect(out.resolved.map((r) => [r.kind, r.record.finding.ruleId]).sort()).toEqual([
      ['compliant', 'cluster-container-insights-disabled'],
      ['exempted', 'td-privileged'],
      ['gone', 'svc-public-ip'],
    ]);
    for (const r of out.resolved) expect(r.record.resolvedAt).toBe(result.startedAt);
    // A rule the policy turns off, a signal finding and another region's finding are not the sweep's to resolve.
    const open = [];
    for await (const r of store.listOpen({ account: A, region: R })) open.push(r.finding.ruleId);
    expect(open.sort()).toEqual(['svc-public-ip', 'td-root-user', 'throttle-ecs-operation']);
    expect(
      (await store.get(findingIdOf('svc-public-ip', `arn:aws:ecs:us-east-1:${A}:service/prod/api`)))?.status,
    ).toBe('open');
  });

  it('never resolves a finding an event saw after the sweep started', async () => {
    const store = await seededStore();
    const result = sweep([publicSvc, fixedCluster, exemptTd]);
    // During the sweep, an event shows the cluster without Container Insights again.
    await store.record(
      prior('cluster-container-insights-disabled', fixedCluster.arn, 'AWS::ECS::Cluster'),
      '2026-05-02T00:00:03.000Z',
    );
    const out = await reconcile(store, result, evaluateSweep(result, DEFAULT_POLICY));
    expect(out.resolved.map((r) => r.record.finding.ruleId).sort()).toEqual([
      'svc-public-ip',
      'td-privileged',
      'td-root-user',
    ]);
    expect(
      (await store.get(findingIdOf('cluster-container-insights-disabled', fixedCluster.arn)))?.status,
    ).toBe('open');
  });

  it('queues a notification for each finding it opens in notify mode, up to the cap, claimed with the sweep id', async () => {
    const store = new MemoryFindingStore();
    const sent: string[] = [];
    const resources: Resource[] = ['a', 'b', 'c'].map((n) => ({
      ...publicSvc,
      arn: arn(`service/prod/${n}`),
      name: n,
    }));
    const result = sweep(resources);
    const resolvedSent: string[] = [];
    const notifier = {
      send: async (f: { resource: { arn: string } }, meta: { dedupeKey: string }) =>
        void sent.push(`${f.resource.arn} ${meta.dedupeKey}`),
      enqueue: async (f: { resource: { arn: string } }, meta: { kind: string }) =>
        void resolvedSent.push(`${meta.kind} ${f.resource.arn}`),
    };
    const first = await reconcile(store, result, evaluateSweep(result, DEFAULT_POLICY), {
      notify: { notifier, max: 2 },
    });
    expect(first).toMatchObject({ notified: 2, notNotified: 1 });
    expect(sent).toEqual([0, 1].map((i) => `${resources[i]!.arn} sweep:${A}:${R}:2026-05-02T00:00:00.000Z`));
    expect((await store.get(findingIdOf('svc-public-ip', resources[0]!.arn)))?.lastNotifiedAt).toBeDefined();
    // Seen again by the next sweep: already open, nothing to notify.
    const again = await reconcile(store, result, evaluateSweep(result, DEFAULT_POLICY), {
      notify: { notifier },
    });
    expect(again).toMatchObject({ notified: 0, notNotified: 0 });
    expect(resolvedSent).toEqual([]);
    // The next complete sweep sees every service fixed: one "resolved" message for each finding that was
    // notified while open (a and b), none for c, which the cap kept from being notified.
    const fixed = sweep(
      resources.map((r) => ({ ...r, network: { assignPublicIp: 'DISABLED' } })),
      true,
      '2026-05-03T00:00:00.000Z',
    );
    const after = await reconcile(store, fixed, evaluateSweep(fixed, DEFAULT_POLICY), {
      notify: { notifier },
    });
    expect(after.resolved).toHaveLength(3);
    expect(resolvedSent).toEqual([0, 1].map((i) => `resolved ${resources[i]!.arn}`));
    // Observe mode records without notifying.
    const observe = policyFromDocument({ rules: { 'svc-public-ip': { mode: 'observe' } } });
    const quiet = await reconcile(new MemoryFindingStore(), result, evaluateSweep(result, observe), {
      notify: { notifier },
    });
    expect(quiet).toMatchObject({ recorded: 3, notified: 0 });
  });

  it('after a partial sweep records what it saw and resolves nothing, saying what it missed', async () => {
    const store = await seededStore();
    const result = sweep([publicSvc, fixedCluster], false);
    const out = await reconcile(store, result, evaluateSweep(result, DEFAULT_POLICY));
    expect(out.reconciled).toBe(false);
    expect(out.resolved).toEqual([]);
    expect(out.recorded).toBe(1);
    expect(out.notReconciledReason).toBe(
      'partial sweep (1 gap(s): running tasks of cluster prod): nothing was resolved',
    );
    let open = 0;
    for await (const _ of store.listOpen({ account: A, region: R })) open++;
    expect(open).toBe(6);
  });
});
