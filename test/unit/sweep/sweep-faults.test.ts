/**
 * The sweep's failure handling with real SDK clients (real retry middleware, real deserializers) over a
 * fake HTTP handler: throttling that outlasts the retries, a deadline, malformed shapes, `failures`
 * entries, an unreadable cache. moto cannot produce these faults.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { CallCounter } from '../../../shared/sweep/call-counter';
import { sweepEstate } from '../../../shared/sweep/sweep';
import type { TaskDefinitionCache } from '../../../shared/store/td-cache';

const A = '123456789012';
const R = 'us-east-1';
const arn = (rest: string) => `arn:aws:ecs:${R}:${A}:${rest}`;

type Reply = { status?: number; errorType?: string; body: unknown };
type Routes = Record<string, (input: Record<string, unknown>) => Reply>;

interface FakeRequest {
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

function fakeEcs(routes: Routes, maxAttempts = 1): { ecs: ECSClient; ops: string[] } {
  const ops: string[] = [];
  const handler = {
    handle: async (req: FakeRequest) => {
      const op = String(req.headers['x-amz-target']).split('.').pop()!;
      ops.push(op);
      const text = typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body);
      const input = JSON.parse(text || '{}') as Record<string, unknown>;
      const r = routes[op]?.(input) ?? { body: {} };
      return {
        response: {
          statusCode: r.status ?? 200,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            ...(r.errorType ? { 'x-amzn-errortype': r.errorType } : {}),
          },
          body: Buffer.from(JSON.stringify(r.body)),
        },
      };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  const ecs = new ECSClient({
    region: R,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    retryMode: 'adaptive',
    maxAttempts,
    requestHandler: handler as never,
  });
  return { ecs, ops };
}

/** EC2 is not used when no task has an ENI; fail loudly if it is. */
const noEc2 = new EC2Client({
  region: R,
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  requestHandler: { handle: async () => Promise.reject(new Error('EC2 must not be called')) } as never,
});

const healthy: Routes = {
  ListClusters: () => ({ body: { clusterArns: [arn('cluster/prod')] } }),
  DescribeClusters: () => ({
    body: {
      clusters: [
        {
          clusterArn: arn('cluster/prod'),
          clusterName: 'prod',
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        },
      ],
    },
  }),
  ListServices: () => ({ body: { serviceArns: [] } }),
  ListTasks: () => ({ body: { taskArns: [] } }),
  ListContainerInstances: () => ({ body: { containerInstanceArns: [] } }),
  ListTaskDefinitions: () => ({ body: { taskDefinitionArns: [arn('task-definition/web:1')] } }),
  DescribeTaskDefinition: (input) => {
    const ref = String(input.taskDefinition);
    return {
      body: {
        taskDefinition: {
          taskDefinitionArn: ref,
          family: 'web',
          revision: Number(ref.split(':').pop()),
          status: 'ACTIVE',
          containerDefinitions: [{ name: 'app', image: 'nginx' }],
        },
        tags: [],
      },
    };
  },
};

describe('sweep failure handling', () => {
  it('follows nextToken through every page (paginators)', async () => {
    const { ecs, ops } = fakeEcs({
      ...healthy,
      ListTaskDefinitions: (input) =>
        input.nextToken === 'p2'
          ? { body: { taskDefinitionArns: [arn('task-definition/web:2')] } }
          : { body: { taskDefinitionArns: [arn('task-definition/web:1')], nextToken: 'p2' } },
    });
    const r = await sweepEstate({ ecs, ec2: noEc2, account: A, region: R });
    expect(r.complete).toBe(true);
    expect(ops.filter((o) => o === 'ListTaskDefinitions')).toHaveLength(2);
    expect(r.taskDefinitions.total).toBe(2);
  });

  it('records throttling that outlasts the adaptive retries as a gap, after every attempt', async () => {
    const { ecs, ops } = fakeEcs(
      {
        ...healthy,
        ListServices: () => ({
          status: 400,
          errorType: 'ThrottlingException',
          body: { message: 'Rate exceeded' },
        }),
      },
      2,
    );
    const counter = new CallCounter();
    counter.attach(ecs);
    const r = await sweepEstate({ ecs, ec2: noEc2, account: A, region: R });
    expect(r.complete).toBe(false);
    expect(r.gaps).toEqual([
      {
        operation: 'ListServices',
        target: arn('cluster/prod'),
        kind: 'throttled',
        code: 'ThrottlingException',
        message: 'Rate exceeded',
        missed: 'services of cluster prod',
      },
    ]);
    expect(ops.filter((o) => o === 'ListServices')).toHaveLength(2);
    expect(counter.count('ecs:ListServices')).toBe(1);
    expect(counter.attempts.get('ecs:ListServices')).toBe(2);
    // The rest of the estate was still read.
    expect(r.counts.clusters).toBe(1);
    expect(r.taskDefinitions.described).toBe(1);
  }, 20_000);

  it('stops at the deadline: nothing is called and everything is missed', async () => {
    const { ecs, ops } = fakeEcs(healthy);
    const r = await sweepEstate({ ecs, ec2: noEc2, account: A, region: R, deadline: Date.now() - 1 });
    expect(ops).toEqual([]);
    expect(r.complete).toBe(false);
    expect(r.gaps.map((g) => [g.operation, g.kind])).toEqual([
      ['ListClusters', 'timeout'],
      ['ListTaskDefinitions', 'timeout'],
    ]);
  });

  it('treats a malformed item as a gap for that item, a MISSING failure as gone, other failures as gaps', async () => {
    const { ecs } = fakeEcs({
      ...healthy,
      ListServices: () => ({
        body: { serviceArns: [arn('service/prod/a'), arn('service/prod/b'), arn('service/prod/c')] },
      }),
      DescribeServices: () => ({
        body: {
          services: [
            {
              serviceArn: arn('service/prod/a'),
              serviceName: 'a',
              clusterArn: arn('cluster/prod'),
              enableExecuteCommand: 'yes',
            },
          ],
          failures: [
            { arn: arn('service/prod/b'), reason: 'MISSING' },
            { arn: arn('service/prod/c'), reason: 'INTERNAL_ERROR', detail: 'try again' },
          ],
        },
      }),
    });
    const r = await sweepEstate({ ecs, ec2: noEc2, account: A, region: R });
    expect(r.complete).toBe(false);
    expect(r.gaps.map((g) => [g.operation, g.kind, g.code, g.missed])).toEqual([
      ['DescribeServices', 'invalid-response', 'InvalidEventError', 'service a of cluster prod'],
      ['DescribeServices', 'error', 'INTERNAL_ERROR', 'service c'],
    ]);
    expect(r.gaps[0]!.message).toBe('services[0].enableExecuteCommand: expected boolean, got string');
    expect(r.counts.services).toBe(0);
  });

  it('folds many gaps of one kind into a counted entry', async () => {
    const { ecs } = fakeEcs({
      ...healthy,
      ListTaskDefinitions: () => ({
        body: { taskDefinitionArns: [1, 2, 3, 4, 5, 6].map((n) => arn(`task-definition/web:${n}`)) },
      }),
      DescribeTaskDefinition: () => ({
        status: 400,
        errorType: 'AccessDeniedException',
        body: { message: 'no' },
      }),
    });
    const r = await sweepEstate({ ecs, ec2: noEc2, account: A, region: R });
    expect(r.gaps).toHaveLength(4);
    expect(r.gaps[3]!.missed).toMatch(/^3 more like this \(task definition web:\d, \.\.\.\)$/);
    expect(r.gaps[3]!.target).toBeUndefined();
  });

  it('goes on without a cache it cannot read or write (a warning, not a gap)', async () => {
    const { ecs } = fakeEcs(healthy);
    const broken: TaskDefinitionCache = {
      getMany: () =>
        Promise.reject(Object.assign(new Error('table not found'), { name: 'ResourceNotFoundException' })),
      putMany: () => Promise.reject(new Error('write failed')),
    };
    const warnings: string[] = [];
    const r = await sweepEstate({
      ecs,
      ec2: noEc2,
      account: A,
      region: R,
      cache: broken,
      onWarning: (m) => warnings.push(m),
    });
    expect(r.complete).toBe(true);
    expect(r.taskDefinitions.described).toBe(1);
    expect(warnings).toEqual([
      'task definition cache could not be read (ResourceNotFoundException: table not found); describing every revision',
      'task definition cache could not be written (Error: write failed)',
    ]);
  });

  it('reports progress per cluster and per task definition, ending with done', async () => {
    const { ecs } = fakeEcs(healthy);
    const phases: string[] = [];
    await sweepEstate({
      ecs,
      ec2: noEc2,
      account: A,
      region: R,
      onProgress: (p) => phases.push(`${p.phase} ${p.done}/${p.total}`),
    });
    expect(phases).toEqual([
      'clusters 0/0',
      'clusters 0/1',
      'clusters 1/1',
      'task-definitions 0/1',
      'task-definitions 1/1',
      'done 1/1',
    ]);
  });
});
