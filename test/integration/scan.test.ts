/**
 * The sweep against moto_server: a seeded estate, the exact findings, reconciliation after fixes, the
 * task definition cache (memory and DynamoDB) measured by API call counts, and a partial sweep.
 */
import { createStateTable } from '../../shared/store/state-table';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingIdOf } from '../../shared/engine/finding-id';
import type { Finding } from '../../shared/model/finding';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import { MemoryFindingStore } from '../../shared/store/memory-store';
import { CallCounter } from '../../shared/sweep/call-counter';
import { DynamoDBTaskDefinitionCache } from '../../shared/store/dynamodb-td-cache';
import { runScan } from '../../shared/sweep/run';
import { MemoryTaskDefinitionCache } from '../../shared/store/td-cache';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import {
  ACCOUNT,
  applyFixes,
  REGION,
  SECRET_VALUE,
  seedEstate,
  type ExpectedFinding,
  type SeededEstate,
} from '../helpers/seed-estate';

const key = (f: { ruleId: string; arn: string }) => `${f.ruleId} ${f.arn}`;
const keysOf = (findings: readonly Finding[]) =>
  findings.map((f) => key({ ruleId: f.ruleId, arn: f.resource.arn })).sort();
const expectedKeys = (list: readonly ExpectedFinding[]) => list.map(key).sort();

function finding(ruleId: string, arn: string, over: Partial<Finding> = {}): Finding {
  return {
    findingId: `${ruleId}|${arn}`,
    ruleId,
    severity: 'high',
    title: ruleId,
    resource: { type: 'AWS::ECS::Service', arn },
    account: ACCOUNT,
    region: REGION,
    evidence: [{ path: 'x', message: 'seeded by an event' }],
    event: { id: 'e1', source: 'aws.ecs', detailType: 'x', time: '2026-01-01T00:00:00Z' },
    controls: {},
    mode: 'notify',
    ...over,
  };
}

/** moto cannot enforce IAM: make ListTasks on one cluster fail the way an SCP or a missing action would. */
function denyListTasks(client: ECSClient, clusterArn: string): ECSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { cluster?: string };
      if (context.commandName === 'ListTasksCommand' && input.cluster === clusterArn)
        throw Object.assign(
          new Error(
            `User: arn:aws:sts::${ACCOUNT}:assumed-role/scanner is not authorized to perform: ecs:ListTasks`,
          ),
          {
            name: 'AccessDeniedException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400, attempts: 1 },
          },
        );
      return next(args);
    },
    { step: 'initialize', name: 'denyListTasks' },
  );
  return client;
}

describe('sweep and reconciliation against moto', () => {
  let moto: Moto;
  let estate: SeededEstate;
  let seedClients: { ecs: ECSClient; ec2: EC2Client };
  const counter = new CallCounter();
  const cache = new MemoryTaskDefinitionCache();
  const store = new MemoryFindingStore();
  // The sweep's own clients: adaptive retries like production, one attempt against moto.
  const sweepClients = () => {
    const cfg = { ...motoClientConfig(moto, REGION), retryMode: 'adaptive' };
    return {
      ecs: counter.attach(new ECSClient(cfg)),
      ec2: counter.attach(new EC2Client(cfg)),
      // The task roles of the swept revisions (td-task-role-wildcard).
      iam: new IAMClient(cfg),
    };
  };
  const scan = (over: Partial<Parameters<typeof runScan>[0]> = {}) =>
    runScan({
      ...sweepClients(),
      account: ACCOUNT,
      region: REGION,
      policy: DEFAULT_POLICY,
      store,
      cache,
      ...over,
    });

  beforeAll(async () => {
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    const cfg = motoClientConfig(moto, REGION);
    seedClients = { ecs: new ECSClient(cfg), ec2: new EC2Client(cfg) };
    estate = await seedEstate(seedClients);
    // Open findings recorded earlier by the event path: one for a service deleted since, one from a
    // throttling signal (the sweep cannot see those), one in another region (out of scope).
    await store.record(
      finding('svc-public-ip', `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/deleted-long-ago`),
      '2026-01-01T00:00:00.000Z',
    );
    await store.record(
      finding('throttle-api-calls', `arn:aws:iam::${ACCOUNT}:role/deployer`, {
        resource: { type: 'AWS::IAM::Role', arn: `arn:aws:iam::${ACCOUNT}:role/deployer` },
      }),
      '2026-01-01T00:00:00.000Z',
    );
    await store.record(
      finding('svc-public-ip', `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/api`, { region: 'eu-west-1' }),
      '2026-01-01T00:00:00.000Z',
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('finds exactly the expected findings on the seeded estate, with evidence', async () => {
    counter.reset();
    const { sweep, evaluation, reconcile } = await scan();
    expect(sweep.complete).toBe(true);
    expect(sweep.gaps).toEqual([]);
    expect(sweep.counts).toEqual({
      clusters: 2,
      services: 4,
      taskSets: 1,
      tasks: 2,
      containerInstances: 1,
      taskDefinitions: 4,
    });
    expect(keysOf(evaluation.findings)).toEqual(expectedKeys(estate.expected));
    // The same list, spelled out, so a reader sees what the estate contains.
    expect(evaluation.findings.map((f) => f.ruleId).sort()).toEqual([
      'cluster-container-insights-disabled',
      'instance-imds-reachable',
      'instance-privileged-allowed',
      'svc-exec-enabled',
      'svc-public-ip',
      'task-public-ip',
      'taskset-public-ip',
      'td-mutable-image',
      'td-privileged',
      'td-root-user',
      'td-secrets-in-environment',
      'td-untrusted-registry',
    ]);
    const byRule = new Map(evaluation.findings.map((f) => [f.ruleId, f]));
    expect(byRule.get('task-public-ip')!.evidence[0]!.message).toContain(estate.batchTaskPublicIp);
    expect(byRule.get('td-privileged')!.evidence).toEqual([
      {
        path: 'containerDefinitions[0].privileged',
        message: 'container "agent" is privileged',
        container: 'agent',
      },
    ]);
    expect(byRule.get('td-secrets-in-environment')!.evidence.map((e) => e.path)).toEqual([
      'containerDefinitions[0].environment[0]',
      'containerDefinitions[0].environment[1]',
    ]);
    expect(byRule.get('svc-public-ip')!.controls.securityHub).toBe('ECS.2');
    expect(byRule.get('svc-public-ip')!.event.source).toBe('guardrail.sweep');
    expect(JSON.stringify(evaluation.findings)).not.toContain(SECRET_VALUE);

    // Every revision described once; services in batches of 10 (one batch per cluster here).
    expect(sweep.taskDefinitions).toEqual({ total: 4, fromCache: 0, described: 4, tagsRefreshed: 0 });
    expect(counter.count('ecs:DescribeTaskDefinition')).toBe(4);
    expect(counter.count('ecs:DescribeServices')).toBe(2);
    expect(counter.count('ecs:ListTaskDefinitions')).toBe(1);
    expect(counter.count('ec2:DescribeNetworkInterfaces')).toBe(1);

    // Reconciliation: the event finding of a service that no longer exists is resolved as gone; the
    // throttling finding (not the sweep's to judge) and the other region's finding stay open.
    expect(reconcile.reconciled).toBe(true);
    expect(reconcile.opened).toHaveLength(12);
    expect(reconcile.resolved.map((r) => [r.kind, r.record.finding.resource.arn])).toEqual([
      ['gone', `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/deleted-long-ago`],
    ]);
    expect((await store.get(`throttle-api-calls|arn:aws:iam::${ACCOUNT}:role/deployer`))?.status).toBe(
      'open',
    );
    expect((await store.get(`svc-public-ip|arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/api`))?.status).toBe(
      'open',
    );
  });

  it('a repeated sweep describes no known task definition revision and changes nothing', async () => {
    counter.reset();
    const { sweep, evaluation, reconcile } = await scan();
    expect(sweep.complete).toBe(true);
    expect(counter.count('ecs:DescribeTaskDefinition')).toBe(0);
    expect(sweep.taskDefinitions).toEqual({ total: 4, fromCache: 4, described: 0, tagsRefreshed: 0 });
    expect(keysOf(evaluation.findings)).toEqual(expectedKeys(estate.expected));
    expect(reconcile.opened).toEqual([]);
    expect(reconcile.resolved).toEqual([]);
    const rec = await store.get(evaluation.findings[0]!.findingId);
    expect(rec?.count).toBe(2);
  });

  it('a partial sweep (access denied) records what it saw, resolves nothing and says what it missed', async () => {
    await applyFixes(seedClients, estate);
    counter.reset();
    const clients = sweepClients();
    const { sweep, reconcile } = await scan({
      ...clients,
      ecs: denyListTasks(clients.ecs, estate.clusters.staging),
    });
    expect(sweep.complete).toBe(false);
    expect(sweep.gaps).toEqual([
      {
        operation: 'ListTasks',
        target: estate.clusters.staging,
        kind: 'access-denied',
        code: 'AccessDeniedException',
        message: expect.stringContaining('not authorized to perform: ecs:ListTasks'),
        missed: 'running tasks of cluster staging',
      },
    ]);
    expect(reconcile.reconciled).toBe(false);
    expect(reconcile.resolved).toEqual([]);
    expect(reconcile.notReconciledReason).toContain('running tasks of cluster staging');
    // Everything fixed is still open: a partial view proves nothing about what it did not see.
    for (const f of estate.fixed)
      expect((await store.get(findingIdOf(f.ruleId, f.arn)))?.status, `${f.ruleId} ${f.arn}`).toBe('open');
  });

  it('a complete sweep after the fixes resolves exactly the fixed findings, as compliant or gone', async () => {
    counter.reset();
    const { sweep, evaluation, reconcile } = await scan();
    expect(sweep.complete).toBe(true);
    expect(keysOf(evaluation.findings)).toEqual(expectedKeys(estate.stillOpen));
    expect(
      reconcile.resolved
        .map(
          (r) => `${r.kind} ${key({ ruleId: r.record.finding.ruleId, arn: r.record.finding.resource.arn })}`,
        )
        .sort(),
    ).toEqual(estate.fixed.map((f) => `${f.resolution} ${key(f)}`).sort());
    for (const r of reconcile.resolved) {
      expect(r.record.status).toBe('resolved');
      expect(r.record.resolvedReason).toMatch(/^sweep: /);
    }
    // The deregistered, unused revision is no longer described or listed; the rest come from the cache.
    expect(counter.count('ecs:DescribeTaskDefinition')).toBe(0);
    expect(sweep.counts.taskDefinitions).toBe(3);
    const open: string[] = [];
    for await (const r of store.listOpen({ account: ACCOUNT, region: REGION })) open.push(r.finding.ruleId);
    expect(open.sort()).toEqual([...estate.stillOpen.map((f) => f.ruleId), 'throttle-api-calls'].sort());
  });

  it('describes only the new revision when one is registered', async () => {
    const c: ContainerDefinition = {
      name: 'app',
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:1.5.0`,
      memory: 256,
      user: '1000',
      readonlyRootFilesystem: true,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
    };
    const r = await seedClients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [c],
      }),
    );
    counter.reset();
    const { sweep } = await scan();
    expect(counter.count('ecs:DescribeTaskDefinition')).toBe(1);
    expect(sweep.taskDefinitions).toMatchObject({ total: 4, described: 1, fromCache: 3 });
    expect(sweep.resources.some((x) => x.arn === r.taskDefinition!.taskDefinitionArn)).toBe(true);
  });

  describe('with the DynamoDB task definition cache (the sweep function)', () => {
    const table = 'guardrail-state';
    let doc: DynamoDBDocumentClient;
    let ddb: DynamoDBClient;

    beforeAll(async () => {
      ddb = new DynamoDBClient(motoClientConfig(moto, REGION));
      await createStateTable(ddb, table);
      doc = DynamoDBDocumentClient.from(counter.attach(ddb));
    });

    it('a cold container reads known revisions from DynamoDB and describes none of them', async () => {
      counter.reset();
      const warm = new DynamoDBTaskDefinitionCache(doc, { tableName: table });
      const first = await scan({ cache: warm, store: new MemoryFindingStore() });
      expect(first.sweep.taskDefinitions).toMatchObject({ total: 4, described: 4, fromCache: 0 });
      expect(counter.count('ecs:DescribeTaskDefinition')).toBe(4);

      const item = await ddb.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: `TD#${estate.taskDefinitions.batchJob}` }, sk: { S: 'TD' } },
        }),
      );
      expect(item.Item?.kind?.S).toBe('TaskDefinition');
      expect(Number(item.Item?.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
      expect(item.Item?.gsi1pk).toBeUndefined();

      counter.reset();
      const cold = new DynamoDBTaskDefinitionCache(doc, { tableName: table });
      const second = await scan({ cache: cold, store: new MemoryFindingStore() });
      expect(second.sweep.taskDefinitions).toMatchObject({ total: 4, described: 0, fromCache: 4 });
      expect(counter.count('ecs:DescribeTaskDefinition')).toBe(0);
      expect(counter.count('dynamodb:BatchGetItem')).toBe(1);
      expect(keysOf(second.evaluation.findings)).toEqual(keysOf(first.evaluation.findings));
    });

    it('re-reads tags of old cache entries, so a new exemption tag resolves the finding as exempted', async () => {
      const own = new MemoryFindingStore();
      const cache2 = new DynamoDBTaskDefinitionCache(doc, { tableName: table });
      const before = await scan({ cache: cache2, store: own });
      expect(keysOf(before.evaluation.findings)).toContain(
        key({ ruleId: 'td-secrets-in-environment', arn: estate.taskDefinitions.batchJob }),
      );
      await seedClients.ecs.send(
        new TagResourceCommand({
          resourceArn: estate.taskDefinitions.batchJob,
          tags: [
            { key: 'guardrail:exempt', value: 'td-secrets-in-environment;until=2099-12-31;reason=SEC-42' },
          ],
        }),
      );
      counter.reset();
      const after = await scan({ cache: cache2, store: own, tagMaxAgeMs: 0 });
      expect(counter.count('ecs:DescribeTaskDefinition')).toBe(0);
      expect(counter.count('ecs:ListTagsForResource')).toBe(4);
      expect(after.sweep.taskDefinitions).toMatchObject({ described: 0, fromCache: 4, tagsRefreshed: 4 });
      expect(after.evaluation.suppressed.map((f) => f.ruleId)).toEqual(['td-secrets-in-environment']);
      expect(after.reconcile.resolved.map((r) => [r.kind, r.record.finding.ruleId])).toEqual([
        ['exempted', 'td-secrets-in-environment'],
      ]);
    });
  });
});
