/**
 * ECS Describe* outputs -> normalized resources, through the same valibot schemas and shape helpers the
 * event path uses (shared/events), so a resource looks the same whether an event or a sweep saw it.
 * A malformed shape raises InvalidEventError naming the field (never the value).
 */
import * as v from 'valibot';
import * as arns from '../model/arn';
import type {
  ClusterResource,
  ContainerInstanceResource,
  ServiceResource,
  TaskDefinitionResource,
  TaskResource,
  TaskSetResource,
} from '../model/resources';
import {
  clusterFromShape,
  serviceFromShape,
  taskDefinitionFromShape,
  taskFromShape,
} from '../events/normalize';
import {
  type AwsVpc,
  ClusterShape,
  KeyValueTags,
  NameValue,
  ServiceShape,
  TaskDefinitionShape,
  TaskSetShape,
  TaskShape,
} from '../events/schemas';
import { validate } from '../events/validate';

interface Scope {
  readonly account: string;
  readonly region: string;
}

type KeyValues = v.InferOutput<typeof KeyValueTags>;

export function tagsOf(
  list: KeyValues | readonly { key?: string; value?: string }[],
): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const t of list) if (typeof t.key === 'string') out[t.key] = t.value ?? '';
  return out;
}

function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}

function networkOf(nc: v.InferOutput<typeof AwsVpc>) {
  const c = nc?.awsvpcConfiguration;
  if (!c) return undefined;
  return compact({
    subnets: c.subnets ?? undefined,
    securityGroups: c.securityGroups ?? undefined,
    assignPublicIp: c.assignPublicIp ?? undefined,
  });
}

export function clusterResource(raw: unknown, path: string, s: Scope): ClusterResource | undefined {
  return clusterFromShape(validate(ClusterShape, raw, path), s.region, s.account);
}

/** DescribeServices' service shape also carries `deployments[].taskDefinition` (in use during a rollout). */
const ServiceExtras = v.object({
  deployments: v.nullish(v.array(v.object({ taskDefinition: v.nullish(v.string()) }))),
  taskSets: v.nullish(v.array(v.unknown())),
});

export interface DescribedService {
  readonly service: ServiceResource;
  readonly taskSets: TaskSetResource[];
  /** Every task definition the service uses: its own, its deployments' and its task sets'. */
  readonly taskDefinitionRefs: string[];
}

export function serviceResource(raw: unknown, path: string, s: Scope): DescribedService | undefined {
  const shape = validate(ServiceShape, raw, path);
  const extras = validate(ServiceExtras, raw, path);
  const service = serviceFromShape(shape, s.region, s.account);
  if (!service) return undefined;
  const taskSets = (extras.taskSets ?? []).map((ts, i) =>
    taskSetResource(ts, `${path}.taskSets[${i}]`, s, service),
  );
  const refs = [
    shape.taskDefinition,
    ...(extras.deployments ?? []).map((d) => d.taskDefinition),
    ...taskSets.map((t) => t.taskDefinition),
  ].filter((r): r is string => typeof r === 'string' && r.length > 0);
  return {
    service,
    taskSets,
    taskDefinitionRefs: refs.map((r) => arns.taskDefinitionArn(s.region, s.account, r)),
  };
}

export function taskSetResource(
  raw: unknown,
  path: string,
  s: Scope,
  service: ServiceResource,
): TaskSetResource {
  const ts = validate(TaskSetShape, raw, path);
  const arn = ts.taskSetArn ?? `${service.arn.replace(':service/', ':task-set/')}/${ts.id ?? 'unknown'}`;
  return compact<TaskSetResource>({
    kind: 'TaskSet',
    arn,
    account: s.account,
    region: s.region,
    // DescribeServices does not return task set tags; the service's tags are the closest owner.
    tags: tagsOf(ts.tags) ?? service.tags,
    serviceArn: ts.serviceArn ?? service.arn,
    clusterArn: ts.clusterArn ?? service.clusterArn,
    network: networkOf(ts.networkConfiguration),
    taskDefinition: ts.taskDefinition ?? undefined,
  });
}

export function taskResource(raw: unknown, path: string, s: Scope): TaskResource {
  return taskFromShape(validate(TaskShape, raw, path), s.region, s.account);
}

const ContainerInstanceShape = v.object({
  containerInstanceArn: v.string(),
  ec2InstanceId: v.nullish(v.string()),
  status: v.nullish(v.string()),
  attributes: v.nullish(v.array(NameValue)),
  tags: KeyValueTags,
});

export function containerInstanceResource(
  raw: unknown,
  path: string,
  s: Scope,
  clusterArn: string,
): ContainerInstanceResource {
  const ci = validate(ContainerInstanceShape, raw, path);
  return compact<ContainerInstanceResource>({
    kind: 'ContainerInstance',
    arn: ci.containerInstanceArn,
    account: s.account,
    region: s.region,
    tags: tagsOf(ci.tags),
    clusterArn,
    ec2InstanceId: ci.ec2InstanceId ?? undefined,
    attributes: (ci.attributes ?? []).map((a) => a.name),
  });
}

export function taskDefinitionResource(
  raw: unknown,
  tags: readonly { key?: string; value?: string }[] | undefined,
  path: string,
  s: Scope,
): TaskDefinitionResource {
  return taskDefinitionFromShape(validate(TaskDefinitionShape, raw, path), s.region, s.account, tagsOf(tags));
}
