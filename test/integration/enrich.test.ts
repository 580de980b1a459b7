/**
 * Enrichment with the real SDK v3 clients against moto_server: task definitions (and their cache),
 * task ENI public IPs, services whose network configuration the event does not show, and the
 * default client factory (AWS_ENDPOINT_URL, adaptive retries) against a throttling stub.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type Tag,
} from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnrichmentError } from '../../shared/engine/enrich';
import { evaluateRaw, type EngineDeps, type EventResult } from '../../shared/engine/run';
import { MemoryWindowCounter } from '../../shared/engine/windows';
import { createAwsEnricher, type AwsEnricherOptions } from '../../shared/aws/enricher';
import type { Enricher } from '../../shared/engine/enrich';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { cloudTrailEvent } from '../unit/rules/helpers';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CLUSTER = 'guardrail-it';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;

// ---------------------------------------------------------------- events

function taskStateChange(o: {
  taskArn: string;
  taskDefinitionArn: string;
  eniId?: string;
  lastStatus?: string;
}): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-11-22T10:00:00Z',
    region: REGION,
    resources: [o.taskArn],
    detail: {
      taskArn: o.taskArn,
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: o.taskDefinitionArn,
      lastStatus: o.lastStatus ?? 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      group: 'family:it',
      version: 3,
      attachments: o.eniId
        ? [
            {
              id: randomUUID(),
              type: 'eni',
              status: 'ATTACHED',
              details: [{ name: 'networkInterfaceId', value: o.eniId }],
            },
          ]
        : [],
    },
  };
}

function cloudTrail(
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
): Record<string, unknown> {
  return cloudTrailEvent({
    eventName,
    requestParameters,
    responseElements,
    account: ACCOUNT,
    region: REGION,
  });
}

const rulesOn = (r: EventResult, arn: string): string[] =>
  r.findings
    .filter((f) => f.resource.arn === arn)
    .map((f) => f.ruleId)
    .sort();

// ---------------------------------------------------------------- moto setup

const container = (name: string, extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name,
  image: 'public.ecr.aws/nginx/nginx:1.27',
  memory: 128,
  user: '1000',
  readonlyRootFilesystem: true,
  logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/it' } },
  ...extra,
});

describe('AWS enricher against moto_server', () => {
  let moto: Moto;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let subnetId: string;
  /** send() calls per command name on the enricher's own ECS/EC2 clients. */
  let calls: Map<string, number>;
  let enricherEcs: ECSClient;
  let enricherEc2: EC2Client;

  const tally = (name: string | undefined): void => {
    calls.set(name ?? '?', (calls.get(name ?? '?') ?? 0) + 1);
  };

  const deps = async (options: AwsEnricherOptions = {}): Promise<EngineDeps> => ({
    policy: DEFAULT_POLICY,
    counter: new MemoryWindowCounter(),
    enricher: await createAwsEnricher({ clients: { ecs: enricherEcs, ec2: enricherEc2 }, ...options }),
  });

  const register = async (family: string, privileged: boolean, tags?: Tag[]): Promise<string> => {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [container('app', { privileged }), container('sidecar')],
        ...(tags ? { tags } : {}),
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  };

  const runTask = async (taskDefinition: string): Promise<{ taskArn: string; eniId: string }> => {
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [] } },
      }),
    );
    const task = out.tasks![0]!;
    const eniId = task.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
    if (!eniId) throw new Error('moto RunTask returned no ENI attachment');
    return { taskArn: task.taskArn!, eniId };
  };

  beforeAll(async () => {
    moto = await startMoto();
    ecs = new ECSClient(motoClientConfig(moto, REGION));
    ec2 = new EC2Client(motoClientConfig(moto, REGION));
    const vpcs = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcs.Vpcs![0]!.VpcId!] }] }),
    );
    subnetId = subnets.Subnets![0]!.SubnetId!;
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  afterAll(async () => {
    await moto?.stop();
  });

  /** Fresh counting clients per test, so each test sees only its own calls. */
  const fresh = (): void => {
    calls = new Map();
    enricherEcs = new ECSClient(motoClientConfig(moto, REGION));
    enricherEc2 = new EC2Client(motoClientConfig(moto, REGION));
    enricherEcs.middlewareStack.add(
      (next, context) => (args) => {
        tally(context.commandName);
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    enricherEc2.middlewareStack.add(
      (next, context) => (args) => {
        tally(context.commandName);
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
  };

  it('Task State Change: describes the task definition and td-privileged fires on it (with its tags)', async () => {
    fresh();
    const tdArn = await register('it-priv', true, [{ key: 'team', value: 'payments' }]);
    const event = taskStateChange({
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/0001`,
      taskDefinitionArn: tdArn,
    });

    const plain = await evaluateRaw(event, { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() });
    expect(rulesOn(plain, tdArn)).toEqual([]);

    const enriched = await evaluateRaw(event, await deps());
    const priv = enriched.findings.find((f) => f.ruleId === 'td-privileged');
    expect(priv?.resource).toMatchObject({ type: 'AWS::ECS::TaskDefinition', arn: tdArn });
    expect(priv?.severity).toBe('critical');
    expect(priv?.evidence.map((e) => e.container)).toEqual(['app']);
    expect(priv?.tags).toEqual({ team: 'payments' });
    expect(enriched.incomplete).toBeUndefined();
    expect(calls.get('DescribeTaskDefinitionCommand')).toBe(1);
  });

  it('a compliant task definition gives no td-* finding, and an unknown revision is no error', async () => {
    fresh();
    const tdArn = await register('it-clean', false);
    const ok = await evaluateRaw(
      taskStateChange({
        taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/0002`,
        taskDefinitionArn: tdArn,
      }),
      await deps(),
    );
    expect(rulesOn(ok, tdArn)).toEqual([]);

    const missingArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/it-never-registered:7`;
    const d = await deps();
    for (let i = 0; i < 3; i++) {
      const r = await evaluateRaw(
        taskStateChange({
          taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/m${i}`,
          taskDefinitionArn: missingArn,
        }),
        d,
      );
      expect(r.findings.filter((f) => f.ruleId.startsWith('td-'))).toEqual([]);
      expect(r.incomplete).toBeUndefined();
    }
    // ClientException "Unable to describe task definition." is "missing", remembered briefly: one call.
    expect(calls.get('DescribeTaskDefinitionCommand')).toBe(2);
  });

  it('a truncated (omitted) RegisterTaskDefinition is completed by DescribeTaskDefinition', async () => {
    fresh();
    const tdArn = await register('it-truncated', true);
    const event = cloudTrail(
      'RegisterTaskDefinition',
      { omitted: true },
      { taskDefinition: { taskDefinitionArn: tdArn } },
    );

    const plain = await evaluateRaw(event, { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() });
    expect(plain.incomplete?.taskDefinition).toBe(tdArn);
    expect(plain.findings).toEqual([]);

    const enriched = await evaluateRaw(event, await deps());
    expect(enriched.incomplete).toBeUndefined();
    expect(rulesOn(enriched, tdArn)).toContain('td-privileged');
    expect(calls.get('DescribeTaskDefinitionCommand')).toBe(1);
  });

  it('a fully omitted RegisterTaskDefinition (no ARN, no family) stays incomplete and calls nothing', async () => {
    fresh();
    const r = await evaluateRaw(
      cloudTrail('RegisterTaskDefinition', { omitted: true }, { omitted: true }),
      await deps(),
    );
    expect(r.incomplete?.reason).toMatch(/truncated/);
    expect(r.findings).toEqual([]);
    expect(calls.size).toBe(0);
  });

  it('describes each revision at most once for 50 events, concurrent or not', async () => {
    fresh();
    const rev1 = await register('it-cache', true);
    const rev2 = await register('it-cache', false);
    expect(rev2).toMatch(/:2$/);
    const d = await deps();
    const events = Array.from({ length: 50 }, (_, i) =>
      taskStateChange({
        taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/c${i}`,
        taskDefinitionArn: i % 2 ? rev2 : rev1,
      }),
    );
    const concurrent = await Promise.all(events.map((e) => evaluateRaw(e, d)));
    for (const e of events) await evaluateRaw(e, d);

    expect(calls.get('DescribeTaskDefinitionCommand')).toBe(2);
    expect(concurrent.filter((r) => rulesOn(r, rev1).includes('td-privileged'))).toHaveLength(25);
    expect(concurrent.filter((r) => rulesOn(r, rev2).length > 0)).toHaveLength(0);
  });

  it('a task ENI with a public IP (moto: AllocateAddress + AssociateAddress) -> task-public-ip', async () => {
    fresh();
    const tdArn = await register('it-eni', false);
    const exposed = await runTask(tdArn);
    const privateTask = await runTask(tdArn);
    const addr = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: addr.AllocationId, NetworkInterfaceId: exposed.eniId }),
    );
    const d = await deps();

    const pub = await evaluateRaw(taskStateChange({ ...exposed, taskDefinitionArn: tdArn }), d);
    const f = pub.findings.find((x) => x.ruleId === 'task-public-ip');
    expect(f?.resource).toMatchObject({ type: 'AWS::ECS::Task', arn: exposed.taskArn });
    expect(f?.evidence[0]?.message).toContain(addr.PublicIp!);

    const priv = await evaluateRaw(taskStateChange({ ...privateTask, taskDefinitionArn: tdArn }), d);
    expect(rulesOn(priv, privateTask.taskArn)).toEqual([]);
    expect(priv.incomplete).toBeUndefined();

    // An ENI that no longer exists (task gone) is "no public IP", not an error.
    const gone = await evaluateRaw(
      taskStateChange({
        taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/gone`,
        taskDefinitionArn: tdArn,
        eniId: 'eni-0123456789abcdef0',
      }),
      d,
    );
    expect(gone.findings.filter((x) => x.ruleId === 'task-public-ip')).toEqual([]);
    expect(gone.incomplete).toBeUndefined();

    // A STOPPED task is not looked up.
    const before = calls.get('DescribeNetworkInterfacesCommand');
    await evaluateRaw(taskStateChange({ ...exposed, taskDefinitionArn: tdArn, lastStatus: 'STOPPED' }), d);
    expect(calls.get('DescribeNetworkInterfacesCommand')).toBe(before);
    expect(before).toBe(3);
  });

  it('UpdateService without networkConfiguration is enriched via DescribeServices', async () => {
    fresh();
    const tdArn = await register('it-svc', false);
    const create = async (serviceName: string, assignPublicIp: 'ENABLED' | 'DISABLED'): Promise<string> => {
      const out = await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName,
          taskDefinition: tdArn,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: { subnets: [subnetId], securityGroups: [], assignPublicIp },
          },
          tags: [{ key: 'owner', value: 'checkout' }],
        }),
      );
      return out.service!.serviceArn!;
    };
    const publicArn = await create('it-public', 'ENABLED');
    const privateArn = await create('it-private', 'DISABLED');
    const update = (service: string) =>
      cloudTrail('UpdateService', { cluster: CLUSTER, service, desiredCount: 3 }, null);

    const plain = await evaluateRaw(update('it-public'), {
      policy: DEFAULT_POLICY,
      counter: new MemoryWindowCounter(),
    });
    expect(plain.findings).toEqual([]);

    const d = await deps();
    const pub = await evaluateRaw(update('it-public'), d);
    const f = pub.findings.find((x) => x.ruleId === 'svc-public-ip');
    expect(f?.resource).toMatchObject({ type: 'AWS::ECS::Service', arn: publicArn });
    expect(f?.tags).toEqual({ owner: 'checkout' });

    const priv = await evaluateRaw(update('it-private'), d);
    expect(rulesOn(priv, privateArn)).toEqual([]);

    const missing = await evaluateRaw(update('it-does-not-exist'), d);
    expect(missing.findings).toEqual([]);
    expect(missing.incomplete).toBeUndefined();
    expect(calls.get('DescribeServicesCommand')).toBe(3);
  });

  describe('default client factory (no injected clients, endpoint from AWS_ENDPOINT_URL)', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });
    const useEndpoint = (endpoint: string): void => {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      delete process.env.AWS_PROFILE;
      delete process.env.AWS_SESSION_TOKEN;
    };

    it('describes task definitions and ENIs through the endpoint the SDK reads from the environment', async () => {
      const tdArn = await register('it-env', true);
      const { taskArn, eniId } = await runTask(tdArn);
      const addr = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      await ec2.send(
        new AssociateAddressCommand({ AllocationId: addr.AllocationId, NetworkInterfaceId: eniId }),
      );
      useEndpoint(moto.endpoint);
      const enricher: Enricher = await createAwsEnricher({ maxAttempts: 1 });
      const r = await evaluateRaw(taskStateChange({ taskArn, taskDefinitionArn: tdArn, eniId }), {
        policy: DEFAULT_POLICY,
        counter: new MemoryWindowCounter(),
        enricher,
      });
      expect(rulesOn(r, tdArn)).toContain('td-privileged');
      expect(rulesOn(r, taskArn)).toContain('task-public-ip');
    });

    describe('against a stub that always throttles', () => {
      let stub: Server;
      let requests: { target: string | undefined; at: number }[];
      beforeAll(async () => {
        requests = [];
        stub = createServer((req: IncomingMessage, res) => {
          req.resume();
          req.on('end', () => {
            requests.push({ target: req.headers['x-amz-target'] as string | undefined, at: Date.now() });
            res.writeHead(400, {
              'content-type': 'application/x-amz-json-1.1',
              'x-amzn-errortype': 'ThrottlingException',
            });
            res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
          });
        });
        await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
      });
      afterAll(async () => {
        await new Promise<void>((r) => stub.close(() => r()));
      });

      it('retries with backoff, then reports the event incomplete instead of failing', async () => {
        useEndpoint(`http://127.0.0.1:${(stub.address() as AddressInfo).port}`);
        const enricher = await createAwsEnricher({ maxAttempts: 3 });
        const tdArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/throttled:1`;

        const err = await enricher.describeTaskDefinition(tdArn, { account: ACCOUNT, region: REGION }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(EnrichmentError);
        expect(err).toMatchObject({
          code: 'ThrottlingException',
          retryable: true,
          operation: 'ecs:DescribeTaskDefinition',
        });
        expect((err as Error).message).toContain('after 3 attempt(s)');
        expect(requests.map((r) => r.target)).toEqual(
          Array(3).fill('AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition'),
        );
        // Backoff: the retries did not follow each other immediately.
        expect(requests[2]!.at - requests[0]!.at).toBeGreaterThan(50);

        // Through the engine: the event is evaluated, reported incomplete, and the error is not cached.
        requests.length = 0;
        const r = await evaluateRaw(
          taskStateChange({ taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/x/1`, taskDefinitionArn: tdArn }),
          {
            policy: DEFAULT_POLICY,
            counter: new MemoryWindowCounter(),
            enricher,
          },
        );
        expect(r.incomplete?.reason).toMatch(
          /^enrichment failed: ecs:DescribeTaskDefinition .*ThrottlingException/,
        );
        expect(r.findings.filter((f) => f.ruleId.startsWith('td-'))).toEqual([]);
        expect(requests).toHaveLength(3);
      });
    });
  });
});
