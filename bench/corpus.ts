/**
 * Deterministic benchmark corpus: EventBridge events of every kind the guardrail reads, shaped like the
 * samples of the test corpus (test/fixtures/events, events/; written here as templates, no file is read)
 * and sized per docs/events.md (CloudTrail caps requestParameters and responseElements at 100 KB each;
 * a successful RegisterTaskDefinition is bounded by the 64 KiB task definition quota).
 *
 * The mix is dominated by small events (task state changes, service actions, throttled calls) with a
 * tail of large task definitions. Roughly 60 % of the configurable events are compliant; the rest carry
 * one or more violations, so every rule family does real work. Same seed, same corpus, byte for byte.
 */

// ------------------------------------------------------------------ seeded randomness

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly r: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)] as T;
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((s, [, w]) => s + w, 0);
    let x = this.r() * total;
    for (const [v, w] of xs) {
      x -= w;
      if (x < 0) return v;
    }
    return xs[xs.length - 1]![0];
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.r() * 16)];
    return s;
  }
  alnum(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.r() * alphabet.length)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
}

// ------------------------------------------------------------------ corpus model

export type EventType =
  | 'task-state'
  | 'service-action'
  | 'deployment'
  | 'container-instance'
  | 'ct-throttled'
  | 'ct-update-service'
  | 'ct-create-service'
  | 'ct-run-task'
  | 'ct-create-cluster'
  | 'ct-register-td'
  | 'ct-other-ecs';

/** Share of the corpus by event count (sums to 100). */
export const MIX: readonly (readonly [EventType, number])[] = [
  ['task-state', 34],
  ['service-action', 12],
  ['deployment', 4],
  ['container-instance', 6],
  ['ct-throttled', 10],
  ['ct-update-service', 10],
  ['ct-create-service', 3],
  ['ct-run-task', 6],
  ['ct-create-cluster', 1],
  ['ct-register-td', 12],
  ['ct-other-ecs', 2],
];

/** RegisterTaskDefinition sub-mix (share of the RegisterTaskDefinition events). */
export const TD_MIX: readonly (readonly [TdSize, number])[] = [
  ['small', 60], // 1-3 containers, a few variables: 4-16 KB events
  ['medium', 25], // 2-6 containers, tens of variables: 16-64 KB events
  ['large', 10], // up to 10 containers, request 32-63 KB (64 KiB quota): 64-135 KB events
  ['rejected-oversized', 3], // ClientException, request 64-100 KB (CloudTrail cap), response null
  ['truncated', 2], // {"omitted": true}: task definition unknown
];
export type TdSize = 'small' | 'medium' | 'large' | 'rejected-oversized' | 'truncated';

/** Size classes by serialized (compact JSON) bytes. */
export const SIZE_CLASSES: readonly { readonly name: string; readonly max: number }[] = [
  { name: '<1 KB', max: 1024 },
  { name: '1-4 KB', max: 4 * 1024 },
  { name: '4-16 KB', max: 16 * 1024 },
  { name: '16-64 KB', max: 64 * 1024 },
  { name: '64-200 KB', max: 200 * 1024 },
];

export function sizeClassOf(bytes: number): string {
  for (const c of SIZE_CLASSES) if (bytes < c.max) return c.name;
  return `>=${SIZE_CLASSES[SIZE_CLASSES.length - 1]!.name}`;
}

export interface CorpusEvent {
  readonly type: EventType;
  /** Sub-variant (e.g. `large`, `ECS_OPERATION_THROTTLED`, `ec2`), for the description. */
  readonly variant: string;
  /** Whether the generator planted a violation (throttles and failures count as non-compliant). */
  readonly compliant: boolean;
  /** The event as EventBridge delivers it: compact JSON. */
  readonly json: string;
  readonly bytes: number;
  readonly sizeClass: string;
}

// ------------------------------------------------------------------ shared vocabulary

const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const CLUSTERS = ['prod-cluster', 'staging', 'batch', 'default'];
const SERVICES = [
  'checkout-api',
  'payments',
  'catalog',
  'search',
  'web-frontend',
  'orders-worker',
  'notifications',
  'inventory',
  'auth',
  'recommendations',
];
const FAMILIES = [...SERVICES, 'db-migrate', 'node-exporter', 'nightly-report', 'etl-loader', 'log-router'];
const ROLES = [
  'DeployRole',
  'github-actions-deploy',
  'terraform-apply',
  'checkout-autoscaler',
  'platform-admin',
];
const USER_AGENTS = [
  'aws-cli/2.22.8 md/awscrt#0.23.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ecs.',
  'aws-sdk-js/3.731.1 ua/2.1 os/linux#6.8.0-1021-azure lang/js md/nodejs#20.18.2 api/ecs#3.731.1 m/E,N',
  'APN/1.0 HashiCorp/1.0 Terraform/1.10.5 (+https://www.terraform.io) terraform-provider-aws/5.84.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.0 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.53.0',
  'cloudformation.amazonaws.com',
];
const BASE_TIME_MS = Date.parse('2026-03-02T00:00:00Z');
const DAY_MS = 86_400_000;

/** Event time: spread over one day; throttles cluster in bursts so aggregation windows fill up. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface Where {
  account: string;
  region: string;
  cluster: string;
  time: string;
}

function where(g: Gen, timeMs?: number): Where {
  return {
    account: g.pick(ACCOUNTS),
    region: g.pick(REGIONS),
    cluster: g.pick(CLUSTERS),
    time: isoSeconds(timeMs ?? BASE_TIME_MS + Math.floor(g.r() * DAY_MS)),
  };
}

const clusterArn = (w: Where): string => `arn:aws:ecs:${w.region}:${w.account}:cluster/${w.cluster}`;
const serviceArn = (w: Where, svc: string): string =>
  `arn:aws:ecs:${w.region}:${w.account}:service/${w.cluster}/${svc}`;
const tdArn = (w: Where, family: string, rev: number): string =>
  `arn:aws:ecs:${w.region}:${w.account}:task-definition/${family}:${rev}`;
const ecrImage = (w: Where, repo: string, tag: string): string =>
  `${w.account}.dkr.ecr.${w.region}.amazonaws.com/${repo}:${tag}`;

function envelope(
  g: Gen,
  w: Where,
  detailType: string,
  source: string,
  resources: string[],
  detail: object,
): object {
  return {
    version: '0',
    id: g.uuid(),
    'detail-type': detailType,
    source,
    account: w.account,
    time: w.time,
    region: w.region,
    resources,
    detail,
  };
}

function userIdentity(g: Gen, w: Where, role = g.pick(ROLES)): object {
  const session = g.pick(['jane.doe', 'GitHubActions', 'terraform', 'autoscaler-session', 'ops-bot']);
  const principalId = `AROA${g.alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
  return {
    type: 'AssumedRole',
    principalId: `${principalId}:${session}`,
    arn: `arn:aws:sts::${w.account}:assumed-role/${role}/${session}`,
    accountId: w.account,
    accessKeyId: `ASIA${g.alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId,
        arn: `arn:aws:iam::${w.account}:role/${role}`,
        accountId: w.account,
        userName: role,
      },
      webIdFederationData: {},
      attributes: { creationDate: w.time, mfaAuthenticated: 'false' },
    },
  };
}

const SCHEDULER_IDENTITY = (w: Where): object => ({
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLESLR123456:ecs-service-scheduler',
  arn: `arn:aws:sts::${w.account}:assumed-role/AWSServiceRoleForECS/ecs-service-scheduler`,
  accountId: w.account,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLESLR123456',
      arn: `arn:aws:iam::${w.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      accountId: w.account,
      userName: 'AWSServiceRoleForECS',
    },
    attributes: { creationDate: w.time, mfaAuthenticated: 'false' },
  },
  invokedBy: 'ecs.amazonaws.com',
});

function cloudTrail(
  g: Gen,
  w: Where,
  o: {
    source?: string;
    eventSource?: string;
    eventName: string;
    identity?: object;
    requestParameters: unknown;
    responseElements: unknown;
    errorCode?: string;
    errorMessage?: string;
    readOnly?: boolean;
  },
): object {
  const eventSource = o.eventSource ?? 'ecs.amazonaws.com';
  const detail = {
    eventVersion: '1.11',
    userIdentity: o.identity ?? userIdentity(g, w),
    eventTime: w.time,
    eventSource,
    eventName: o.eventName,
    awsRegion: w.region,
    sourceIPAddress: `203.0.113.${g.int(1, 254)}`,
    userAgent: g.pick(USER_AGENTS),
    ...(o.errorCode ? { errorCode: o.errorCode, errorMessage: o.errorMessage ?? 'Rate exceeded' } : {}),
    requestParameters: o.requestParameters,
    responseElements: o.responseElements,
    requestID: g.uuid(),
    eventID: g.uuid(),
    readOnly: o.readOnly ?? false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: w.account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${eventSource.split('.')[0]}.${w.region}.amazonaws.com`,
    },
  };
  return envelope(g, w, 'AWS API Call via CloudTrail', o.source ?? 'aws.ecs', [], detail);
}

function awsvpc(g: Gen, assignPublicIp: 'ENABLED' | 'DISABLED'): object {
  const subnets = Array.from({ length: g.int(1, 3) }, () => `subnet-${g.hex(17)}`);
  return {
    awsvpcConfiguration: { subnets, securityGroups: [`sg-${g.hex(17)}`], assignPublicIp },
  };
}

function tags(g: Gen, extra: { key: string; value: string }[] = []): { key: string; value: string }[] {
  const base = [
    { key: 'team', value: g.pick(['payments', 'platform', 'search', 'growth']) },
    { key: 'env', value: g.pick(['prod', 'staging']) },
  ];
  return [...base.slice(0, g.int(0, 2)), ...extra];
}

// ------------------------------------------------------------------ ECS-native events

function taskState(g: Gen): [object, boolean, string] {
  const w = where(g);
  const id = g.hex(32);
  const taskArn = `arn:aws:ecs:${w.region}:${w.account}:task/${w.cluster}/${id}`;
  const family = g.pick(FAMILIES);
  const lastStatus = g.weighted([
    ['RUNNING', 45],
    ['PENDING', 15],
    ['PROVISIONING', 10],
    ['DEPROVISIONING', 10],
    ['STOPPED', 20],
  ] as const);
  const exec = g.chance(0.08);
  const eni = `eni-${g.hex(17)}`;
  const ip = `10.0.${g.int(0, 255)}.${g.int(1, 254)}`;
  const attachments =
    lastStatus === 'PROVISIONING'
      ? [
          {
            id: g.uuid(),
            type: 'eni',
            status: 'PRECREATED',
            details: [{ name: 'subnetId', value: `subnet-${g.hex(17)}` }],
          },
        ]
      : [
          {
            id: g.uuid(),
            type: 'eni',
            status: lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
            details: [
              { name: 'subnetId', value: `subnet-${g.hex(17)}` },
              { name: 'networkInterfaceId', value: eni },
              { name: 'macAddress', value: '0e:50:d1:c1:77:81' },
              { name: 'privateDnsName', value: `ip-${ip.replaceAll('.', '-')}.${w.region}.compute.internal` },
              { name: 'privateIPv4Address', value: ip },
            ],
          },
        ];
  const containers = Array.from({ length: g.int(1, 4) }, (_, i) => ({
    containerArn: `arn:aws:ecs:${w.region}:${w.account}:container/${w.cluster}/${id}/${g.uuid()}`,
    lastStatus: lastStatus === 'STOPPED' ? 'STOPPED' : lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
    name: i === 0 ? family : g.pick(['envoy', 'log-router', 'xray-daemon', 'datadog-agent']),
    image: ecrImage(w, family, `2026.03.${g.int(1, 28)}`),
    imageDigest: `sha256:${g.hex(64)}`,
    runtimeId: `${id}-${g.int(1000000000, 4000000000)}`,
    taskArn,
    networkInterfaces:
      lastStatus === 'PROVISIONING' ? [] : [{ attachmentId: attachments[0]!.id, privateIpv4Address: ip }],
    cpu: String(g.pick([0, 128, 256, 512])),
    ...(lastStatus === 'STOPPED' ? { exitCode: g.pick([0, 0, 1, 137]) } : {}),
  }));
  const detail = {
    attachments,
    attributes: [{ name: 'ecs.cpu-architecture', value: g.pick(['x86_64', 'arm64']) }],
    availabilityZone: `${w.region}${g.pick(['a', 'b', 'c'])}`,
    capacityProviderName: 'FARGATE',
    clusterArn: clusterArn(w),
    connectivity: 'CONNECTED',
    connectivityAt: w.time,
    containers,
    cpu: String(g.pick([256, 512, 1024, 2048])),
    createdAt: w.time,
    desiredStatus: lastStatus === 'STOPPED' || lastStatus === 'DEPROVISIONING' ? 'STOPPED' : 'RUNNING',
    enableExecuteCommand: exec,
    group: g.chance(0.8) ? `service:${family}` : `family:${family}`,
    launchType: 'FARGATE',
    lastStatus,
    memory: String(g.pick([512, 1024, 2048, 4096])),
    overrides: { containerOverrides: containers.map((c) => ({ name: c.name })) },
    platformVersion: '1.4.0',
    startedBy: `ecs-svc/${g.int(1e15, 9e15)}`,
    taskArn,
    taskDefinitionArn: tdArn(w, family, g.int(1, 120)),
    updatedAt: w.time,
    version: g.int(1, 6),
    ...(lastStatus === 'STOPPED'
      ? {
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          stoppedAt: w.time,
        }
      : {}),
  };
  return [envelope(g, w, 'ECS Task State Change', 'aws.ecs', [taskArn], detail), !exec, lastStatus];
}

function serviceAction(g: Gen): [object, boolean, string] {
  const eventName = g.weighted([
    ['SERVICE_STEADY_STATE', 45],
    ['TASKSET_STEADY_STATE', 5],
    ['CAPACITY_PROVIDER_STEADY_STATE', 5],
    ['SERVICE_DESIRED_COUNT_UPDATED', 5],
    ['ECS_OPERATION_THROTTLED', 20],
    ['SERVICE_DISCOVERY_OPERATION_THROTTLED', 5],
    ['SERVICE_TASK_PLACEMENT_FAILURE', 15],
  ] as const);
  const bad = eventName.includes('THROTTLED') || eventName.includes('FAILURE');
  const w = where(g, bad ? burstTime(g) : undefined);
  const svc = g.pick(SERVICES);
  const detail: Record<string, unknown> = {
    eventType: bad ? 'ERROR' : 'INFO',
    eventName,
    clusterArn: clusterArn(w),
    createdAt: `${w.time.slice(0, -1)}.${g.int(100, 999)}Z`,
  };
  if (eventName === 'SERVICE_TASK_PLACEMENT_FAILURE') {
    detail.reason = g.pick(['RESOURCE:CPU', 'RESOURCE:MEMORY', 'RESOURCE:FARGATE']);
    detail.capacityProviderArns = [`arn:aws:ecs:${w.region}:${w.account}:capacity-provider/FARGATE_SPOT`];
  }
  return [envelope(g, w, 'ECS Service Action', 'aws.ecs', [serviceArn(w, svc)], detail), !bad, eventName];
}

function deployment(g: Gen): [object, boolean, string] {
  const w = where(g);
  const eventName = g.weighted([
    ['SERVICE_DEPLOYMENT_IN_PROGRESS', 45],
    ['SERVICE_DEPLOYMENT_COMPLETED', 45],
    ['SERVICE_DEPLOYMENT_FAILED', 10],
  ] as const);
  const failed = eventName === 'SERVICE_DEPLOYMENT_FAILED';
  const detail = {
    eventType: failed ? 'ERROR' : 'INFO',
    eventName,
    deploymentId: `ecs-svc/${g.int(1e15, 9e15)}`,
    updatedAt: w.time,
    reason: failed
      ? 'ECS deployment circuit breaker: task failed to start.'
      : `ECS deployment ecs-svc/${g.int(1e15, 9e15)} ${eventName === 'SERVICE_DEPLOYMENT_COMPLETED' ? 'completed' : 'in progress'}.`,
  };
  const svc = serviceArn(w, g.pick(SERVICES));
  return [envelope(g, w, 'ECS Deployment State Change', 'aws.ecs', [svc], detail), !failed, eventName];
}

const AGENT_ATTRIBUTES = [
  'com.amazonaws.ecs.capability.logging-driver.syslog',
  'com.amazonaws.ecs.capability.task-iam-role-network-host',
  'com.amazonaws.ecs.capability.logging-driver.awslogs',
  'com.amazonaws.ecs.capability.logging-driver.json-file',
  'com.amazonaws.ecs.capability.docker-remote-api.1.17',
  'com.amazonaws.ecs.capability.docker-remote-api.1.18',
  'com.amazonaws.ecs.capability.docker-remote-api.1.19',
  'com.amazonaws.ecs.capability.ecr-auth',
  'com.amazonaws.ecs.capability.docker-remote-api.1.20',
  'com.amazonaws.ecs.capability.docker-remote-api.1.21',
  'com.amazonaws.ecs.capability.task-iam-role',
  'ecs.capability.execution-role-awslogs',
  'ecs.capability.container-health-check',
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.efsAuth',
];

function containerInstance(g: Gen): [object, boolean, string] {
  const w = where(g);
  const privileged = g.chance(0.25);
  const eniNoBlock = g.chance(0.2);
  const attributes = AGENT_ATTRIBUTES.map((name) => ({ name }));
  if (privileged) attributes.push({ name: 'com.amazonaws.ecs.capability.privileged-container' });
  attributes.push({ name: 'ecs.capability.task-eni' });
  if (!eniNoBlock) attributes.push({ name: 'ecs.capability.task-eni-block-instance-metadata' });
  attributes.push({ name: 'ecs.os-type', value: 'linux' } as { name: string });
  const arn = `arn:aws:ecs:${w.region}:${w.account}:container-instance/${w.cluster}/${g.hex(32)}`;
  const res = (cpu: number, mem: number): object[] => [
    { name: 'CPU', type: 'INTEGER', integerValue: cpu },
    { name: 'MEMORY', type: 'INTEGER', integerValue: mem },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2376', '2375', '51678', '51679'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ];
  const detail = {
    agentConnected: true,
    attributes,
    clusterArn: clusterArn(w),
    containerInstanceArn: arn,
    ec2InstanceId: `i-${g.hex(17)}`,
    registeredResources: res(2048, 3767),
    remainingResources: res(g.int(0, 2048), g.int(0, 3767)),
    status: g.pick(['ACTIVE', 'ACTIVE', 'DRAINING']),
    version: g.int(1, 20000),
    versionInfo: { agentHash: g.hex(7), agentVersion: '1.89.0', dockerVersion: 'DockerVersion: 25.0.8' },
    updatedAt: w.time,
  };
  return [
    envelope(g, w, 'ECS Container Instance State Change', 'aws.ecs', [arn], detail),
    !privileged && !eniNoBlock,
    privileged ? 'privileged' : eniNoBlock ? 'imds-reachable' : 'compliant',
  ];
}

// ------------------------------------------------------------------ CloudTrail: throttles and services

/** Throttling comes in bursts: 8 five-minute bursts a day, each a few minutes long. */
function burstTime(g: Gen): number {
  return BASE_TIME_MS + g.int(0, 7) * (DAY_MS / 8) + g.int(0, 240) * 1000;
}

const THROTTLE_KINDS = ['ecs', 'ec2', 'ecs', 'elb', 'ec2', 'ecs', 'servicediscovery', 'ecs'] as const;

/**
 * A throttling storm is one caller hammering one API: burst `b` of the day fixes the account, region,
 * service and caller, so aggregation windows reach their threshold (10) and some their escalation (100).
 */
function ctThrottled(g: Gen): [object, boolean, string] {
  const b = g.int(0, 7);
  const w: Where = {
    account: ACCOUNTS[b % ACCOUNTS.length]!,
    region: REGIONS[b % REGIONS.length]!,
    cluster: CLUSTERS[b % CLUSTERS.length]!,
    time: isoSeconds(BASE_TIME_MS + b * (DAY_MS / 8) + g.int(0, 240) * 1000),
  };
  const kind = THROTTLE_KINDS[b]!;
  const scheduler = kind === 'elb' || kind === 'servicediscovery';
  const identity = scheduler ? SCHEDULER_IDENTITY(w) : userIdentity(g, w, ROLES[b % 3]!);
  switch (kind) {
    case 'ecs':
      return [
        cloudTrail(g, w, {
          eventName: g.chance(0.9)
            ? ['UpdateService', 'RunTask', 'TagResource'][b % 3]!
            : 'RegisterTaskDefinition',
          identity,
          errorCode: 'ThrottlingException',
          requestParameters: { cluster: w.cluster, service: g.pick(SERVICES), desiredCount: g.int(1, 10) },
          responseElements: null,
        }),
        false,
        'ecs ThrottlingException',
      ];
    case 'ec2':
      return [
        cloudTrail(g, w, {
          source: 'aws.ec2',
          eventSource: 'ec2.amazonaws.com',
          eventName: g.chance(0.9) ? 'CreateNetworkInterface' : 'AuthorizeSecurityGroupIngress',
          identity,
          errorCode: 'Client.RequestLimitExceeded',
          errorMessage: 'Request limit exceeded.',
          requestParameters: {
            groupId: `sg-${g.hex(17)}`,
            ipPermissions: {
              items: [
                {
                  ipProtocol: 'tcp',
                  fromPort: 443,
                  toPort: 443,
                  ipRanges: { items: [{ cidrIp: '10.0.0.0/16' }] },
                },
              ],
            },
          },
          responseElements: null,
        }),
        false,
        'ec2 Client.RequestLimitExceeded',
      ];
    case 'elb':
      return [
        cloudTrail(g, w, {
          source: 'aws.elasticloadbalancing',
          eventSource: 'elasticloadbalancing.amazonaws.com',
          eventName: 'DescribeTargetHealth',
          identity,
          errorCode: 'ThrottlingException',
          requestParameters: {
            targetGroupArn: `arn:aws:elasticloadbalancing:${w.region}:${w.account}:targetgroup/${g.pick(SERVICES)}/${g.hex(16)}`,
          },
          responseElements: null,
          readOnly: true,
        }),
        false,
        'elb ThrottlingException',
      ];
    default:
      return [
        cloudTrail(g, w, {
          source: 'aws.servicediscovery',
          eventSource: 'servicediscovery.amazonaws.com',
          eventName: 'RegisterInstance',
          identity,
          errorCode: 'ThrottlingException',
          requestParameters: { serviceId: `srv-${g.alnum(16)}`, instanceId: g.hex(32) },
          responseElements: null,
        }),
        false,
        'servicediscovery ThrottlingException',
      ];
  }
}

function serviceBody(
  g: Gen,
  w: Where,
  svc: string,
  o: { publicIp: boolean; exec: boolean; platformVersion: string; rev: number },
): Record<string, unknown> {
  const net = awsvpc(g, o.publicIp ? 'ENABLED' : 'DISABLED');
  const td = tdArn(w, svc, o.rev);
  const deploymentsCount = g.int(1, 2);
  return {
    serviceArn: serviceArn(w, svc),
    serviceName: svc,
    clusterArn: clusterArn(w),
    loadBalancers: g.chance(0.6)
      ? [
          {
            targetGroupArn: `arn:aws:elasticloadbalancing:${w.region}:${w.account}:targetgroup/${svc}/${g.hex(16)}`,
            containerName: svc,
            containerPort: 8080,
          },
        ]
      : [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: g.int(1, 12),
    runningCount: g.int(0, 12),
    pendingCount: 0,
    launchType: 'FARGATE',
    platformVersion: o.platformVersion,
    taskDefinition: td,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments: Array.from({ length: deploymentsCount }, (_, i) => ({
      id: `ecs-svc/${g.int(1e15, 9e15)}`,
      status: i === 0 ? 'PRIMARY' : 'ACTIVE',
      taskDefinition: td,
      desiredCount: g.int(0, 12),
      pendingCount: 0,
      runningCount: g.int(0, 12),
      failedTasks: 0,
      createdAt: 'Mar 2, 2026 8:05:02 AM',
      updatedAt: 'Mar 2, 2026 8:05:02 AM',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      networkConfiguration: net,
      rolloutState: i === 0 ? 'IN_PROGRESS' : 'COMPLETED',
      rolloutStateReason: `ECS deployment ecs-svc/${g.int(1e15, 9e15)} in progress.`,
    })),
    roleArn: `arn:aws:iam::${w.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: [],
    createdAt: 'Mar 2, 2026 8:05:02 AM',
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: net,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${w.account}:role/DeployRole`,
    enableECSManagedTags: false,
    propagateTags: 'SERVICE',
    enableExecuteCommand: o.exec,
    ...(g.chance(0.3) ? { tags: tags(g) } : {}),
  };
}

function serviceCall(g: Gen, eventName: 'CreateService' | 'UpdateService'): [object, boolean, string] {
  const w = where(g);
  const svc = g.pick(SERVICES);
  const compliant = g.chance(0.6);
  const publicIp = !compliant && g.chance(0.5);
  const exec = !compliant && (!publicIp || g.chance(0.3));
  const oldPlatform = !compliant && !publicIp && !exec ? true : !compliant && g.chance(0.2);
  const platformVersion = oldPlatform ? '1.3.0' : g.pick(['LATEST', '1.4.0']);
  const rev = g.int(1, 200);
  const body = serviceBody(g, w, svc, { publicIp, exec, platformVersion, rev });
  const desiredOnly = eventName === 'UpdateService' && g.chance(0.4);
  const request =
    eventName === 'CreateService'
      ? {
          cluster: w.cluster,
          serviceName: svc,
          taskDefinition: `${svc}:${rev}`,
          desiredCount: body.desiredCount,
          launchType: 'FARGATE',
          platformVersion,
          networkConfiguration: body.networkConfiguration,
          deploymentConfiguration: body.deploymentConfiguration,
          enableExecuteCommand: exec,
          propagateTags: 'SERVICE',
          clientToken: g.uuid(),
        }
      : desiredOnly
        ? { cluster: w.cluster, service: svc, desiredCount: body.desiredCount }
        : {
            cluster: w.cluster,
            service: svc,
            taskDefinition: `${svc}:${rev}`,
            networkConfiguration: body.networkConfiguration,
            enableExecuteCommand: exec,
            forceNewDeployment: g.chance(0.5),
          };
  return [
    cloudTrail(g, w, { eventName, requestParameters: request, responseElements: { service: body } }),
    compliant,
    desiredOnly ? 'desired-count-only' : compliant ? 'compliant' : 'non-compliant',
  ];
}

function runTask(g: Gen): [object, boolean, string] {
  const w = where(g);
  const family = g.pick(FAMILIES);
  const rev = g.int(1, 80);
  const compliant = g.chance(0.6);
  const publicIp = !compliant && g.chance(0.6);
  const exec = !compliant && (!publicIp || g.chance(0.4));
  const count = g.weighted([
    [1, 70],
    [2, 20],
    [4, 10],
  ] as const);
  const request = {
    cluster: w.cluster,
    taskDefinition: `${family}:${rev}`,
    count,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    startedBy: g.pick(['ci-pipeline-7731', 'events-rule/nightly', 'ops-bot']),
    enableExecuteCommand: exec,
    networkConfiguration: awsvpc(g, publicIp ? 'ENABLED' : 'DISABLED'),
    overrides: {
      containerOverrides: [
        {
          name: family,
          command: ['sh', '-c', 'run-job --all'],
          environment: [{ name: 'TARGET_ENV', value: 'prod' }],
        },
      ],
    },
  };
  const tasks = Array.from({ length: count }, () => {
    const id = g.hex(32);
    const taskArn = `arn:aws:ecs:${w.region}:${w.account}:task/${w.cluster}/${id}`;
    return {
      attachments: [
        {
          id: g.uuid(),
          type: 'ElasticNetworkInterface',
          status: 'PRECREATED',
          details: [{ name: 'subnetId', value: `subnet-${g.hex(17)}` }],
        },
      ],
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone: `${w.region}a`,
      clusterArn: clusterArn(w),
      containers: [
        {
          containerArn: `arn:aws:ecs:${w.region}:${w.account}:container/${w.cluster}/${id}/${g.uuid()}`,
          taskArn,
          name: family,
          image: ecrImage(w, family, `2026.03.${g.int(1, 28)}`),
          lastStatus: 'PENDING',
          networkInterfaces: [],
          cpu: '0',
        },
      ],
      cpu: '256',
      memory: '512',
      createdAt: 'Mar 4, 2026 9:12:30 AM',
      desiredStatus: 'RUNNING',
      enableExecuteCommand: exec,
      group: `family:${family}`,
      lastStatus: 'PROVISIONING',
      launchType: 'FARGATE',
      overrides: request.overrides,
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      startedBy: request.startedBy,
      tags: [],
      taskArn,
      taskDefinitionArn: tdArn(w, family, rev),
      version: 1,
      ephemeralStorage: { sizeInGiB: 20 },
    };
  });
  return [
    cloudTrail(g, w, {
      eventName: 'RunTask',
      requestParameters: request,
      responseElements: { tasks, failures: [] },
    }),
    compliant,
    `${count} task(s)`,
  ];
}

function createCluster(g: Gen): [object, boolean, string] {
  const w = where(g);
  const compliant = g.chance(0.6);
  const name = `${g.pick(['prod', 'staging', 'batch', 'sandbox'])}-${g.alnum(4)}`;
  const settings = [{ name: 'containerInsights', value: compliant ? 'enabled' : 'disabled' }];
  const t = tags(g);
  return [
    cloudTrail(g, w, {
      eventName: 'CreateCluster',
      requestParameters: { clusterName: name, settings, tags: t },
      responseElements: {
        cluster: {
          clusterArn: `arn:aws:ecs:${w.region}:${w.account}:cluster/${name}`,
          clusterName: name,
          status: 'ACTIVE',
          registeredContainerInstancesCount: 0,
          runningTasksCount: 0,
          pendingTasksCount: 0,
          activeServicesCount: 0,
          statistics: [],
          tags: t,
          settings,
          capacityProviders: [],
          defaultCapacityProviderStrategy: [],
        },
      },
    }),
    compliant,
    compliant ? 'insights-enabled' : 'insights-disabled',
  ];
}

function otherEcs(g: Gen): [object, boolean, string] {
  const w = where(g);
  const svc = g.pick(SERVICES);
  if (g.chance(0.5)) {
    return [
      cloudTrail(g, w, {
        eventName: 'DeleteService',
        requestParameters: { cluster: w.cluster, service: svc, force: true },
        responseElements: {
          service: { serviceArn: serviceArn(w, svc), serviceName: svc, status: 'DRAINING' },
        },
      }),
      true,
      'DeleteService',
    ];
  }
  return [
    cloudTrail(g, w, {
      eventName: 'DeregisterTaskDefinition',
      requestParameters: { taskDefinition: `${svc}:${g.int(1, 100)}` },
      responseElements: {
        taskDefinition: { taskDefinitionArn: tdArn(w, svc, g.int(1, 100)), family: svc, status: 'INACTIVE' },
      },
    }),
    true,
    'DeregisterTaskDefinition',
  ];
}

// ------------------------------------------------------------------ RegisterTaskDefinition (the large tail)

interface TdFlaws {
  privileged: boolean;
  root: boolean;
  writable: boolean;
  caps: boolean;
  secret: boolean;
  noLog: boolean;
  latest: boolean;
  dockerHub: boolean;
  hostNetwork: boolean;
  pidHost: boolean;
  efsNoTls: boolean;
  hostMount: boolean;
}

function flaws(g: Gen, compliant: boolean): TdFlaws {
  const f: TdFlaws = {
    privileged: false,
    root: false,
    writable: false,
    caps: false,
    secret: false,
    noLog: false,
    latest: false,
    dockerHub: false,
    hostNetwork: false,
    pidHost: false,
    efsNoTls: false,
    hostMount: false,
  };
  if (compliant) return f;
  const keys = Object.keys(f) as (keyof TdFlaws)[];
  const n = g.int(1, 3);
  for (let i = 0; i < n; i++) f[g.pick(keys)] = true;
  return f;
}

/** A plausible, non-secret environment variable (values avoid every credential format). */
function envVar(g: Gen, i: number): { name: string; value: string } {
  switch (g.int(0, 4)) {
    case 0:
      return { name: `FEATURE_FLAG_${i}`, value: g.pick(['true', 'false', 'on', 'off']) };
    case 1:
      return {
        name: `UPSTREAM_${i}_URL`,
        value: `https://${g.pick(SERVICES)}-${i}.internal.example.com:8443/api/v${g.int(1, 3)}/resource`,
      };
    case 2:
      return { name: `CACHE_TTL_SECONDS_${i}`, value: String(g.int(30, 86400)) };
    case 3:
      return { name: `APP_CONFIG_${i}`, value: `region=us-west-2;pool=${g.int(4, 64)};mode=${g.alnum(24)}` };
    default:
      return { name: `LOG_FORMAT_${i}`, value: g.pick(['json', 'logfmt', 'text']) };
  }
}

const SECRET_VARS = (g: Gen): { name: string; value: string }[] => [
  { name: 'DB_PASSWORD', value: `S3cret-${g.alnum(16)}` },
  { name: 'AWS_ACCESS_KEY_ID', value: `AKIA${g.alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` },
  {
    name: 'GITHUB_TOKEN',
    value: `ghp_${g.alnum(36, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`,
  },
];

function containerDef(
  g: Gen,
  w: Where,
  name: string,
  f: TdFlaws,
  first: boolean,
  envCount: number,
): Record<string, unknown> {
  const env = Array.from({ length: envCount }, (_, i) => envVar(g, i));
  if (f.secret && first) env.splice(g.int(0, env.length), 0, g.pick(SECRET_VARS(g)));
  const image =
    f.dockerHub && first
      ? `${g.pick(['nginx', 'redis', 'bitnami/postgresql'])}:${f.latest ? 'latest' : '1.27'}`
      : ecrImage(w, name, f.latest && first ? 'latest' : `2026.03.${g.int(1, 28)}`);
  return {
    name,
    image,
    cpu: g.pick([0, 128, 256, 512]),
    memory: g.pick([128, 256, 512, 1024]),
    essential: first,
    portMappings: first ? [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }] : [],
    environment: env,
    secrets: [
      {
        name: 'DB_CREDENTIALS',
        valueFrom: `arn:aws:secretsmanager:${w.region}:${w.account}:secret:${name}/db-${g.alnum(6)}`,
      },
    ],
    mountPoints:
      f.hostMount && first ? [{ sourceVolume: 'host', containerPath: '/host', readOnly: true }] : [],
    ...(f.privileged && first ? { privileged: true } : {}),
    user: f.root && first ? g.pick(['root', '0', '0:0']) : '1000:1000',
    readonlyRootFilesystem: !(f.writable && first),
    ...(f.caps && first
      ? {
          linuxParameters: {
            capabilities: { add: [g.pick(['SYS_ADMIN', 'CAP_NET_ADMIN', 'sys_ptrace'])], drop: [] },
          },
        }
      : { linuxParameters: { capabilities: { add: [], drop: ['ALL'] }, initProcessEnabled: true } }),
    ...(f.noLog && first
      ? {}
      : {
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': `/ecs/${name}`,
              'awslogs-region': w.region,
              'awslogs-stream-prefix': 'ecs',
            },
          },
        }),
    healthCheck: {
      command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'],
      interval: 30,
      timeout: 5,
      retries: 3,
    },
  };
}

const ENV_ENTRY_BYTES = 75; // a little above the average compact size of one envVar entry

function taskDefinitionRequest(
  g: Gen,
  w: Where,
  family: string,
  size: TdSize,
  f: TdFlaws,
): Record<string, unknown> {
  const [containers, targetBytes] =
    size === 'small'
      ? [g.int(1, 3), g.int(1500, 6000)]
      : size === 'medium'
        ? [g.int(2, 6), g.int(8000, 30000)]
        : size === 'large'
          ? [g.int(6, 10), g.int(32 * 1024, 63 * 1024)]
          : [10, g.int(66 * 1024, 100 * 1000)];
  const perContainerEnv = Math.max(
    1,
    Math.floor((targetBytes - containers * 900) / containers / ENV_ENTRY_BYTES),
  );
  const names = [
    family,
    'envoy',
    'log-router',
    'xray-daemon',
    'otel-collector',
    'datadog-agent',
    'fluent-bit',
    'nginx',
    'cron',
    'worker',
  ];
  const defs = Array.from({ length: containers }, (_, i) =>
    containerDef(g, w, names[i]!, f, i === 0, perContainerEnv),
  );
  const volumes: object[] = [];
  if (f.hostMount)
    volumes.push({ name: 'host', host: { sourcePath: g.pick(['/var/run/docker.sock', '/etc', '/']) } });
  if (f.efsNoTls || g.chance(0.2))
    volumes.push({
      name: 'shared',
      efsVolumeConfiguration: {
        fileSystemId: `fs-${g.hex(8)}`,
        rootDirectory: '/',
        transitEncryption: f.efsNoTls ? 'DISABLED' : 'ENABLED',
      },
    });
  const request = {
    family,
    taskRoleArn: `arn:aws:iam::${w.account}:role/${family}-task`,
    executionRoleArn: `arn:aws:iam::${w.account}:role/ecsTaskExecutionRole`,
    networkMode: f.hostNetwork ? 'host' : 'awsvpc',
    ...(f.pidHost ? { pidMode: 'host' } : {}),
    requiresCompatibilities: f.hostNetwork || f.pidHost || f.privileged ? ['EC2'] : ['FARGATE'],
    cpu: '1024',
    memory: '2048',
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    containerDefinitions: defs,
    volumes,
    ...(g.chance(0.3) ? { tags: tags(g) } : {}),
  };
  // Top up with variables until the request reaches its target size (within 2 %).
  for (let round = 0; round < 4; round++) {
    const cur = JSON.stringify(request).length;
    if (cur >= targetBytes * 0.98) break;
    const missing = Math.ceil((targetBytes - cur) / ENV_ENTRY_BYTES);
    for (let k = 0; k < missing; k++) {
      const env = defs[k % defs.length]!.environment as { name: string; value: string }[];
      env.push(envVar(g, env.length));
    }
  }
  return request;
}

function registerTd(g: Gen): [object, boolean, string] {
  const w = where(g);
  const size = g.weighted(TD_MIX);
  const family = g.pick(FAMILIES);
  if (size === 'truncated') {
    return [
      cloudTrail(g, w, {
        eventName: 'RegisterTaskDefinition',
        requestParameters: { omitted: true },
        responseElements: { omitted: true },
      }),
      false,
      size,
    ];
  }
  const compliant = g.chance(0.6);
  const f = flaws(g, compliant);
  const request = taskDefinitionRequest(g, w, family, size, f);
  if (size === 'rejected-oversized') {
    return [
      cloudTrail(g, w, {
        eventName: 'RegisterTaskDefinition',
        requestParameters: request,
        responseElements: null,
        errorCode: 'ClientException',
        errorMessage: 'Actual length: 70211. Max allowed length is 65536 bytes.',
      }),
      true,
      size,
    ];
  }
  const rev = g.int(1, 300);
  const responseTd = {
    taskDefinitionArn: tdArn(w, family, rev),
    containerDefinitions: (request.containerDefinitions as Record<string, unknown>[]).map((c) => ({
      ...c,
      volumesFrom: [],
      systemControls: [],
    })),
    family,
    taskRoleArn: request.taskRoleArn,
    executionRoleArn: request.executionRoleArn,
    networkMode: request.networkMode,
    revision: rev,
    volumes: request.volumes,
    status: 'ACTIVE',
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'ecs.capability.execution-role-awslogs' },
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
      { name: 'ecs.capability.secrets.asm.environment-variables' },
    ],
    placementConstraints: [],
    compatibilities: ['EC2', 'FARGATE'],
    runtimePlatform: request.runtimePlatform,
    requiresCompatibilities: request.requiresCompatibilities,
    cpu: request.cpu,
    memory: request.memory,
    ...(request.pidMode ? { pidMode: request.pidMode } : {}),
    registeredAt: 'Mar 2, 2026 8:01:12 AM',
    registeredBy: `arn:aws:sts::${w.account}:assumed-role/DeployRole/jane.doe`,
  };
  return [
    cloudTrail(g, w, {
      eventName: 'RegisterTaskDefinition',
      requestParameters: request,
      responseElements: { taskDefinition: responseTd, tags: request.tags ?? [] },
    }),
    compliant,
    size,
  ];
}

// ------------------------------------------------------------------ entry points

const GENERATORS: Record<EventType, (g: Gen) => [object, boolean, string]> = {
  'task-state': taskState,
  'service-action': serviceAction,
  deployment,
  'container-instance': containerInstance,
  'ct-throttled': ctThrottled,
  'ct-update-service': (g) => serviceCall(g, 'UpdateService'),
  'ct-create-service': (g) => serviceCall(g, 'CreateService'),
  'ct-run-task': runTask,
  'ct-create-cluster': createCluster,
  'ct-register-td': registerTd,
  'ct-other-ecs': otherEcs,
};

export interface CorpusOptions {
  readonly seed: number;
  readonly count: number;
}

/** Events one at a time (a replay does not need to hold the corpus in memory). */
export function* corpusStream(opts: CorpusOptions): Generator<CorpusEvent> {
  const g = new Gen(rng(opts.seed));
  for (let i = 0; i < opts.count; i++) {
    const type = g.weighted(MIX);
    const [event, compliant, variant] = GENERATORS[type](g);
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    yield { type, variant, compliant, json, bytes, sizeClass: sizeClassOf(bytes) };
  }
}

export function generateCorpus(opts: CorpusOptions): CorpusEvent[] {
  return [...corpusStream(opts)];
}
