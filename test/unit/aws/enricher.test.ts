/**
 * The AWS enricher's error handling, caches and client handling, with aws-sdk-client-mock (no network).
 * The real SDK paths against moto are in test/integration/enrich.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ServerException,
  type DescribeTaskDefinitionCommandOutput,
} from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsEnricher, createAwsEnricher, type AwsEnricherOptions } from '../../../shared/aws/enricher';
import { defaultClientFactory, DEFAULT_MAX_ATTEMPTS, type ClientFactory } from '../../../shared/aws/clients';
import { memberRoleCredentials } from '../../../shared/aws/credentials';
import { DEFAULT_ORGANIZATION_POLICY } from '../../../shared/policy/document';
import { taskDefinitionCacheKey } from '../../../shared/store/dynamodb-keys';
import {
  EnrichmentError,
  enrichEvent,
  type Enricher,
  type ResourceScope,
} from '../../../shared/engine/enrich';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { DEFAULT_POLICY } from '../../../shared/policy/load';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SCOPE: ResourceScope = { account: ACCOUNT, region: REGION };
const TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:3`;
const TASK = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/abc`;
const SERVICE = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/api`;
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
const CREDS = { accessKeyId: 'unit', secretAccessKey: 'unit' };

const meta = (attempts = 1, httpStatusCode = 400) => ({ httpStatusCode, attempts, totalRetryDelay: 0 });

/** An SDK-style error for codes the ECS/EC2 packages do not model as classes. */
function sdkError(name: string, fault: 'client' | 'server', attempts = 1, status = 400): Error {
  return Object.assign(new Error(`${name} message`), {
    name,
    $fault: fault,
    $metadata: meta(attempts, status),
  });
}

function tdOutput(arn = TD, privileged = true): DescribeTaskDefinitionCommandOutput {
  const tail = arn.split('/').pop()!;
  const [family = 'web', rev = '3'] = tail.split(':');
  return {
    $metadata: meta(),
    taskDefinition: {
      taskDefinitionArn: tail.includes(':') ? arn : `${arn}:${rev}`,
      family,
      revision: Number(rev),
      containerDefinitions: [{ name: 'app', image: 'nginx:1.27', privileged }],
    },
    tags: [{ key: 'team', value: 'payments' }],
  };
}

function taskEvent(o: { tdArn?: string; eniId?: string } = {}): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-11-22T10:00:00Z',
    region: REGION,
    resources: [TASK],
    detail: {
      taskArn: TASK,
      clusterArn: CLUSTER,
      taskDefinitionArn: o.tdArn ?? TD,
      lastStatus: 'RUNNING',
      group: 'family:web',
      attachments: o.eniId
        ? [{ type: 'eni', details: [{ name: 'networkInterfaceId', value: o.eniId }] }]
        : [],
    },
  };
}

function truncatedRegister(): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-11-22T10:00:00Z',
    region: REGION,
    detail: {
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RegisterTaskDefinition',
      eventID: randomUUID(),
      awsRegion: REGION,
      recipientAccountId: ACCOUNT,
      requestParameters: { omitted: true },
      responseElements: { taskDefinition: { taskDefinitionArn: TD } },
    },
  };
}

const deps = (enricher: Enricher) => ({
  policy: DEFAULT_POLICY,
  counter: new MemoryWindowCounter(),
  enricher,
});

async function rejection(p: Promise<unknown>): Promise<EnrichmentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnrichmentError);
  return err as EnrichmentError;
}

describe('AwsEnricher (aws-sdk-client-mock)', () => {
  const ecs = new ECSClient({ region: REGION, credentials: CREDS });
  const ec2 = new EC2Client({ region: REGION, credentials: CREDS });
  const ecsMock = mockClient(ecs);
  const ec2Mock = mockClient(ec2);
  let clock: number;
  const make = (o: AwsEnricherOptions = {}) =>
    new AwsEnricher({ clients: { ecs, ec2 }, now: () => clock, ...o });

  beforeEach(() => {
    ecsMock.reset();
    ec2Mock.reset();
    clock = 1_000_000;
  });

  describe('DescribeTaskDefinition', () => {
    it('maps the response, with TAGS, into a task definition resource', async () => {
      ecsMock.on(DescribeTaskDefinitionCommand).resolves(tdOutput());
      const td = await make().describeTaskDefinition(TD, SCOPE);
      expect(td).toMatchObject({
        kind: 'TaskDefinition',
        arn: TD,
        family: 'web',
        revision: 3,
        tags: { team: 'payments' },
        containers: [{ name: 'app', privileged: true }],
      });
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]!.args[0].input).toEqual({
        taskDefinition: TD,
        include: ['TAGS'],
      });
    });

    it('AccessDeniedException -> EnrichmentError (not retryable), not cached', async () => {
      ecsMock.on(DescribeTaskDefinitionCommand).rejects(
        new AccessDeniedException({
          message: 'User: x is not authorized to perform: ecs:DescribeTaskDefinition',
          $metadata: meta(),
        }),
      );
      const e = make();
      const err = await rejection(e.describeTaskDefinition(TD, SCOPE));
      expect(err).toMatchObject({
        operation: 'ecs:DescribeTaskDefinition',
        code: 'AccessDeniedException',
        retryable: false,
      });
      expect(err.message).toContain(TD);
      expect(err.message).toContain('AccessDeniedException after 1 attempt(s) (User: x is not authorized');
      expect(err.cause).toBeInstanceOf(AccessDeniedException);
      await rejection(e.describeTaskDefinition(TD, SCOPE));
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
    });

    it('throttling after the SDK retries -> retryable EnrichmentError; the next call tries again and succeeds', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejectsOnce(sdkError('ThrottlingException', 'client', 5))
        .resolves(tdOutput());
      const e = make();
      const err = await rejection(e.describeTaskDefinition(TD, SCOPE));
      expect(err).toMatchObject({ code: 'ThrottlingException', retryable: true });
      expect(err.message).toContain('after 5 attempt(s)');
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toMatchObject({ arn: TD });
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
    });

    it('server faults and network errors are retryable; an unreadable response is not', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejectsOnce(new ServerException({ message: 'internal', $metadata: meta(5, 500) }))
        .rejectsOnce(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))
        .resolvesOnce({ $metadata: meta(), taskDefinition: { family: 'web', revision: 3 } });
      const e = make();
      expect(await rejection(e.describeTaskDefinition(TD, SCOPE))).toMatchObject({
        code: 'ServerException',
        retryable: true,
      });
      expect(await rejection(e.describeTaskDefinition(TD, SCOPE))).toMatchObject({
        code: 'ECONNREFUSED',
        retryable: true,
      });
      const bad = await rejection(e.describeTaskDefinition(TD, SCOPE));
      expect(bad).toMatchObject({ code: 'InvalidResponse', retryable: false });
      expect(bad.message).toContain('taskDefinition.containerDefinitions');
    });

    it('ClientException ("Unable to describe task definition.") -> undefined, remembered only for missingTtlMs', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: meta() }));
      const e = make({ taskDefinitionCache: { missingTtlMs: 30_000 } });
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toBeUndefined();
      clock += 29_000;
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toBeUndefined();
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
      clock += 2_000;
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toBeUndefined();
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);

      const noNegativeCache = make({ taskDefinitionCache: { missingTtlMs: 0 } });
      await noNegativeCache.describeTaskDefinition(TD, SCOPE);
      await noNegativeCache.describeTaskDefinition(TD, SCOPE);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(4);
    });

    it('a revision is described once: concurrent callers share the in-flight call, later ones hit the cache', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      ecsMock.on(DescribeTaskDefinitionCommand).callsFake(async () => {
        await gate;
        return tdOutput();
      });
      const e = make();
      const pending = Array.from({ length: 20 }, () => e.describeTaskDefinition(TD, SCOPE));
      release();
      const results = await Promise.all(pending);
      expect(new Set(results).size).toBe(1);
      clock += 24 * 3600_000;
      await e.describeTaskDefinition(TD, SCOPE);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
    });

    it('a family without revision is not cached, but the revision it resolved to is', async () => {
      const family = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web`;
      ecsMock.on(DescribeTaskDefinitionCommand).resolves(tdOutput(TD));
      const e = make();
      await e.describeTaskDefinition(family, SCOPE);
      await e.describeTaskDefinition(family, SCOPE);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toMatchObject({ arn: TD });
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
    });

    it('the cache is bounded: the least recently used revision is dropped first', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .callsFake(async (input: { taskDefinition: string }) => tdOutput(input.taskDefinition));
      const e = make({ taskDefinitionCache: { maxEntries: 2 } });
      const arn = (n: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:${n}`;
      await e.describeTaskDefinition(arn(1), SCOPE);
      await e.describeTaskDefinition(arn(2), SCOPE);
      await e.describeTaskDefinition(arn(1), SCOPE); // 1 is now the most recently used
      await e.describeTaskDefinition(arn(3), SCOPE); // evicts 2
      await e.describeTaskDefinition(arn(1), SCOPE);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(3);
      await e.describeTaskDefinition(arn(2), SCOPE);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(4);
    });
  });

  describe('DescribeNetworkInterfaces', () => {
    it('returns ENI and secondary-address public IPs, looked up with a network-interface-id filter', async () => {
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [
          {
            NetworkInterfaceId: 'eni-1',
            Association: { PublicIp: '203.0.113.10' },
            PrivateIpAddresses: [
              { Association: { PublicIp: '203.0.113.10' } },
              { Association: { PublicIp: '203.0.113.11' } },
            ],
          },
          { NetworkInterfaceId: 'eni-2' },
        ],
      });
      await expect(make().publicIps(['eni-1', 'eni-2'], SCOPE)).resolves.toEqual([
        '203.0.113.10',
        '203.0.113.11',
      ]);
      expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input).toEqual({
        Filters: [{ Name: 'network-interface-id', Values: ['eni-1', 'eni-2'] }],
      });
      await expect(make().publicIps([], SCOPE)).resolves.toEqual([]);
      expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
    });

    it('UnauthorizedOperation -> EnrichmentError', async () => {
      ec2Mock
        .on(DescribeNetworkInterfacesCommand)
        .rejects(sdkError('UnauthorizedOperation', 'client', 1, 403));
      const err = await rejection(make().publicIps(['eni-1'], SCOPE));
      expect(err).toMatchObject({
        operation: 'ec2:DescribeNetworkInterfaces',
        code: 'UnauthorizedOperation',
        retryable: false,
      });
      expect(err.message).toContain('eni-1');
    });
  });

  describe('DescribeServices', () => {
    it('MISSING failure and ClusterNotFoundException -> undefined; other failures and AccessDenied -> EnrichmentError', async () => {
      ecsMock
        .on(DescribeServicesCommand)
        .resolvesOnce({ services: [], failures: [{ arn: SERVICE, reason: 'MISSING' }] })
        .rejectsOnce(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: meta() }))
        .resolvesOnce({ services: [], failures: [{ arn: SERVICE, reason: 'SOMETHING_NEW' }] })
        .rejectsOnce(new AccessDeniedException({ message: 'denied', $metadata: meta() }));
      const e = make();
      await expect(e.describeService(SERVICE, CLUSTER, SCOPE)).resolves.toBeUndefined();
      await expect(e.describeService(SERVICE, CLUSTER, SCOPE)).resolves.toBeUndefined();
      expect(await rejection(e.describeService(SERVICE, CLUSTER, SCOPE))).toMatchObject({
        code: 'SOMETHING_NEW',
      });
      expect(await rejection(e.describeService(SERVICE, CLUSTER, SCOPE))).toMatchObject({
        operation: 'ecs:DescribeServices',
        code: 'AccessDeniedException',
      });
      expect(ecsMock.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({
        cluster: CLUSTER,
        services: [SERVICE],
        include: ['TAGS'],
      });
    });

    it('maps the current service, network configuration and tags included', async () => {
      ecsMock.on(DescribeServicesCommand).resolves({
        services: [
          {
            serviceArn: SERVICE,
            serviceName: 'api',
            clusterArn: CLUSTER,
            networkConfiguration: {
              awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' },
            },
            tags: [{ key: 'owner', value: 'checkout' }],
          },
        ],
      });
      await expect(make().describeService(SERVICE, CLUSTER, SCOPE)).resolves.toMatchObject({
        kind: 'Service',
        arn: SERVICE,
        name: 'api',
        network: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' },
        tags: { owner: 'checkout' },
      });
    });
  });

  describe('credential failures', () => {
    it('fail fast in that (account, region) for the cooldown, then try again', async () => {
      ecsMock.on(DescribeTaskDefinitionCommand).rejects(sdkError('CredentialsProviderError', 'client'));
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      const e = make({ authFailureCooldownMs: 60_000 });
      expect(await rejection(e.describeTaskDefinition(TD, SCOPE))).toMatchObject({
        code: 'CredentialsProviderError',
      });
      const skipped = await rejection(e.publicIps(['eni-1'], SCOPE));
      expect(skipped).toMatchObject({
        code: 'CredentialsProviderError',
        operation: 'ec2:DescribeNetworkInterfaces',
      });
      expect(skipped.message).toMatch(/skipped/);
      expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(0);
      // Another region is another scope.
      await expect(e.publicIps(['eni-1'], { account: ACCOUNT, region: 'eu-west-1' })).resolves.toEqual([]);
      clock += 61_000;
      await expect(e.publicIps(['eni-1'], SCOPE)).resolves.toEqual([]);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
    });

    it('AccessDenied does not block the scope (it can be specific to one operation)', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejects(new AccessDeniedException({ message: 'no', $metadata: meta() }));
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      const e = make();
      await rejection(e.describeTaskDefinition(TD, SCOPE));
      await expect(e.publicIps(['eni-1'], SCOPE)).resolves.toEqual([]);
    });
  });

  describe('clients', () => {
    it('the factory is called lazily, once per (account, region) and kind; the ARN decides the region', async () => {
      const factory: ClientFactory = { ecs: vi.fn(() => ecs), ec2: vi.fn(() => ec2) };
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .callsFake(async (input: { taskDefinition: string }) => tdOutput(input.taskDefinition));
      const e = await createAwsEnricher({ clientFactory: factory });
      expect(factory.ecs).not.toHaveBeenCalled();
      const other = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/batch:2`;
      await e.describeTaskDefinition(TD, SCOPE);
      await e.describeTaskDefinition(TD.replace(':3', ':4'), SCOPE);
      const td = await e.describeTaskDefinition(other, SCOPE);
      expect(td).toMatchObject({ account: ACCOUNT, region: 'eu-west-1' });
      expect(vi.mocked(factory.ecs).mock.calls).toEqual([
        [SCOPE],
        [{ account: ACCOUNT, region: 'eu-west-1' }],
      ]);
      expect(factory.ec2).not.toHaveBeenCalled();
    });

    it('an ARN naming another account than the event is never read (no client, no call): AccountMismatch', async () => {
      const factory: ClientFactory = { ecs: vi.fn(() => ecs), ec2: vi.fn(() => ec2) };
      ecsMock.on(DescribeTaskDefinitionCommand).resolves(tdOutput());
      const e = await createAwsEnricher({ clientFactory: factory });
      const foreignTd = 'arn:aws:ecs:us-east-1:111122223333:task-definition/batch:2';
      const foreignSvc = 'arn:aws:ecs:us-east-1:111122223333:service/prod/api';
      const td = await rejection(e.describeTaskDefinition(foreignTd, SCOPE));
      expect(td).toMatchObject({ operation: 'ecs:DescribeTaskDefinition', code: 'AccountMismatch' });
      expect(td.message).toBe(
        `ecs:DescribeTaskDefinition ${foreignTd}: names account 111122223333, the event is from account ${ACCOUNT}: not read`,
      );
      // A foreign cluster with the event's own service ARN is refused too.
      expect(
        await rejection(e.describeService(SERVICE, 'arn:aws:ecs:us-east-1:111122223333:cluster/prod', SCOPE)),
      ).toMatchObject({ code: 'AccountMismatch' });
      expect(await rejection(e.describeService(foreignSvc, CLUSTER, SCOPE))).toMatchObject({
        code: 'AccountMismatch',
      });
      expect(factory.ecs).not.toHaveBeenCalled();
      expect(ecsMock.calls()).toHaveLength(0);
    });

    it('a factory failure (e.g. credentials for a member account) is an EnrichmentError and is retried next time', async () => {
      ecsMock.on(DescribeTaskDefinitionCommand).resolves(tdOutput());
      const factory: ClientFactory = {
        ecs: vi
          .fn<ClientFactory['ecs']>()
          .mockRejectedValueOnce(sdkError('AccessDenied', 'client'))
          .mockReturnValue(ecs),
        ec2: () => ec2,
      };
      const e = new AwsEnricher({ clientFactory: factory });
      expect(await rejection(e.describeTaskDefinition(TD, SCOPE))).toMatchObject({
        operation: 'ecs:client',
        code: 'AccessDenied',
      });
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toMatchObject({ arn: TD });
      expect(factory.ecs).toHaveBeenCalledTimes(2);
    });

    it('the default factory: region from the scope, adaptive retries, 5 attempts, no endpoint configured', async () => {
      const f = defaultClientFactory();
      const c = await f.ecs({ account: ACCOUNT, region: 'ap-southeast-2' });
      expect(await c.config.region()).toBe('ap-southeast-2');
      expect(await c.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
      expect(await c.config.retryStrategy()).toHaveProperty('mode', 'adaptive');
      expect(c.config.isCustomEndpoint).toBe(false);
      const c2 = await f.ec2({ account: ACCOUNT, region: 'ap-southeast-2' });
      expect(c2).toBeInstanceOf(EC2Client);
      expect(await c2.config.retryStrategy()).toHaveProperty('mode', 'adaptive');
      expect(await (await defaultClientFactory({ maxAttempts: 2 }).ecs(SCOPE)).config.maxAttempts()).toBe(2);
    });
  });

  describe('member accounts through the read role (CrossAccountCredentials on a mocked STS)', () => {
    const MEMBER = '444455556666';
    const MEMBER_TD = `arn:aws:ecs:${REGION}:${MEMBER}:task-definition/web:3`;
    const MEMBER_SCOPE: ResourceScope = { account: MEMBER, region: REGION };
    const stsClient = new STSClient({ region: REGION, credentials: CREDS });
    const stsMock = mockClient(stsClient);
    const denied = () =>
      Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/fn/x is not authorized'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: meta(1, 403),
      });
    const setup = () => {
      const counted: { name: string; dims: Record<string, string> }[] = [];
      const warned: Record<string, unknown>[] = [];
      const credentials = memberRoleCredentials(
        'read',
        { ...DEFAULT_ORGANIZATION_POLICY, externalId: 'ext-do-not-log' },
        { sts: stsClient, homeAccount: ACCOUNT, now: () => clock },
      );
      const factory: ClientFactory = {
        ecs: vi.fn(async (scope: ResourceScope) => {
          await credentials.credentialsFor(scope.account, scope.region);
          return ecs;
        }),
        ec2: () => ec2,
      };
      const e = new AwsEnricher({
        clientFactory: factory,
        now: () => clock,
        metrics: {
          count: () => undefined,
          countWith: (name, dims) => counted.push({ name, dims }),
        },
        logger: { warn: (_m: string, ...x: Record<string, unknown>[]) => warned.push(...x) },
      });
      return { e, factory, counted, warned, credentials };
    };

    beforeEach(() => {
      stsMock.reset();
    });

    it('a role that cannot be assumed: NoAccess naming account and role, counted, logged, no secret', async () => {
      stsMock.on(AssumeRoleCommand).rejects(denied());
      const { e, counted, warned } = setup();
      const err = await rejection(e.describeTaskDefinition(MEMBER_TD, MEMBER_SCOPE));
      expect(err).toMatchObject({ code: 'NoAccess', retryable: false });
      expect(err.message).toBe(
        `no access to account ${MEMBER} (role ecs-guardrail-read): AccessDenied on sts:AssumeRole`,
      );
      expect(counted).toEqual([{ name: 'EnrichmentNoAccess', dims: { account: MEMBER } }]);
      expect(warned[0]).toMatchObject({ account: MEMBER, reason: err.message });
      const all = JSON.stringify({ err, message: err.message, warned });
      expect(all).not.toContain('ext-do-not-log');
      expect(all).not.toContain('not authorized'); // the AWS message quotes ARNs: never repeated
      expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toMatchObject({
        RoleArn: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-read`,
        RoleSessionName: 'ecs-guardrail-read',
        ExternalId: 'ext-do-not-log',
      });
      expect(ecsMock.calls()).toHaveLength(0);
    });

    it('a refused account is not asked again for 60 s (every skipped read still counted and named), then retried', async () => {
      stsMock
        .on(AssumeRoleCommand)
        .rejectsOnce(denied())
        .resolves({
          Credentials: {
            AccessKeyId: 'ASIA1',
            SecretAccessKey: 'assumed-secret',
            SessionToken: 't',
            Expiration: new Date(clock + 3_600_000),
          },
        });
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .callsFake(async (input: { taskDefinition: string }) => tdOutput(input.taskDefinition));
      const { e, counted } = setup();
      await rejection(e.describeTaskDefinition(MEMBER_TD, MEMBER_SCOPE));
      const skipped = await rejection(e.describeTaskDefinition(MEMBER_TD.replace(':3', ':4'), MEMBER_SCOPE));
      expect(skipped.code).toBe('NoAccess');
      expect(skipped.message).toMatch(
        new RegExp(
          `^no access to account ${MEMBER} \\(role ecs-guardrail-read\\): AccessDenied on sts:AssumeRole \\(refused less than 60 s ago\\)$`,
        ),
      );
      expect(counted).toHaveLength(2);
      expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
      // The home account is not blocked by a member's refusal.
      await expect(e.describeTaskDefinition(TD, SCOPE)).resolves.toMatchObject({ arn: TD });
      clock += 61_000;
      await expect(e.describeTaskDefinition(MEMBER_TD, MEMBER_SCOPE)).resolves.toMatchObject({
        arn: MEMBER_TD,
        account: MEMBER,
      });
      expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    });

    it('STS throttled: NoAccess but retryable, and the account is not blocked', async () => {
      stsMock.on(AssumeRoleCommand).rejects(
        Object.assign(new Error('Rate exceeded'), {
          name: 'Throttling',
          $fault: 'client',
          $metadata: meta(5, 400),
        }),
      );
      const { e } = setup();
      const err = await rejection(e.describeTaskDefinition(MEMBER_TD, MEMBER_SCOPE));
      expect(err).toMatchObject({ code: 'NoAccess', retryable: true });
      await rejection(e.describeTaskDefinition(MEMBER_TD, MEMBER_SCOPE));
      expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    });

    it('through the engine: the member event is evaluated, reported incomplete with the no-access reason, nothing guessed', async () => {
      stsMock.on(AssumeRoleCommand).rejects(denied());
      const { e } = setup();
      const event = taskEvent({ tdArn: MEMBER_TD });
      event.account = MEMBER;
      const d = event.detail as Record<string, unknown>;
      d.taskArn = TASK.replace(ACCOUNT, MEMBER);
      d.clusterArn = CLUSTER.replace(ACCOUNT, MEMBER);
      event.resources = [d.taskArn];
      const r = await evaluateRaw(event, deps(e));
      expect(r.incomplete?.reason).toBe(
        `enrichment failed: no access to account ${MEMBER} (role ecs-guardrail-read): AccessDenied on sts:AssumeRole`,
      );
      expect(r.findings.filter((f) => f.ruleId.startsWith('td-'))).toEqual([]);
    });
  });

  describe('hostile scopes', () => {
    it('a made-up region or account never reaches a client, STS or a message', async () => {
      const factory: ClientFactory = { ecs: vi.fn(() => ecs), ec2: vi.fn(() => ec2) };
      const stsClient = new STSClient({ region: REGION, credentials: CREDS });
      const stsMock = mockClient(stsClient);
      const credentials = memberRoleCredentials('read', DEFAULT_ORGANIZATION_POLICY, {
        sts: stsClient,
        homeAccount: ACCOUNT,
      });
      const e = new AwsEnricher({ clientFactory: factory, now: () => clock });
      const evil = 'x.evil.example/\u001b[31m';
      const badRegion = await rejection(e.publicIps(['eni-1'], { account: ACCOUNT, region: evil }));
      expect(badRegion).toMatchObject({ code: 'InvalidRegion', retryable: false });
      expect(badRegion.message).toBe(
        'ec2:DescribeNetworkInterfaces: the region is not an AWS region name: not read',
      );
      const td = `arn:aws:ecs:${evil}:${ACCOUNT}:task-definition/web:1`;
      expect((await rejection(e.describeTaskDefinition(td, SCOPE))).message).not.toContain('evil');
      expect(factory.ecs).not.toHaveBeenCalled();
      expect(factory.ec2).not.toHaveBeenCalled();
      // A CloudTrail recipientAccountId is free text: the provider refuses it before STS, without echoing it.
      const err = await credentials.credentialsFor('12345678901\u001b[2J', REGION).catch((x: unknown) => x);
      expect((err as Error).message).toBe(
        'no access to account (not an account id) (role ecs-guardrail-read): not a 12-digit account id',
      );
      expect(stsMock.calls()).toHaveLength(0);
    });

    it("two accounts' `web:3` are two cache entries (the cache is keyed by the full ARN, never the family)", async () => {
      const OTHER = '444455556666';
      const otherTd = TD.replace(ACCOUNT, OTHER);
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .callsFake(async (input: { taskDefinition: string }) => tdOutput(input.taskDefinition));
      const e = make();
      const a = await e.describeTaskDefinition(TD, SCOPE);
      const b = await e.describeTaskDefinition(otherTd, { account: OTHER, region: REGION });
      await e.describeTaskDefinition(TD, SCOPE);
      expect([a?.account, b?.account]).toEqual([ACCOUNT, OTHER]);
      expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
      expect(taskDefinitionCacheKey(TD)).not.toEqual(taskDefinitionCacheKey(otherTd));
    });
  });

  describe('through the engine', () => {
    it('AccessDenied on ECS and EC2: the event is still evaluated, reported incomplete, no guessed finding', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejects(new AccessDeniedException({ message: 'no', $metadata: meta() }));
      ec2Mock
        .on(DescribeNetworkInterfacesCommand)
        .rejects(sdkError('UnauthorizedOperation', 'client', 1, 403));
      const r = await evaluateRaw(taskEvent({ eniId: 'eni-1' }), deps(make()));
      expect(r.findings.map((f) => f.ruleId)).toEqual([]);
      expect(r.incomplete?.reason).toMatch(
        /^enrichment failed: ec2:DescribeNetworkInterfaces eni-1: UnauthorizedOperation.*; ecs:DescribeTaskDefinition .*AccessDeniedException/,
      );
    });

    it('a truncated registration whose describe fails keeps both reasons', async () => {
      ecsMock.on(DescribeTaskDefinitionCommand).rejects(sdkError('ThrottlingException', 'client', 5));
      const r = await evaluateRaw(truncatedRegister(), deps(make()));
      expect(r.incomplete?.taskDefinition).toBe(TD);
      expect(r.incomplete?.reason).toMatch(
        /truncated .*; enrichment failed: ecs:DescribeTaskDefinition .*ThrottlingException/,
      );
    });

    it('one failed event does not affect the next one', async () => {
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejectsOnce(sdkError('ThrottlingException', 'client', 5))
        .resolves(tdOutput());
      const d = deps(make());
      const first = await evaluateRaw(taskEvent(), d);
      const second = await evaluateRaw(taskEvent(), d);
      expect(first.incomplete).toBeDefined();
      expect(second.incomplete).toBeUndefined();
      expect(second.findings.find((f) => f.ruleId === 'td-privileged')?.resource.arn).toBe(TD);
    });

    it('an error that is not an EnrichmentError (a bug) is not swallowed', async () => {
      const broken: Enricher = {
        describeTaskDefinition: () => Promise.reject(new TypeError('bug')),
        publicIps: () => Promise.resolve([]),
        describeService: () => Promise.resolve(undefined),
      };
      await expect(enrichEvent(normalize(parseEvent(taskEvent())), broken)).rejects.toThrow(TypeError);
    });
  });
});
