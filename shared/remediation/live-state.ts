/**
 * Verify before acting: read the resource a finding's rule judges from AWS as it is NOW, normalize it
 * with the builders the sweep uses (shared/events/ecs-resources.ts, the same shapes the event path uses), and
 * run THE SAME rule function (shared/rules registry) on it. An event can lie (forged, replayed, stale,
 * out of order; the CLI reads files others can write): only AWS's answer decides whether to act.
 *
 * The rule decides what is read: a TaskDefinition rule reads the revision (for a task target, the
 * revision the task runs, as DescribeTasks reports it); a Task rule reads the task and the public IPv4
 * of its ENIs (EC2 DescribeNetworkInterfaces); a Service rule the service; a Cluster rule the cluster.
 * ARNs come from AWS's responses, never from the event.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { EnrichmentError } from '../engine/enrich';
import type { Evidence } from '../model/finding';
import type { Resource, ResourceKind, TaskResource } from '../model/resources';
import type { Policy } from '../policy/types';
import { getRule } from '../rules/registry';
import {
  clusterResource,
  serviceResource,
  taskDefinitionResource,
  taskResource,
} from '../events/ecs-resources';
import { clusterOf } from './ecs-helpers';
import { awsCall, errorName, RemediationCallError } from './errors';
import type { ActionTarget } from './types';

/** The clients a live reading needs; EC2 only for a task's public IPs, GuardDuty only for a runtime threat (created on first use). */
export interface LiveAccess {
  readonly ecs: ECSClient;
  readonly ec2?: () => Promise<EC2Client>;
  readonly guardDuty?: () => Promise<GuardDutyClient>;
}

export type LiveVerdict =
  /** The live state violates the rule: acting is justified; `evidence` is the rule's, on AWS's state. */
  | { readonly violated: true; readonly resource: Resource; readonly evidence: readonly Evidence[] }
  /** The live state does not violate the rule (`resource`), or the resource is gone (no `resource`). */
  | { readonly violated: false; readonly resource?: Resource };

/** The reason a remediation gives when AWS says the rule is not violated (any more, or never was). */
export const NOT_VIOLATED_NOW = 'not violated now';

/** The ECS resource kind an ARN names (`task-definition/`, `task/`, `service/`, `cluster/`). */
export function kindOfArn(arn: string): ResourceKind | undefined {
  const resource = arn.split(':').slice(5).join(':');
  const type = resource.slice(0, resource.indexOf('/'));
  switch (type) {
    case 'task-definition':
      return 'TaskDefinition';
    case 'task':
      return 'Task';
    case 'service':
      return 'Service';
    case 'cluster':
      return 'Cluster';
    case 'task-set':
      return 'TaskSet';
    case 'container-instance':
      return 'ContainerInstance';
    default:
      return undefined;
  }
}

const scopeOf = (t: ActionTarget) => ({ account: t.account, region: t.region });

/** DescribeTaskDefinition (include TAGS); undefined when ECS does not know the revision. */
export async function liveTaskDefinition(ecs: ECSClient, ref: string, target: ActionTarget) {
  let out;
  try {
    out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
  } catch (err) {
    // ECS answers ClientException for a revision that does not exist.
    if (errorName(err) === 'ClientException') return undefined;
    throw new RemediationCallError('ecs:DescribeTaskDefinition', err);
  }
  if (!out.taskDefinition) return undefined;
  return taskDefinitionResource(out.taskDefinition, out.tags, 'taskDefinition', scopeOf(target));
}

/** DescribeTasks (include TAGS) for the target task; undefined when it is gone. */
export async function liveTask(ecs: ECSClient, target: ActionTarget): Promise<TaskResource | undefined> {
  const out = await awsCall('ecs:DescribeTasks', () =>
    ecs.send(
      new DescribeTasksCommand({ cluster: clusterOf(target), tasks: [target.arn], include: ['TAGS'] }),
    ),
  );
  const i = (out.tasks ?? []).findIndex((t) => t.taskArn === target.arn);
  if (i < 0) return undefined;
  return taskResource(out.tasks![i], `tasks[${i}]`, scopeOf(target));
}

/** The task with `publicIps` filled from its ENIs (empty when it has none, or is stopped). */
async function withPublicIps(access: LiveAccess, task: TaskResource): Promise<TaskResource> {
  if (!task.eniIds.length || task.lastStatus === 'STOPPED') return { ...task, publicIps: [] };
  if (!access.ec2) throw new Error('no EC2 client to read the public IPs of the task ENIs');
  const ec2 = await access.ec2();
  const { publicIps } = await import('../aws/network-interfaces');
  try {
    return { ...task, publicIps: await publicIps(ec2, task.eniIds) };
  } catch (err) {
    // EnrichmentError carries the AWS error name as `code`; report the name, never the message.
    const cause = err instanceof EnrichmentError ? { name: err.code } : err;
    throw new RemediationCallError('ec2:DescribeNetworkInterfaces', cause);
  }
}

async function liveService(ecs: ECSClient, target: ActionTarget) {
  const out = await awsCall('ecs:DescribeServices', () =>
    ecs.send(
      new DescribeServicesCommand({
        cluster: clusterOf(target),
        services: [target.arn],
        include: ['TAGS'],
      }),
    ),
  );
  const raw = out.services?.[0];
  if (!raw || (raw.status && raw.status !== 'ACTIVE')) return undefined;
  return serviceResource(raw, 'services[0]', scopeOf(target))?.service;
}

async function liveCluster(ecs: ECSClient, target: ActionTarget) {
  const out = await awsCall('ecs:DescribeClusters', () =>
    ecs.send(new DescribeClustersCommand({ clusters: [target.arn], include: ['SETTINGS', 'TAGS'] })),
  );
  const raw = out.clusters?.[0];
  if (!raw || (raw.status && raw.status !== 'ACTIVE')) return undefined;
  return clusterResource(raw, 'clusters[0]', scopeOf(target));
}

/** The reads `readLive` makes for a rule on `kind` and a target of `targetKind` (docs/remediation.md). */
export function liveReadsFor(kind: ResourceKind, targetKind: ResourceKind): string {
  if (kind === 'TaskDefinition' && targetKind === 'Task')
    return 'ecs:DescribeTasks, then ecs:DescribeTaskDefinition of the revision the task runs (as ECS reports it)';
  if (kind !== targetKind) return `none: a ${kind} rule cannot be verified on a ${targetKind} (failed)`;
  switch (kind) {
    case 'TaskDefinition':
      return 'ecs:DescribeTaskDefinition (include TAGS)';
    case 'Task':
      return "ecs:DescribeTasks (include TAGS), ec2:DescribeNetworkInterfaces (the public IPv4 of the task's ENIs); for a task a GuardDuty finding named, guardduty:GetFindings (the finding still open and naming the task)";
    case 'Service':
      return 'ecs:DescribeServices (include TAGS)';
    case 'Cluster':
      return 'ecs:DescribeClusters (include SETTINGS, TAGS)';
    default:
      return `none: ${kind} is not read live (failed)`;
  }
}

/**
 * The resource of kind `kind` that the target is (or, for a task and a TaskDefinition rule, runs), as
 * AWS holds it now; undefined when it is gone. Throws on AWS errors and on a shape AWS should never send
 * (InvalidEventError naming the field).
 */
export async function readLive(
  access: LiveAccess,
  kind: ResourceKind,
  target: ActionTarget,
  seen?: Resource,
): Promise<Resource | undefined> {
  // What the action's own read just got from AWS (normalized): only what is missing is read again.
  if (seen?.arn === target.arn) {
    if (seen.kind === 'Task' && kind === 'Task') return seen.publicIps ? seen : withPublicIps(access, seen);
    if (seen.kind === kind) return seen;
    if (seen.kind === 'Task' && kind === 'TaskDefinition')
      return seen.taskDefinitionArn
        ? liveTaskDefinition(access.ecs, seen.taskDefinitionArn, target)
        : undefined;
  }
  const targetKind = kindOfArn(target.arn);
  if (kind === 'TaskDefinition' && targetKind === 'TaskDefinition')
    return liveTaskDefinition(access.ecs, target.arn, target);
  if (kind === 'TaskDefinition' && targetKind === 'Task') {
    const task = await liveTask(access.ecs, target);
    if (!task?.taskDefinitionArn) return undefined;
    return liveTaskDefinition(access.ecs, task.taskDefinitionArn, target);
  }
  if (kind === 'Task' && targetKind === 'Task') {
    const task = await liveTask(access.ecs, target);
    return task && withPublicIps(access, task);
  }
  if (kind === 'Service' && targetKind === 'Service') return liveService(access.ecs, target);
  if (kind === 'Cluster' && targetKind === 'Cluster') return liveCluster(access.ecs, target);
  throw new Error(`no live reading of a ${kind} for a ${targetKind ?? 'resource of unknown type'}`);
}

/**
 * A task a GuardDuty finding named: the threat as GuardDuty holds it NOW (GetFindings), never the event's
 * copy; absent when the finding is gone, archived or about another task (then nothing to act on).
 */
async function withThreat(
  access: LiveAccess,
  task: TaskResource,
  target: ActionTarget,
): Promise<TaskResource> {
  const ref = target.guardDutyFinding!;
  if (!access.guardDuty) throw new Error('no GuardDuty client to verify the runtime finding');
  const client = await access.guardDuty();
  const { liveRuntimeThreat } = await import('../aws/guardduty-findings');
  const { runtimeThreat: _event, ...rest } = task;
  let threat;
  try {
    threat = await liveRuntimeThreat(client, ref, task.arn);
  } catch (err) {
    throw new RemediationCallError('guardduty:GetFindings', err);
  }
  return threat ? { ...rest, runtimeThreat: threat } : rest;
}

/**
 * THE verification step: the finding's rule (from the registry, with the policy's params) evaluated on
 * what AWS returns for the target now. `seen` is the action's own reading of the target, just made
 * (`Observed.live`): reused, so only what it lacks is read. Pure apart from the reads; never acts.
 */
export async function verifyLive(
  access: LiveAccess,
  policy: Policy,
  ruleId: string,
  target: ActionTarget,
  seen?: Resource,
): Promise<LiveVerdict> {
  const rule = getRule(ruleId);
  if (!rule || rule.family !== 'resource') throw new Error(`rule ${ruleId} judges no resource`);
  const read = await readLive(access, rule.appliesTo, target, seen);
  const resource =
    read && read.kind === 'Task' && target.guardDutyFinding ? await withThreat(access, read, target) : read;
  if (!resource) return { violated: false };
  const params = policy.rules[ruleId]?.params ?? rule.params?.defaults;
  const evidence = rule.check(resource as never, params);
  return evidence.length ? { violated: true, resource, evidence } : { violated: false, resource };
}
