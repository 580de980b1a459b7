/**
 * `deregister-task-definition` (td-privileged): DeregisterTaskDefinition on the offending revision, so
 * nothing new can start from it. Running tasks are not affected by a deregistration; the standalone ones
 * are stopped afterwards through `stop-task` (followUps), a service's tasks are left to the service.
 * A revision that an ACTIVE service still uses is only notified unless its `deregisterInUse` parameter.
 */
import {
  deregisterTaskDefinitionSpec,
  type DeregisterParams,
} from '../plugins/actions/deregister-task-definition';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { parseTaskDefinitionRef } from '../model/arn';
import { serviceResource, taskDefinitionResource } from '../events/ecs-resources';
import { allPages, chunks, nameOf, taskDefinitionKey, tagsOf } from './ecs-helpers';
import { awsCall, errorName, RemediationCallError } from './errors';
import { defineAction, ecsSdk, type ActionContext, type ActionTarget, type Observed } from './types';

async function listClusters(ecs: ECSClient): Promise<string[]> {
  const sdk = await ecsSdk();
  return allPages(async (nextToken) => {
    const r = await awsCall('ecs:ListClusters', () => ecs.send(new sdk.ListClustersCommand({ nextToken })));
    return { items: r.clusterArns ?? [], nextToken: r.nextToken };
  });
}

/**
 * ACTIVE services (any cluster) that use `key`: their task definition, a deployment's, or a task set's
 * (EXTERNAL and CODE_DEPLOY services run their tasks through task sets; DescribeServices lists them).
 * The service shapes are normalized by the sweep's builder, so "uses" means the same everywhere.
 */
export async function servicesUsing(
  ecs: ECSClient,
  key: string,
  scope: { readonly account: string; readonly region: string },
): Promise<string[]> {
  const sdk = await ecsSdk();
  const users: string[] = [];
  for (const cluster of await listClusters(ecs)) {
    const arns = await allPages(async (nextToken) => {
      const r = await awsCall('ecs:ListServices', () =>
        ecs.send(new sdk.ListServicesCommand({ cluster, nextToken })),
      );
      return { items: r.serviceArns ?? [], nextToken: r.nextToken };
    });
    for (const batch of chunks(arns, 10)) {
      const r = await awsCall('ecs:DescribeServices', () =>
        ecs.send(new sdk.DescribeServicesCommand({ cluster, services: batch })),
      );
      (r.services ?? []).forEach((s, i) => {
        if (s.status !== 'ACTIVE') return;
        const described = serviceResource(s, `services[${i}]`, scope);
        if (described?.taskDefinitionRefs.some((td) => taskDefinitionKey(td) === key))
          users.push(s.serviceArn ?? s.serviceName ?? '?');
      });
    }
  }
  return users;
}

/**
 * Standalone tasks (group not `service:...`) still meant to run the revision, in every cluster.
 * ListTasks is not filtered by `family`: the revision is INACTIVE by now, and a family filter is not
 * guaranteed to return tasks of inactive revisions (moto_server does not); the tasks are matched on
 * their exact `taskDefinitionArn` instead.
 */
export async function standaloneTasksRunning(ecs: ECSClient, key: string): Promise<ActionTarget[]> {
  const sdk = await ecsSdk();
  const out: ActionTarget[] = [];
  for (const cluster of await listClusters(ecs)) {
    const arns = await allPages(async (nextToken) => {
      const r = await awsCall('ecs:ListTasks', () =>
        ecs.send(new sdk.ListTasksCommand({ cluster, desiredStatus: 'RUNNING', nextToken })),
      );
      return { items: r.taskArns ?? [], nextToken: r.nextToken };
    });
    for (const batch of chunks(arns, 100)) {
      const r = await awsCall('ecs:DescribeTasks', () =>
        ecs.send(new sdk.DescribeTasksCommand({ cluster, tasks: batch })),
      );
      for (const t of r.tasks ?? []) {
        if (!t.taskArn || !t.taskDefinitionArn || taskDefinitionKey(t.taskDefinitionArn) !== key) continue;
        if (t.group?.startsWith('service:') || t.desiredStatus === 'STOPPED') continue;
        const [, , , region = '', account = ''] = t.taskArn.split(':');
        out.push({ arn: t.taskArn, account, region, clusterArn: t.clusterArn ?? cluster });
      }
    }
  }
  return out;
}

export const deregisterTaskDefinition = defineAction<DeregisterParams>({
  ...deregisterTaskDefinitionSpec,

  async read(ctx: ActionContext<DeregisterParams>, target: ActionTarget): Promise<Observed | undefined> {
    const { family, revision } = parseTaskDefinitionRef(target.arn);
    const key = revision === undefined ? family : `${family}:${revision}`;
    if (revision === undefined) {
      return {
        state: { taskDefinition: key },
        tags: {},
        compliant: false,
        notApplicable: 'the finding names no revision (family only): nothing precise to deregister',
        plan: `deregistered ${key}`,
      };
    }
    const sdk = await ecsSdk();
    let out;
    try {
      out = await ctx.ecs.send(
        new sdk.DescribeTaskDefinitionCommand({ taskDefinition: target.arn, include: ['TAGS'] }),
      );
    } catch (err) {
      // ECS answers ClientException for a revision that does not exist.
      if (errorName(err) === 'ClientException') return undefined;
      throw new RemediationCallError('ecs:DescribeTaskDefinition', err);
    }
    const td = out.taskDefinition;
    if (!td) return undefined;
    const status = td.status ?? 'UNKNOWN';
    const state = {
      taskDefinition: key,
      status,
      privilegedContainers: (td.containerDefinitions ?? [])
        .filter((c) => c.privileged === true)
        .map((c) => c.name ?? '?'),
    };
    const compliant = status !== 'ACTIVE';
    let notApplicable: string | undefined;
    if (!compliant && !ctx.params.deregisterInUse) {
      const users = await servicesUsing(ctx.ecs, key, target);
      if (users.length)
        notApplicable =
          `revision ${key} is used by ACTIVE service(s) ${users.map(nameOf).join(', ')} (their task ` +
          'definition, a deployment or a task set): notify only ' +
          '(set remediation.actions.deregister-task-definition.deregisterInUse to deregister anyway)';
    }
    return {
      state,
      tags: tagsOf(out.tags),
      compliant,
      live: taskDefinitionResource(td, out.tags, 'taskDefinition', target),
      ...(notApplicable ? { notApplicable } : {}),
      plan: `deregistered task definition ${key} (ecs:DeregisterTaskDefinition)`,
    };
  },

  async apply(ctx, target) {
    const sdk = await ecsSdk();
    await awsCall('ecs:DeregisterTaskDefinition', () =>
      ctx.ecs.send(new sdk.DeregisterTaskDefinitionCommand({ taskDefinition: target.arn })),
    );
    return { calls: ['ecs:DeregisterTaskDefinition'] };
  },

  async followUps(ctx, target) {
    if (!ctx.params.stopStandaloneTasks) return { action: 'stop-task', targets: [] };
    const targets = await standaloneTasksRunning(ctx.ecs, taskDefinitionKey(target.arn));
    return {
      action: 'stop-task',
      targets: targets.map((t) => ({
        ...t,
        account: t.account || target.account,
        region: t.region || target.region,
      })),
    };
  },
});
