/**
 * Each remediation action against moto_server, end to end: the resource is created in moto, the
 * CloudTrail event AWS would emit is built from moto's real response, the real engine produces the
 * finding, the Remediator (real SDK clients, DynamoDB budget and audit in moto) acts, and moto's state
 * is read back.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { AllocateAddressCommand, AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/store/audit';
import type { Moto } from '../helpers/moto';
import { useRemediationEstate } from '../helpers/remediation-estate';
import {
  cloudTrailEvent,
  findingOf,
  HOME,
  motoRemediator,
  policyWith,
  registerTaskDefinition,
  TABLE,
  uid,
  type MotoClients,
  type Network,
} from '../unit/remediation/helpers';

let moto: Moto;
let aws: MotoClients;
let net: Network;

useRemediationEstate((e) => ({ moto, aws, net } = e));

async function createCluster(
  name = uid('cluster'),
  settings?: { name: 'containerInsights'; value: string }[],
) {
  const out = await aws.ecs.send(
    new CreateClusterCommand({ clusterName: name, ...(settings ? { settings } : {}) }),
  );
  return out.cluster!;
}

async function createService(opts: {
  cluster: string;
  taskDefinition: string;
  assignPublicIp?: 'ENABLED' | 'DISABLED';
  controller?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
}) {
  const request = {
    cluster: opts.cluster,
    serviceName: uid('svc'),
    taskDefinition: opts.taskDefinition,
    desiredCount: 1,
    launchType: 'FARGATE' as const,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: net.subnets,
        securityGroups: net.securityGroups,
        assignPublicIp: opts.assignPublicIp ?? 'DISABLED',
      },
    },
    ...(opts.controller ? { deploymentController: { type: opts.controller } } : {}),
  };
  const out = await aws.ecs.send(new CreateServiceCommand(request));
  return {
    service: out.service!,
    event: cloudTrailEvent('CreateService', request, { service: out.service }),
  };
}

/** The ENI id moto attached to an awsvpc task. */
const eniOf = (task: { attachments?: { details?: { name?: string; value?: string }[] }[] }): string => {
  const eni = task.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
  if (!eni) throw new Error('moto gave the task no ENI');
  return eni;
};

/**
 * RunTask asking for a public IP. moto ignores assignPublicIp, so unless `publicIp: false` the task's ENI
 * gets one the way AWS would have (AllocateAddress + AssociateAddress): verification reads the ENI.
 */
async function runTask(opts: {
  cluster: string;
  taskDefinition: string;
  group?: string;
  publicIp?: boolean;
}) {
  const request = {
    cluster: opts.cluster,
    taskDefinition: opts.taskDefinition,
    launchType: 'FARGATE' as const,
    count: 1,
    ...(opts.group ? { group: opts.group } : {}),
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [net.subnets[0]!],
        securityGroups: [net.securityGroups[0]!],
        assignPublicIp: 'ENABLED' as const,
      },
    },
  };
  const out = await aws.ecs.send(new RunTaskCommand(request));
  const task = out.tasks![0]!;
  if (opts.publicIp !== false) {
    const eip = await aws.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await aws.ec2.send(
      new AssociateAddressCommand({ AllocationId: eip.AllocationId!, NetworkInterfaceId: eniOf(task) }),
    );
  }
  return { task, event: cloudTrailEvent('RunTask', request, { tasks: out.tasks, failures: [] }) };
}

const tdStatus = async (arn: string) =>
  (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!.status;

const describeTask = async (cluster: string, arn: string) =>
  (await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;

const describeService = async (cluster: string, arn: string) =>
  (await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [arn] }))).services![0]!;

describe('deregister-task-definition (td-privileged)', () => {
  it('deregisters a privileged revision registered moments before, verifies it and audits it', async () => {
    const policy = policyWith(['td-privileged']);
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.action).toEqual({ name: 'deregister-task-definition', status: 'planned' });

    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);

    expect(out.action).toMatchObject({ name: 'deregister-task-definition', status: 'done' });
    expect(out.action?.reason).toContain('deregistered task definition');
    expect(await tdStatus(arn)).toBe('INACTIVE');
    const audit = await r.audit.list(HOME);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject<Partial<AuditEntry>>({
      action: 'deregister-task-definition',
      resourceArn: arn,
      status: 'done',
      dryRun: false,
      calls: ['ecs:DeregisterTaskDefinition'],
      before: { status: 'ACTIVE', privilegedContainers: ['app'] },
      after: { status: 'INACTIVE', privilegedContainers: ['app'] },
      trigger: {
        eventId: (event as { id: string }).id,
        actor: expect.stringContaining('assumed-role/DeployRole'),
      },
      findingId: finding.findingId,
    });
    expect(audit[0]!.performedBy).toMatch(/^arn:aws:(sts|iam)::123456789012:/);
    expect(Date.parse(audit[0]!.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is idempotent: the same event delivered again finds the revision already INACTIVE', async () => {
    const policy = policyWith(['td-privileged']);
    const { event } = await registerTaskDefinition(aws.ecs);
    const finding = await findingOf(event, policy, 'td-privileged');
    const r = motoRemediator(moto, policy, { table: TABLE });
    expect((await r.remediator.remediate(finding)).action?.status).toBe('done');
    const again = await r.remediator.remediate(finding);
    expect(again.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'already compliant',
    });
    const audit = await r.audit.list(HOME);
    expect(audit.map((a) => [a.status, a.calls.length])).toEqual([
      ['done', 1],
      ['skipped', 0],
    ]);
  });

  it('only notifies when an ACTIVE service still uses the revision, unless remediation.deregisterInUse', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const cluster = await createCluster();
    const { service } = await createService({ cluster: cluster.clusterName!, taskDefinition: arn });

    const policy = policyWith(['td-privileged']);
    const finding = await findingOf(event, policy, 'td-privileged');
    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action?.status).toBe('skipped');
    expect(out.action?.reason).toContain(`used by ACTIVE service(s) ${service.serviceName}`);
    expect(await tdStatus(arn)).toBe('ACTIVE');

    const forced = policyWith(['td-privileged'], {}, { deregisterInUse: true, stopStandaloneTasks: false });
    const out2 = await motoRemediator(moto, forced).remediator.remediate(
      await findingOf(event, forced, 'td-privileged'),
    );
    expect(out2.action?.status).toBe('done');
    expect(await tdStatus(arn)).toBe('INACTIVE');
  });

  it("then stops the standalone tasks still running the revision, never a service's task", async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const cluster = await createCluster();
    const standalone = (await runTask({ cluster: cluster.clusterName!, taskDefinition: arn })).task;
    const ofService = (
      await runTask({ cluster: cluster.clusterName!, taskDefinition: arn, group: 'service:api' })
    ).task;

    const policy = policyWith(['td-privileged']);
    const r = motoRemediator(moto, policy);
    const out = await r.remediator.remediate(await findingOf(event, policy, 'td-privileged'));

    expect(out.action?.status).toBe('done');
    expect(out.action?.reason).toContain('1 standalone task(s) still running it: stop-task 1 done');
    expect(await tdStatus(arn)).toBe('INACTIVE');
    expect((await describeTask(cluster.clusterName!, standalone.taskArn!)).desiredStatus).toBe('STOPPED');
    expect((await describeTask(cluster.clusterName!, ofService.taskArn!)).desiredStatus).toBe('RUNNING');
    const audit = await r.audit.list(HOME);
    expect(audit.map((a) => `${a.action} ${a.status}`)).toEqual([
      'deregister-task-definition done',
      'stop-task done',
    ]);
    expect(audit[1]!.resourceArn).toBe(standalone.taskArn);
  });
});

describe('disable-public-ip (svc-public-ip)', () => {
  it('sets assignPublicIp DISABLED and keeps every subnet and security group', async () => {
    const { arn: td } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { service, event } = await createService({
      cluster: cluster.clusterName!,
      taskDefinition: td,
      assignPublicIp: 'ENABLED',
    });
    const policy = policyWith(['svc-public-ip']);
    const finding = await findingOf(event, policy, 'svc-public-ip');
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);

    expect(out.action).toMatchObject({ name: 'disable-public-ip', status: 'done' });
    const now = await describeService(cluster.clusterName!, service.serviceArn!);
    expect(now.networkConfiguration?.awsvpcConfiguration).toEqual({
      subnets: net.subnets,
      securityGroups: net.securityGroups,
      assignPublicIp: 'DISABLED',
    });
    // Nothing else was sent: the task definition and desired count are untouched.
    expect(now.taskDefinition).toBe(td);
    expect(now.desiredCount).toBe(1);
    const [entry] = await r.audit.list(HOME);
    expect(entry).toMatchObject({
      status: 'done',
      calls: ['ecs:UpdateService'],
      before: { assignPublicIp: 'ENABLED', subnets: net.subnets, securityGroups: net.securityGroups },
      after: { assignPublicIp: 'DISABLED', subnets: net.subnets, securityGroups: net.securityGroups },
    });
    // The same event again: read first, nothing to do.
    expect((await r.remediator.remediate(finding)).action?.reason).toBe('not violated now');
  });

  it('does not touch a service with the CODE_DEPLOY deployment controller and says why', async () => {
    const { arn: td } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { service, event } = await createService({
      cluster: cluster.clusterName!,
      taskDefinition: td,
      assignPublicIp: 'ENABLED',
      controller: 'CODE_DEPLOY',
    });
    const policy = policyWith(['svc-public-ip']);
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'svc-public-ip'),
    );
    expect(out.action?.status).toBe('skipped');
    expect(out.action?.reason).toContain('CODE_DEPLOY deployment controller');
    const now = await describeService(cluster.clusterName!, service.serviceArn!);
    expect(now.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
  });
});

describe('stop-task (task-public-ip)', () => {
  it('stops a standalone task started with a public IP', async () => {
    const { arn: td } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { task, event } = await runTask({ cluster: cluster.clusterName!, taskDefinition: td });
    const policy = policyWith(['task-public-ip']);
    const finding = await findingOf(event, policy, 'task-public-ip');
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);

    expect(out.action).toMatchObject({ name: 'stop-task', status: 'done' });
    const now = await describeTask(cluster.clusterName!, task.taskArn!);
    expect(now.desiredStatus).toBe('STOPPED');
    expect(now.stoppedReason).toContain(`ecs-guardrail task-public-ip: finding ${finding.findingId}`);
    const [entry] = await r.audit.list(HOME);
    expect(entry).toMatchObject({
      calls: ['ecs:StopTask'],
      before: { desiredStatus: 'RUNNING' },
      after: { desiredStatus: 'STOPPED' },
    });
    expect((await r.remediator.remediate(finding)).action?.reason).toBe('not violated now');
  });

  it("leaves a service's task to its service (group service:...)", async () => {
    const { arn: td } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { task, event } = await runTask({
      cluster: cluster.clusterName!,
      taskDefinition: td,
      group: 'service:api',
    });
    const policy = policyWith(['task-public-ip']);
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'task-public-ip'),
    );
    expect(out.action).toEqual({
      name: 'stop-task',
      status: 'skipped',
      reason: 'task belongs to service api: it is fixed through its service, not stopped',
    });
    expect((await describeTask(cluster.clusterName!, task.taskArn!)).desiredStatus).toBe('RUNNING');
  });
});

describe('disable-exec (svc-exec-enabled)', () => {
  it('turns ECS Exec off with a new deployment', async () => {
    const { arn: td } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { service } = await createService({ cluster: cluster.clusterName!, taskDefinition: td });
    // moto's CreateService drops enableExecuteCommand; UpdateService stores it (as AWS does).
    const request = {
      cluster: cluster.clusterName!,
      service: service.serviceName!,
      enableExecuteCommand: true,
    };
    const updated = await aws.ecs.send(new UpdateServiceCommand(request));
    expect(updated.service?.enableExecuteCommand).toBe(true);
    const event = cloudTrailEvent('UpdateService', request, { service: updated.service });
    const policy = policyWith(['svc-exec-enabled']);
    const finding = await findingOf(event, policy, 'svc-exec-enabled');
    const r = motoRemediator(moto, policy);
    const out = await r.remediator.remediate(finding);

    expect(out.action).toMatchObject({ name: 'disable-exec', status: 'done' });
    const now = await describeService(cluster.clusterName!, service.serviceArn!);
    expect(now.enableExecuteCommand).toBe(false);
    // forceNewDeployment: moto rotates the primary deployment's id.
    expect(now.deployments?.[0]?.id).not.toBe(service.deployments?.[0]?.id);
    expect(now.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(net.subnets);
    expect((await r.remediator.remediate(finding)).action?.reason).toBe('not violated now');
  });
});

describe('enable-container-insights (cluster-container-insights-disabled)', () => {
  it('turns Container Insights on (moto: through UpdateCluster, see docs/remediation.md)', async () => {
    const name = uid('cluster');
    const request = {
      clusterName: name,
      settings: [{ name: 'containerInsights' as const, value: 'disabled' }],
    };
    const created = await aws.ecs.send(new CreateClusterCommand(request));
    const event = cloudTrailEvent('CreateCluster', request, { cluster: created.cluster });
    const policy = policyWith(['cluster-container-insights-disabled']);
    const r = motoRemediator(moto, policy, { table: TABLE });
    const finding = await findingOf(event, policy, 'cluster-container-insights-disabled');
    const out = await r.remediator.remediate(finding);

    expect(out.action).toMatchObject({ name: 'enable-container-insights', status: 'done' });
    const now = await aws.ecs.send(new DescribeClustersCommand({ clusters: [name], include: ['SETTINGS'] }));
    expect(now.clusters?.[0]?.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
    const [entry] = await r.audit.list(HOME);
    expect(entry).toMatchObject({
      calls: ['ecs:UpdateCluster'],
      before: { containerInsights: 'disabled' },
      after: { containerInsights: 'enabled' },
    });
    expect((await r.remediator.remediate(finding)).action?.reason).toBe('not violated now');
  });

  it('reads tags from AWS, not only from the event (a tag added later is honoured)', async () => {
    const name = uid('cluster');
    const request = {
      clusterName: name,
      settings: [{ name: 'containerInsights' as const, value: 'disabled' }],
    };
    const created = await aws.ecs.send(new CreateClusterCommand(request));
    await aws.ecs.send(
      new TagResourceCommand({
        resourceArn: created.cluster!.clusterArn!,
        tags: [{ key: 'guardrail:protect', value: 'true' }],
      }),
    );
    const event = cloudTrailEvent('CreateCluster', request, { cluster: created.cluster });
    const policy = policyWith(['cluster-container-insights-disabled']);
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'cluster-container-insights-disabled'),
    );
    expect(out.action).toEqual({
      name: 'enable-container-insights',
      status: 'skipped',
      reason: 'resource is tagged guardrail:protect=true: notify only',
    });
    const now = await aws.ecs.send(new DescribeClustersCommand({ clusters: [name] }));
    expect(now.clusters?.[0]?.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
  });
});
