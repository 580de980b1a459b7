/**
 * Helpers of the remediation tests (unit and integration): CloudTrail events built from real moto
 * responses, findings from the real engine, and a Remediator wired to moto_server.
 */
import { createStateTable as createSharedStateTable } from '../../../shared/store/state-table';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { ECSClient, RegisterTaskDefinitionCommand, type Tag } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, type CollectionTag, type ScalarTag } from 'yaml';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import type { Finding } from '../../../shared/model/finding';
import { policyFromDocument } from '../../../shared/policy/load';
import type { Policy } from '../../../shared/policy/types';
import { createAwsRemediator, type AwsRemediator } from '../../../shared/remediation/factory';
import { TEST_CREDENTIALS, type Moto } from '../../helpers/moto';

export const HOME = '123456789012';
export const MEMBER = '222222222222';
export const REGION = 'us-east-1';
export const GUARDRAIL_ROLE = `arn:aws:iam::${HOME}:role/ecs-guardrail-remediation-fn`;
export const MEMBER_ROLE_NAME = 'ecs-guardrail-remediation';
export const TABLE = 'guardrail-state';

let seq = 0;
export const uid = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++seq}`;

/** JSON round trip: Dates become strings, undefined disappears (what CloudTrail would carry). */
export function json<T>(x: T): unknown {
  return JSON.parse(JSON.stringify(x)) as unknown;
}

export interface ActorSpec {
  readonly roleArn?: string;
  readonly account?: string;
}

/** An EventBridge "AWS API Call via CloudTrail" event for an ECS call, as AWS would deliver it. */
export function cloudTrailEvent(
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
  opts: { account?: string; region?: string; actor?: ActorSpec; id?: string } = {},
): Record<string, unknown> {
  const account = opts.account ?? HOME;
  const region = opts.region ?? REGION;
  const roleArn = opts.actor?.roleArn ?? `arn:aws:iam::${account}:role/DeployRole`;
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  const id = opts.id ?? crypto.randomUUID();
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${account}:assumed-role/${roleName}/session`,
        accountId: account,
        sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn, userName: roleName } },
      },
      eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      eventSource: 'ecs.amazonaws.com',
      eventName,
      awsRegion: region,
      requestParameters: json(requestParameters),
      responseElements: json(responseElements),
      eventID: crypto.randomUUID(),
      recipientAccountId: account,
    },
  };
}

/** A policy document with the given rules in remediate mode. */
export function policyWith(
  remediate: readonly string[],
  extra: Record<string, unknown> = {},
  remediation: Record<string, unknown> = {},
): Policy {
  return policyFromDocument({
    ...extra,
    rules: Object.fromEntries(remediate.map((id) => [id, { mode: 'remediate' }])),
    remediation: { guardrailRoleArns: [GUARDRAIL_ROLE], ...remediation },
  });
}

/** The findings of one raw event through the real engine (parse, normalize, evaluate). */
export async function findingsOf(event: unknown, policy: Policy): Promise<Finding[]> {
  const r = await evaluateRaw(event, { policy, counter: new MemoryWindowCounter() });
  return r.findings;
}

export async function findingOf(event: unknown, policy: Policy, ruleId: string): Promise<Finding> {
  const f = (await findingsOf(event, policy)).find((x) => x.ruleId === ruleId);
  if (!f) throw new Error(`no ${ruleId} finding for the event`);
  return f;
}

export function clientConfig(moto: Moto, credentials: AwsCredentialIdentity = TEST_CREDENTIALS) {
  return { endpoint: moto.endpoint, region: REGION, credentials, maxAttempts: 1 };
}

export interface MotoClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly sts: STSClient;
  readonly dynamodb: DynamoDBClient;
}

export function motoClients(moto: Moto, credentials?: AwsCredentialIdentity): MotoClients {
  const c = clientConfig(moto, credentials);
  return {
    ecs: new ECSClient(c),
    ec2: new EC2Client(c),
    sts: new STSClient(c),
    dynamodb: new DynamoDBClient(c),
  };
}

/** A Remediator on moto: real clients, cross-account credentials, DynamoDB budget and audit (when a table). */
export function motoRemediator(
  moto: Moto,
  policy: Policy,
  opts: { table?: string; now?: () => Date; dynamodbEndpoint?: string } = {},
): AwsRemediator {
  const c = clientConfig(moto);
  const ddb = opts.dynamodbEndpoint ? { ...c, endpoint: opts.dynamodbEndpoint } : c;
  return createAwsRemediator({
    policy,
    ...(opts.table ? { tableName: opts.table, dynamodb: new DynamoDBClient(ddb) } : {}),
    sts: new STSClient(c),
    ecsConfig: { endpoint: moto.endpoint, credentials: TEST_CREDENTIALS },
    maxAttempts: 1,
    actionParams: { 'enable-container-insights': { api: 'UpdateCluster' } },
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/** The state table of the contract (shared/store/state-table.ts, checked against infra/state.yml). */
export function createStateTable(dynamodb: DynamoDBClient, name = TABLE): Promise<void> {
  return createSharedStateTable(dynamodb, name);
}

export interface Network {
  readonly subnets: string[];
  readonly securityGroups: string[];
}

/** A VPC with DNS hostnames (RunTask needs them in moto), two subnets and two security groups. */
export async function createNetwork(ec2: EC2Client): Promise<Network> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const VpcId = vpc.Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } }));
  const subnets: string[] = [];
  for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
    const s = await ec2.send(
      new CreateSubnetCommand({ VpcId, CidrBlock: `10.20.${i}.0/24`, AvailabilityZone: az }),
    );
    subnets.push(s.Subnet!.SubnetId!);
  }
  const securityGroups: string[] = [];
  for (const name of ['web', 'egress']) {
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: uid(name), Description: name, VpcId }),
    );
    securityGroups.push(g.GroupId!);
  }
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroups[0],
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    }),
  );
  return { subnets, securityGroups };
}

export const asTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

/** Register a task definition (container-level memory, as moto's RunTask needs) and return its event. */
export async function registerTaskDefinition(
  ecs: ECSClient,
  opts: {
    family?: string;
    privileged?: boolean;
    tags?: Record<string, string>;
    actor?: ActorSpec;
    account?: string;
  } = {},
): Promise<{ arn: string; event: Record<string, unknown> }> {
  const request = {
    family: opts.family ?? uid('web'),
    networkMode: 'awsvpc' as const,
    requiresCompatibilities: ['FARGATE' as const],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0.0',
        memory: 512,
        essential: true,
        ...(opts.privileged === false ? {} : { privileged: true }),
      },
    ],
    ...(opts.tags ? { tags: asTags(opts.tags) } : {}),
  };
  const out = await ecs.send(new RegisterTaskDefinitionCommand(request));
  const arn = out.taskDefinition!.taskDefinitionArn!;
  return {
    arn,
    event: cloudTrailEvent(
      'RegisterTaskDefinition',
      request,
      { taskDefinition: out.taskDefinition },
      {
        ...(opts.account ? { account: opts.account } : {}),
        ...(opts.actor ? { actor: opts.actor } : {}),
      },
    ),
  };
}

export interface Proxy {
  readonly endpoint: string;
  /** The most DynamoDB requests received and not yet answered at once (>1: the callers really raced). */
  readonly maxDynamoDbPending: () => number;
  stop(): Promise<void>;
}

/**
 * A loopback proxy in front of moto that passes every request through, and DynamoDB requests one at a
 * time. Why: moto_server is threaded and evaluates a conditional UpdateItem and applies it without a
 * lock, so racing conditional updates on one item can all succeed (seen: 11 or 12 of 20 with a limit of
 * 10). DynamoDB itself guarantees that a single-item conditional write is atomic; serializing DynamoDB
 * requests models that guarantee. Everything else (ECS, STS, the remediations themselves) stays
 * concurrent.
 */
export async function startDynamoDbSerializingProxy(moto: Moto): Promise<Proxy> {
  const { createServer, request } = await import('node:http');
  const target = new URL(moto.endpoint);
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let maxPending = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () =>
        new Promise<void>((done) => {
          const up = request(
            {
              host: target.hostname,
              port: target.port,
              method: req.method,
              path: req.url,
              headers: req.headers,
            },
            (upRes) => {
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              upRes.pipe(res);
              upRes.on('end', () => done());
            },
          );
          up.on('error', () => {
            res.writeHead(502).end();
            done();
          });
          up.end(body);
        });
      const isDynamoDb = String(req.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');
      if (!isDynamoDb) {
        void forward();
        return;
      }
      pending++;
      maxPending = Math.max(maxPending, pending);
      chain = chain.then(async () => {
        await forward();
        pending--;
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    maxDynamoDbPending: () => maxPending,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A finding as the engine makes it (for unit tests that do not go through an event). */
export function makeFinding(
  ruleId: string,
  arn: string,
  overrides: Partial<Finding> & { actorRoleArn?: string } = {},
): Finding {
  const { actorRoleArn, ...rest } = overrides;
  const [, , , region = REGION, account = HOME] = arn.split(':');
  return {
    findingId: `f-${ruleId}-${arn.length}`,
    ruleId,
    severity: 'high',
    title: ruleId,
    resource: { type: 'AWS::ECS::Service', arn },
    account,
    region,
    evidence: [{ path: 'x', message: 'y' }],
    event: {
      id: 'evt-1',
      source: 'aws.ecs',
      detailType: 'AWS API Call via CloudTrail',
      time: '2026-11-22T10:00:00Z',
      actor: {
        arn: `arn:aws:sts::${account}:assumed-role/DeployRole/s`,
        roleArn: actorRoleArn ?? `arn:aws:iam::${account}:role/DeployRole`,
      },
    },
    controls: {},
    mode: 'remediate',
    ...rest,
  };
}

export const MEMBER_TEMPLATE = join(__dirname, '..', '..', '..', 'infra', 'member-account.yml');

/** CloudFormation short-form tags -> their long form, so the template parses as plain data. */
export function cfnTags(): (ScalarTag | CollectionTag)[] {
  const names = [
    'Ref',
    'Sub',
    'GetAtt',
    'If',
    'Equals',
    'Not',
    'Or',
    'And',
    'Condition',
    'Join',
    'Select',
    'Split',
  ];
  const fn = (n: string): string => (n === 'Ref' || n === 'Condition' ? n : `Fn::${n}`);
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const n of names) {
    tags.push({ tag: `!${n}`, resolve: (v: string) => ({ [fn(n)]: n === 'GetAtt' ? v.split('.') : v }) });
    tags.push({
      tag: `!${n}`,
      collection: 'seq',
      resolve: (v) => ({ [fn(n)]: (v as unknown as { toJSON(): unknown }).toJSON() }),
    } as CollectionTag);
  }
  return tags;
}

/** infra/member-account.yml as plain data (short-form tags turned into their long form). */
export function readTemplate(): unknown {
  return parseYaml(readFileSync(MEMBER_TEMPLATE, 'utf8'), { customTags: cfnTags() });
}
