/**
 * Verify before acting (issue 15, "Trust nothing"): events that lie about the resource, stale events and
 * forged ARNs, against a seeded moto_server with the real SDK clients. The Remediator must act only when
 * the resource AS AWS RETURNS IT NOW violates the finding's rule; otherwise `skipped: not violated now`
 * and nothing is written (no deregistration, no StopTask, no UpdateService).
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DisassociateAddressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
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

const tdStatus = async (arn: string) =>
  (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!.status;

const taskNow = async (cluster: string, arn: string) =>
  (await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;

const eniOf = (task: Task): string => {
  const eni = task.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
  if (!eni) throw new Error('moto gave the task no ENI');
  return eni;
};

async function createCluster(): Promise<string> {
  const out = await aws.ecs.send(new CreateClusterCommand({ clusterName: uid('cluster') }));
  return out.cluster!.clusterName!;
}

/** RunTask asking for a public IP (moto ignores it: the ENI has none unless we associate an EIP). */
async function runTask(cluster: string, taskDefinition: string) {
  const request = {
    cluster,
    taskDefinition,
    launchType: 'FARGATE' as const,
    count: 1,
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
  return { task, event: cloudTrailEvent('RunTask', request, { tasks: out.tasks, failures: [] }) };
}

async function givePublicIp(task: Task): Promise<string> {
  const eip = await aws.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  const assoc = await aws.ec2.send(
    new AssociateAddressCommand({ AllocationId: eip.AllocationId!, NetworkInterfaceId: eniOf(task) }),
  );
  return assoc.AssociationId!;
}

describe('events that lie about the resource', () => {
  it('a forged privileged claim for a revision AWS says is not privileged: nothing deregistered, nothing stopped', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { task } = await runTask(cluster, arn);
    // The event claims privileged: true for the real revision (responseElements forged).
    const detail = event.detail as {
      responseElements: { taskDefinition: { containerDefinitions: object[] } };
    };
    detail.responseElements.taskDefinition.containerDefinitions[0] = {
      ...detail.responseElements.taskDefinition.containerDefinitions[0],
      privileged: true,
    };
    const policy = policyWith(['td-privileged']);
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.resource.arn).toBe(arn);

    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);

    expect(out.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'not violated now',
    });
    expect(await tdStatus(arn)).toBe('ACTIVE');
    expect((await taskNow(cluster, task.taskArn!)).desiredStatus).toBe('RUNNING');
    const audit = await r.audit.list(HOME);
    expect(audit.map((a) => [a.action, a.status, a.reason, a.calls])).toEqual([
      ['deregister-task-definition', 'skipped', 'not violated now', []],
    ]);
  });

  it('a forged assignPublicIp ENABLED for a task whose ENI has no public IP: not stopped', async () => {
    const { arn } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { task, event } = await runTask(cluster, arn); // moto ignores assignPublicIp: no public IP
    const policy = policyWith(['task-public-ip']);
    const finding = await findingOf(event, policy, 'task-public-ip');

    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);

    expect(out.action).toEqual({ name: 'stop-task', status: 'skipped', reason: 'not violated now' });
    expect((await taskNow(cluster, task.taskArn!)).desiredStatus).toBe('RUNNING');
    expect((await r.audit.list(HOME)).map((a) => a.calls)).toEqual([[]]);
  });

  it('the same task with a public IP on its ENI (as AWS reports it) is stopped', async () => {
    const { arn } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { task, event } = await runTask(cluster, arn);
    await givePublicIp(task);
    const policy = policyWith(['task-public-ip']);
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'task-public-ip'),
    );
    expect(out.action).toMatchObject({ name: 'stop-task', status: 'done' });
    expect((await taskNow(cluster, task.taskArn!)).desiredStatus).toBe('STOPPED');
  });

  it('a forged requestParameters.taskDefinitionArn: the ARN of the response is the one remediated', async () => {
    const victim = await registerTaskDefinition(aws.ecs); // privileged too: only the ARN protects it
    const evil = await registerTaskDefinition(aws.ecs);
    const detail = evil.event.detail as {
      requestParameters: Record<string, unknown>;
      responseElements: { taskDefinition: Record<string, unknown> };
    };
    detail.requestParameters.taskDefinitionArn = victim.arn;
    detail.requestParameters.revision = 1;
    // CloudTrail trimmed the response to its ARN: the request's definition is what is evaluated.
    detail.responseElements = { taskDefinition: { taskDefinitionArn: evil.arn } };
    const policy = policyWith(['td-privileged']);
    const finding = await findingOf(evil.event, policy, 'td-privileged');
    expect(finding.resource.arn).toBe(evil.arn);

    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action).toMatchObject({ name: 'deregister-task-definition', status: 'done' });
    expect(await tdStatus(evil.arn)).toBe('INACTIVE');
    expect(await tdStatus(victim.arn)).toBe('ACTIVE');
  });

  it('stop-task after td-privileged: a standalone task whose live revision is not privileged is not stopped', async () => {
    // Two revisions of one family: the finding's (privileged) and another one a task runs.
    const family = uid('web');
    const bad = await registerTaskDefinition(aws.ecs, { family });
    const fine = await registerTaskDefinition(aws.ecs, { family, privileged: false });
    const cluster = await createCluster();
    const onBad = (await runTask(cluster, bad.arn)).task;
    const onFine = (await runTask(cluster, fine.arn)).task;
    const policy = policyWith(['td-privileged']);
    const r = motoRemediator(moto, policy);
    const out = await r.remediator.remediate(await findingOf(bad.event, policy, 'td-privileged'));
    expect(out.action?.status).toBe('done');
    expect((await taskNow(cluster, onBad.taskArn!)).desiredStatus).toBe('STOPPED');
    expect((await taskNow(cluster, onFine.taskArn!)).desiredStatus).toBe('RUNNING');
  });
});

describe('stale events: the resource was fixed since', () => {
  it('a service whose public IP was disabled after the event: skipped, no UpdateService', async () => {
    const { arn: td } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const request = {
      cluster,
      serviceName: uid('svc'),
      taskDefinition: td,
      desiredCount: 1,
      launchType: 'FARGATE' as const,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: net.subnets,
          securityGroups: net.securityGroups,
          assignPublicIp: 'ENABLED' as const,
        },
      },
    };
    const created = await aws.ecs.send(new CreateServiceCommand(request));
    const stale = cloudTrailEvent('CreateService', request, { service: created.service });
    await aws.ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: request.serviceName,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: net.subnets,
            securityGroups: net.securityGroups,
            assignPublicIp: 'DISABLED',
          },
        },
      }),
    );
    const before = (
      await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [request.serviceName] }))
    ).services![0]!;
    const policy = policyWith(['svc-public-ip']);
    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(await findingOf(stale, policy, 'svc-public-ip'));

    expect(out.action).toEqual({ name: 'disable-public-ip', status: 'skipped', reason: 'not violated now' });
    const after = (
      await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [request.serviceName] }))
    ).services![0]!;
    // No UpdateService: the deployments are the ones before (an update would start a new one).
    expect(after.deployments?.map((d) => d.id)).toEqual(before.deployments?.map((d) => d.id));
    expect((await r.audit.list(HOME)).map((a) => a.calls)).toEqual([[]]);
  });

  it('a task whose public IP was released after the event: skipped, still running', async () => {
    const { arn } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const cluster = await createCluster();
    const { task, event } = await runTask(cluster, arn);
    const association = await givePublicIp(task);
    const policy = policyWith(['task-public-ip']);
    const finding = await findingOf(event, policy, 'task-public-ip');
    await aws.ec2.send(new DisassociateAddressCommand({ AssociationId: association }));

    const out = await motoRemediator(moto, policy).remediator.remediate(finding);
    expect(out.action).toEqual({ name: 'stop-task', status: 'skipped', reason: 'not violated now' });
    expect((await taskNow(cluster, task.taskArn!)).desiredStatus).toBe('RUNNING');
  });
});

describe('task sets count as use (deregisterInUse: false)', () => {
  it('a revision only an EXTERNAL service task set runs is not deregistered', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const cluster = await createCluster();
    const serviceName = uid('ext');
    await aws.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName,
        desiredCount: 1,
        deploymentController: { type: 'EXTERNAL' },
      }),
    );
    await aws.ecs.send(
      new CreateTaskSetCommand({
        cluster,
        service: serviceName,
        taskDefinition: arn,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: net.subnets, securityGroups: net.securityGroups },
        },
      }),
    );
    const described = (await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] })))
      .services![0]!;
    // moto returns the service's task sets in DescribeServices, as ECS does.
    expect(described.taskSets?.map((t) => t.taskDefinition)).toEqual([arn]);
    expect(described.taskDefinition).toBeUndefined();

    const policy = policyWith(['td-privileged']);
    const out = await motoRemediator(moto, policy).remediator.remediate(
      await findingOf(event, policy, 'td-privileged'),
    );
    expect(out.action?.status).toBe('skipped');
    expect(out.action?.reason).toContain(`used by ACTIVE service(s) ${serviceName}`);
    expect(await tdStatus(arn)).toBe('ACTIVE');
  });
});
