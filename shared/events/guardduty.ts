/**
 * A "GuardDuty Finding" event (source aws.guardduty) -> the ECS task (or, without task details, the
 * cluster) a Runtime Monitoring finding is about, carrying the finding's type and severity
 * (docs/runtime-threats.md). Pure. A finding about anything else (an EC2 instance, an S3 bucket, an EKS
 * cluster) names no ECS resource: the event normalizes to nothing and is counted as ignored.
 *
 * The task and the cluster must be in the finding's own account and region (`detail.accountId`,
 * `detail.region`): a finding that names a resource elsewhere lies about it and is not checked.
 */
import type { ClusterResource, RuntimeThreat, TaskResource } from '../model/resources';
import { lastSegment, clusterArn as clusterArnOf } from '../model/arn';
import { compact, tagsOf } from './ecs-resources';
import type { GuardDutyFindingDetail } from './schemas';

/** GuardDuty resource types whose details name an ECS cluster and task (Runtime Monitoring). */
export const ECS_RUNTIME_RESOURCE_TYPES: ReadonlySet<string> = new Set(['ECSCluster', 'Container']);

export interface GuardDutyNormalized {
  readonly account: string;
  readonly region: string;
  readonly resources: readonly (TaskResource | ClusterResource)[];
  /** Why nothing was checked when the finding is about ECS but names no usable resource. */
  readonly incomplete?: string;
}

const ECS_ARN = /^arn:aws[\w-]*:ecs:([a-z0-9-]+):(\d{12}):(task|cluster)\/(.+)$/;

/** The finding's ARN is `arn:<p>:guardduty:<region>:<account>:detector/<id>/finding/<id>`. */
export function threatOf(d: GuardDutyFindingDetail): RuntimeThreat {
  return compact<RuntimeThreat>({
    type: d.type,
    severity: d.severity,
    findingArn: d.arn,
    findingId: d.id,
    title: d.title ?? undefined,
    count: d.service?.count ?? undefined,
    archived: d.service?.archived ?? undefined,
    updatedAt: d.updatedAt ?? undefined,
  });
}

export function normalizeGuardDutyFinding(d: GuardDutyFindingDetail): GuardDutyNormalized {
  const account = d.accountId;
  const region = d.region;
  const base = { account, region, resources: [] as (TaskResource | ClusterResource)[] };
  const ecs = d.resource.ecsClusterDetails;
  if (!ECS_RUNTIME_RESOURCE_TYPES.has(d.resource.resourceType ?? '') || !ecs) return base;
  const inScope = (arn: string, type: 'task' | 'cluster') => {
    const m = ECS_ARN.exec(arn);
    return m !== null && m[1] === region && m[2] === account && m[3] === type;
  };
  const threat = threatOf(d);
  const clusterArn = ecs.arn ?? (ecs.name ? clusterArnOf(region, account, ecs.name) : undefined);
  if (clusterArn !== undefined && !inScope(clusterArn, 'cluster'))
    return { ...base, incomplete: 'GuardDuty finding names a cluster outside its own account and region (not checked)' };
  const task = ecs.taskDetails;
  if (!task?.arn) {
    if (!clusterArn)
      return { ...base, incomplete: 'GuardDuty ECS finding names neither a task nor a cluster (not checked)' };
    const cluster = compact<ClusterResource>({
      kind: 'Cluster',
      arn: clusterArn,
      account,
      region,
      name: ecs.name ?? lastSegment(clusterArn),
      // No tags: the finding's copy would make the cluster's tag rules judge a GuardDuty event.
      runtimeThreat: threat,
    });
    return { ...base, resources: [cluster] };
  }
  if (!inScope(task.arn, 'task'))
    return { ...base, incomplete: 'GuardDuty finding names a task outside its own account and region (not checked)' };
  const resource = compact<TaskResource>({
    kind: 'Task',
    arn: task.arn,
    account,
    region,
    clusterArn,
    taskDefinitionArn: task.definitionArn ?? undefined,
    group: task.group ?? undefined,
    startedBy: task.startedBy ?? undefined,
    launchType: task.launchType ?? undefined,
    eniIds: [],
    // The task's own tags as GuardDuty saw them; the cluster's are not the workload's (team) tags.
    tags: tagsOf(task.tags),
    containers: (task.containers ?? []).map((c) =>
      compact({ name: c.name ?? undefined, image: c.image ?? undefined }),
    ),
    runtimeThreat: threat,
  });
  return { ...base, resources: [resource] };
}
