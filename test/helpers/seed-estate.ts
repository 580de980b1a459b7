/**
 * A realistic small ECS estate in moto, built with the real SDK, for the sweep tests (and the
 * `guardrail scan` CLI test). Written around moto 5.2.1's gaps (docs/local-pipeline.md, "moto limits"):
 * every container sets container-level `memory` (RunTask crashes without it), RunTask uses
 * `launchType: FARGATE` with `securityGroups` in the default VPC's subnets, task ENIs get a public IP
 * only through AllocateAddress + AssociateAddress, clusters are fixed with UpdateCluster (moto has no
 * UpdateClusterSettings), services' tasks are started by hand (moto services never start tasks), and
 * ECS Exec is switched on with UpdateService (moto ignores enableExecuteCommand on CreateService).
 *
 * Callers must keep tasks RUNNING: `moto.setTransition('ecs::task', {progression: 'manual', times: 1e6})`.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateClusterCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A plain-text credential in an environment variable: it must never appear in any output. */
export const SECRET_VALUE = 'Sup3r-S3cret-Passw0rd!';
/** Hostile text in places AWS lets users write freely (a tag value, an env variable name). */
export const HOSTILE_TAG = '<script>document.title="pwned"</script>';
export const HOSTILE_ENV_NAME = '<img src=x onerror="document.body.dataset.pwned=1">_TOKEN';

export interface EstateClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
}

export interface ExpectedFinding {
  readonly ruleId: string;
  readonly arn: string;
}

export interface SeededEstate {
  readonly subnets: readonly string[];
  readonly securityGroup: string;
  readonly clusters: { readonly prod: string; readonly staging: string };
  readonly services: {
    readonly api: string;
    readonly internal: string;
    readonly canary: string;
    readonly worker: string;
  };
  readonly taskSet: string;
  readonly tasks: { readonly apiTask: string; readonly batchTask: string };
  readonly batchTaskPublicIp: string;
  readonly containerInstance: string;
  readonly taskDefinitions: {
    readonly web: string;
    readonly legacyPrivileged: string;
    readonly worker: string;
    readonly batchJob: string;
  };
  /** Every finding the first sweep must produce, and nothing else. */
  readonly expected: readonly ExpectedFinding[];
  /** What applyFixes resolves (with how), and what stays open after it. */
  readonly fixed: readonly (ExpectedFinding & { readonly resolution: 'compliant' | 'gone' })[];
  readonly stillOpen: readonly ExpectedFinding[];
}

/** Where an estate is seeded: the default account and region, or a member account's (org-estate.ts). */
export interface EstateScope {
  readonly account: string;
  readonly region: string;
}

const DEFAULT_SCOPE: EstateScope = { account: ACCOUNT, region: REGION };
/** A Linux AMI of moto's built-in set (DescribeImages would load all of them: ~10 s). */
const LINUX_AMI = 'ami-1e749f67';

function containerIn(
  name: string,
  extra: Partial<ContainerDefinition> = {},
  scope: EstateScope = DEFAULT_SCOPE,
): ContainerDefinition {
  return {
    name,
    // The account's own ECR: trusted by td-untrusted-registry.
    image: `${scope.account}.dkr.ecr.${scope.region}.amazonaws.com/web:1.4.2`,
    memory: 256,
    essential: true,
    user: '1000',
    readonlyRootFilesystem: true,
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': `/ecs/${name}`,
        'awslogs-region': scope.region,
        'awslogs-stream-prefix': name,
      },
    },
    ...extra,
  };
}

const fargate = (
  family: string,
  containers: ContainerDefinition[],
  tags: { key: string; value: string }[] = [],
): RegisterTaskDefinitionCommandInput => ({
  family,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: containers,
  ...(tags.length ? { tags } : {}),
});

async function register(ecs: ECSClient, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const r = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return r.taskDefinition!.taskDefinitionArn!;
}

export async function defaultNetwork(ec2: EC2Client): Promise<{ subnets: string[]; securityGroup: string }> {
  const subnets = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
  );
  const sgs = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }),
  );
  const ids = (subnets.Subnets ?? []).map((s) => s.SubnetId!).sort();
  const sg = sgs.SecurityGroups?.[0]?.GroupId;
  if (ids.length < 2 || !sg) throw new Error('moto default VPC not found');
  return { subnets: ids.slice(0, 2), securityGroup: sg };
}

/** `scope`: the account and region the clients act in (default: moto's default account, us-east-1). */
export async function seedEstate(
  { ecs, ec2 }: EstateClients,
  scope: EstateScope = DEFAULT_SCOPE,
): Promise<SeededEstate> {
  const arn = (kind: string, rest: string) => `arn:aws:ecs:${scope.region}:${scope.account}:${kind}/${rest}`;
  const container = (name: string, extra: Partial<ContainerDefinition> = {}) =>
    containerIn(name, extra, scope);
  const { subnets, securityGroup } = await defaultNetwork(ec2);
  const awsvpc = (assignPublicIp: 'ENABLED' | 'DISABLED') => ({
    awsvpcConfiguration: { subnets: [...subnets], securityGroups: [securityGroup], assignPublicIp },
  });

  // Clusters: Container Insights on (prod) and off (staging).
  await ecs.send(
    new CreateClusterCommand({
      clusterName: 'prod',
      settings: [{ name: 'containerInsights', value: 'enabled' }],
      tags: [{ key: 'env', value: 'prod' }],
    }),
  );
  await ecs.send(
    new CreateClusterCommand({
      clusterName: 'staging',
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      tags: [{ key: 'env', value: 'staging' }],
    }),
  );

  // Task definitions: one compliant, one privileged (EC2, unused), one with a Docker Hub :latest image
  // and no user, one with credentials in its environment.
  const web = await register(ecs, fargate('web', [container('app')], [{ key: 'team', value: 'web' }]));
  // Its own task role and awsvpc, so that it violates td-privileged only (not the v2 EC2 rules
  // td-no-task-role and td-network-mode-not-awsvpc, tested on their own).
  const legacyPrivileged = await register(ecs, {
    family: 'legacy-privileged',
    networkMode: 'awsvpc',
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/legacy-agent-task`,
    requiresCompatibilities: ['EC2'],
    containerDefinitions: [container('agent', { privileged: true })],
  });
  const workerContainer = container('worker', { image: 'nginx:latest' });
  delete workerContainer.user;
  const worker = await register(ecs, fargate('worker', [workerContainer]));
  const batchJob = await register(
    ecs,
    fargate('batch-job', [
      container('job', {
        environment: [
          { name: 'DB_PASSWORD', value: SECRET_VALUE },
          { name: HOSTILE_ENV_NAME, value: 'abcdefgh12345678' },
          { name: 'LOG_LEVEL', value: 'debug' },
        ],
      }),
    ]),
  );

  // Services: a public one (its owner tag is hostile text), a private one, a blue/green one whose task
  // set is public, and a private one with ECS Exec on.
  const api = await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'api',
      taskDefinition: web,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc('ENABLED'),
      tags: [{ key: 'owner', value: HOSTILE_TAG }],
    }),
  );
  const internal = await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'internal',
      taskDefinition: web,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc('DISABLED'),
    }),
  );
  const canary = await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'canary',
      taskDefinition: web,
      desiredCount: 1,
      deploymentController: { type: 'EXTERNAL' },
    }),
  );
  const taskSet = await ecs.send(
    new CreateTaskSetCommand({
      cluster: 'prod',
      service: 'canary',
      taskDefinition: web,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc('ENABLED'),
    }),
  );
  const workerSvc = await ecs.send(
    new CreateServiceCommand({
      cluster: 'staging',
      serviceName: 'worker',
      taskDefinition: worker,
      desiredCount: 1,
      launchType: 'FARGATE',
      enableExecuteCommand: true,
      networkConfiguration: awsvpc('DISABLED'),
    }),
  );
  // moto 5.2.1 drops enableExecuteCommand on CreateService but stores it on UpdateService.
  await ecs.send(
    new UpdateServiceCommand({ cluster: 'staging', service: 'worker', enableExecuteCommand: true }),
  );

  // Tasks: one of the api service (private), one standalone batch task whose ENI has a public IP.
  const apiTask = await ecs.send(
    new RunTaskCommand({
      cluster: 'prod',
      taskDefinition: web,
      launchType: 'FARGATE',
      group: 'service:api',
      startedBy: 'ecs-svc/1234567890',
      networkConfiguration: awsvpc('DISABLED'),
    }),
  );
  const batch = await ecs.send(
    new RunTaskCommand({
      cluster: 'staging',
      taskDefinition: batchJob,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc('ENABLED'),
    }),
  );
  const batchTask = batch.tasks![0]!.taskArn!;
  const described = await ecs.send(new DescribeTasksCommand({ cluster: 'staging', tasks: [batchTask] }));
  const eni = described.tasks?.[0]?.attachments?.[0]?.details?.find(
    (d) => d.name === 'networkInterfaceId',
  )?.value;
  if (!eni) throw new Error('moto gave the batch task no ENI');
  // moto ignores assignPublicIp: give the task's ENI a public IP the way AWS would have.
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, NetworkInterfaceId: eni }));

  // A container instance whose agent allows privileged containers and awsvpc tasks without IMDS blocking.
  const instance = await ec2.send(
    new RunInstancesCommand({ ImageId: LINUX_AMI, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
  );
  const ci = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: 'staging',
      instanceIdentityDocument: JSON.stringify({ instanceId: instance.Instances![0]!.InstanceId! }),
    }),
  );
  const containerInstance = ci.containerInstance!.containerInstanceArn!;
  await ecs.send(
    new PutAttributesCommand({
      cluster: 'staging',
      attributes: [
        { name: 'com.amazonaws.ecs.capability.privileged-container', targetId: containerInstance },
        { name: 'ecs.capability.task-eni', targetId: containerInstance },
      ],
    }),
  );

  const clusters = { prod: arn('cluster', 'prod'), staging: arn('cluster', 'staging') };
  const services = {
    api: api.service!.serviceArn!,
    internal: internal.service!.serviceArn!,
    canary: canary.service!.serviceArn!,
    worker: workerSvc.service!.serviceArn!,
  };
  const taskSetArn = taskSet.taskSet!.taskSetArn!;
  const fixed = [
    { ruleId: 'cluster-container-insights-disabled', arn: clusters.staging, resolution: 'compliant' },
    { ruleId: 'svc-public-ip', arn: services.api, resolution: 'compliant' },
    { ruleId: 'taskset-public-ip', arn: taskSetArn, resolution: 'gone' },
    { ruleId: 'task-public-ip', arn: batchTask, resolution: 'gone' },
    { ruleId: 'td-privileged', arn: legacyPrivileged, resolution: 'gone' },
    { ruleId: 'instance-imds-reachable', arn: containerInstance, resolution: 'compliant' },
  ] as const;
  const stillOpen = [
    { ruleId: 'svc-exec-enabled', arn: services.worker },
    { ruleId: 'td-root-user', arn: worker },
    { ruleId: 'td-mutable-image', arn: worker },
    { ruleId: 'td-untrusted-registry', arn: worker },
    { ruleId: 'td-secrets-in-environment', arn: batchJob },
    { ruleId: 'instance-privileged-allowed', arn: containerInstance },
  ];
  return {
    subnets,
    securityGroup,
    clusters,
    services,
    taskSet: taskSetArn,
    tasks: { apiTask: apiTask.tasks![0]!.taskArn!, batchTask },
    batchTaskPublicIp: eip.PublicIp!,
    containerInstance,
    taskDefinitions: { web, legacyPrivileged, worker, batchJob },
    expected: [...fixed.map(({ ruleId, arn }) => ({ ruleId, arn })), ...stillOpen],
    fixed,
    stillOpen,
  };
}

/** Fix six of the twelve findings, each the way an operator would. */
export async function applyFixes({ ecs }: EstateClients, estate: SeededEstate): Promise<void> {
  await ecs.send(
    new UpdateClusterCommand({
      cluster: 'staging',
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    }),
  );
  await ecs.send(
    new UpdateServiceCommand({
      cluster: 'prod',
      service: 'api',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...estate.subnets],
          securityGroups: [estate.securityGroup],
          assignPublicIp: 'DISABLED',
        },
      },
    }),
  );
  await ecs.send(new DeleteTaskSetCommand({ cluster: 'prod', service: 'canary', taskSet: estate.taskSet }));
  await ecs.send(new StopTaskCommand({ cluster: 'staging', task: estate.tasks.batchTask, reason: 'fixed' }));
  await ecs.send(
    new DeregisterTaskDefinitionCommand({ taskDefinition: estate.taskDefinitions.legacyPrivileged }),
  );
  await ecs.send(
    new PutAttributesCommand({
      cluster: 'staging',
      attributes: [
        { name: 'ecs.capability.task-eni-block-instance-metadata', targetId: estate.containerInstance },
      ],
    }),
  );
}

// ---------------------------------------------------------------- the enrichment rules' estate (v2)

export interface EnrichmentEstateClients extends EstateClients {
  readonly iam: IAMClient;
}

export interface EnrichmentEstate {
  readonly cluster: string;
  readonly openGroup: string;
  readonly openGroupArn: string;
  readonly adminRole: string;
  readonly adminTaskDefinition: string;
  readonly narrowTaskDefinition: string;
  readonly service: string;
  readonly task: string;
  /** Every finding of the enrichment rules (and the opted-in tag rules) the first sweep must produce. */
  readonly expected: readonly ExpectedFinding[];
}

const TASK_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/**
 * A second, separate estate for td-task-role-wildcard, sg-world-open-admin-port and the tag rules (kept
 * apart from seedEstate so its exact finding list is unchanged): cluster `enrich` without tags; a
 * security group open to the world on SSH used by a public service and by a standalone task; a task
 * definition whose role allows `*` on `*` (inline) and one whose role is narrow.
 */
export async function seedEnrichmentEstate({
  ecs,
  ec2,
  iam,
}: EnrichmentEstateClients): Promise<EnrichmentEstate> {
  const { subnets } = await defaultNetwork(ec2);
  const vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets[0]!] }))).Subnets![0]!
    .VpcId!;
  const openGroup = (
    await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'ssh-world', Description: 'ssh-world', VpcId: vpcId }),
    )
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: openGroup,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const role = async (name: string, document: Record<string, unknown>) => {
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TASK_TRUST }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'app',
        PolicyDocument: JSON.stringify(document),
      }),
    );
    return created.Role!.Arn!;
  };
  const adminRole = await role('enrich-admin', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  const narrowRole = await role('enrich-narrow', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::assets/*' }],
  });
  const tagged = [{ key: 'team', value: 'payments' }];
  const adminTaskDefinition = await register(ecs, {
    ...fargate('enrich-admin', [containerIn('app')], tagged),
    taskRoleArn: adminRole,
  });
  const narrowTaskDefinition = await register(ecs, {
    ...fargate('enrich-narrow', [containerIn('app')], tagged),
    taskRoleArn: narrowRole,
  });
  const cluster = (
    await ecs.send(
      new CreateClusterCommand({
        clusterName: 'enrich',
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      }),
    )
  ).cluster!.clusterArn!;
  const service = (
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'enrich',
        serviceName: 'ssh-exposed',
        taskDefinition: adminTaskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [...subnets],
            securityGroups: [openGroup],
            assignPublicIp: 'ENABLED',
          },
        },
        tags: tagged,
      }),
    )
  ).service!.serviceArn!;
  const task = (
    await ecs.send(
      new RunTaskCommand({
        cluster: 'enrich',
        taskDefinition: narrowTaskDefinition,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [...subnets], securityGroups: [openGroup] } },
      }),
    )
  ).tasks![0]!.taskArn!;
  const openGroupArn = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${openGroup}`;
  return {
    cluster,
    openGroup,
    openGroupArn,
    adminRole,
    adminTaskDefinition,
    narrowTaskDefinition,
    service,
    task,
    expected: [
      { ruleId: 'sg-world-open-admin-port', arn: openGroupArn },
      { ruleId: 'td-task-role-wildcard', arn: adminTaskDefinition },
      { ruleId: 'cluster-missing-tags', arn: cluster },
      { ruleId: 'svc-public-ip', arn: service },
    ],
  };
}
