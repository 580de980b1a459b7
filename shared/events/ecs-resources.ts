/**
 * ECS API shapes -> normalized resources: the one set of builders for events (normalize.ts), enrichment
 * (shared/aws), the sweep and remediation's live-state reads, so a resource looks the same whoever saw
 * it. The `*FromShape` builders take an already-validated shape; the `*Resource` builders validate a raw
 * Describe* answer first and raise InvalidEventError naming the field (never the value).
 */
import * as v from 'valibot';
import * as arns from '../model/arn';
import type {
  AwsVpcConfiguration,
  CapacityProviderResource,
  ClusterResource,
  ContainerInstanceResource,
  ServiceResource,
  TaskDefinitionResource,
  TaskResource,
  TaskSetResource,
} from '../model/resources';
import {
  type AwsVpc,
  type CapacityProviderShape,
  ClusterShape,
  KeyValueTags,
  type RunTaskRequest,
  NameValue,
  ServiceShape,
  TaskDefinitionShape,
  TaskSetShape,
  TaskShape,
} from './schemas';
import { validate } from './validate';

type Tags = Record<string, string>;
type NameValues = readonly { name: string; value?: string | null }[] | null | undefined;
type KeyValues = readonly { key: string; value?: string | null }[] | null | undefined;

/** Tags as a map; an entry without a key (a malformed Describe* answer) is skipped. */
export function tagsOf(
  list: KeyValues | v.InferOutput<typeof KeyValueTags> | readonly { key?: string; value?: string }[],
): Tags | undefined {
  if (!list) return undefined;
  const out: Tags = {};
  for (const t of list) if (typeof t.key === 'string') out[t.key] = t.value ?? '';
  return out;
}

export function networkOf(nc: v.InferOutput<typeof AwsVpc>): AwsVpcConfiguration | undefined {
  const c = nc?.awsvpcConfiguration;
  if (!c) return undefined;
  return {
    ...(c.subnets ? { subnets: c.subnets } : {}),
    ...(c.securityGroups ? { securityGroups: c.securityGroups } : {}),
    ...(c.assignPublicIp ? { assignPublicIp: c.assignPublicIp } : {}),
  };
}

/** Drop undefined/null members so resources carry only what the event (or the API answer) showed. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}


export function eniIdsOf(attachments: NameValuesAttachments): string[] {
  const ids: string[] = [];
  for (const a of attachments ?? []) {
    if (a.type !== 'eni' && a.type !== 'ElasticNetworkInterface') continue;
    for (const d of a.details ?? []) if (d.name === 'networkInterfaceId' && d.value) ids.push(d.value);
  }
  return ids;
}
type NameValuesAttachments = readonly { type?: string | null; details?: NameValues }[] | null | undefined;

export function taskDefinitionFromShape(
  td: TaskDefinitionShape,
  region: string,
  account: string,
  extraTags?: Tags,
): TaskDefinitionResource {
  const ref = td.revision != null ? `${td.family}:${td.revision}` : td.family;
  const arn = td.taskDefinitionArn || arns.taskDefinitionArn(region, account, ref);
  const tags = tagsOf(td.tags) ?? extraTags;
  return compact<TaskDefinitionResource>({
    kind: 'TaskDefinition',
    arn,
    account,
    region,
    tags,
    family: td.family,
    revision: td.revision ?? arns.parseTaskDefinitionRef(arn).revision,
    status: td.status ?? undefined,
    networkMode: td.networkMode ?? undefined,
    pidMode: td.pidMode ?? undefined,
    ipcMode: td.ipcMode ?? undefined,
    osFamily: td.runtimePlatform?.operatingSystemFamily ?? undefined,
    requiresCompatibilities: td.requiresCompatibilities ?? undefined,
    memory: td.memory ?? undefined,
    taskRoleArn: td.taskRoleArn ?? undefined,
    executionRoleArn: td.executionRoleArn ?? undefined,
    containers: td.containerDefinitions.map((c) =>
      compact({
        name: c.name,
        image: c.image ?? undefined,
        privileged: c.privileged ?? undefined,
        user: c.user ?? undefined,
        readonlyRootFilesystem: c.readonlyRootFilesystem ?? undefined,
        capabilitiesAdd: c.linuxParameters?.capabilities?.add ?? [],
        environment: (c.environment ?? []).map((e) => compact({ name: e.name, value: e.value ?? undefined })),
        logDriver: c.logConfiguration?.logDriver ?? undefined,
        logOptions: c.logConfiguration?.options
          ? (Object.fromEntries(
              Object.entries(c.logConfiguration.options).filter(([, val]) => val != null),
            ) as Record<string, string>)
          : undefined,
        dockerSecurityOptions: c.dockerSecurityOptions ?? undefined,
        memory: c.memory ?? undefined,
      }),
    ),
    volumes: (td.volumes ?? []).map((vol) =>
      compact({
        name: vol.name,
        hostSourcePath: vol.host?.sourcePath ?? undefined,
        efsTransitEncryption: vol.efsVolumeConfiguration
          ? (vol.efsVolumeConfiguration.transitEncryption ?? 'DISABLED')
          : undefined,
      }),
    ),
  });
}

/**
 * What a service shape is: ECS's state of it (a response, DescribeServices), or the request of a create
 * (omitted = ECS's default) or of an update (omitted = unchanged, so unknown).
 */
export type ServiceShapeSource = 'state' | 'create-request' | 'update-request';

/** `deploymentCircuitBreaker.enable` as the shape shows it (off is ECS's default on create). */
function circuitBreakerOf(s: v.InferOutput<typeof ServiceShape>, source: ServiceShapeSource): boolean | undefined {
  const enable = s.deploymentConfiguration?.deploymentCircuitBreaker?.enable ?? undefined;
  if (enable !== undefined) return enable;
  if (source === 'update-request') return undefined;
  if (source === 'create-request') return false;
  // ECS's state shows the deployment configuration in full: no breaker in it is no breaker.
  return s.deploymentConfiguration ? false : undefined;
}

export function serviceFromShape(
  s: v.InferOutput<typeof ServiceShape>,
  region: string,
  account: string,
  source: ServiceShapeSource = 'state',
): ServiceResource | undefined {
  const name = s.serviceName ?? (s.service ? arns.lastSegment(s.service) : undefined);
  const arn =
    s.serviceArn ?? (name ? arns.serviceArn(region, account, s.clusterArn ?? s.cluster, s.service ?? name) : undefined);
  if (!arn) return undefined;
  const clusterName = s.clusterArn ?? s.cluster ?? arns.clusterNameOfServiceArn(arn);
  return compact<ServiceResource>({
    kind: 'Service',
    arn,
    account,
    region,
    tags: tagsOf(s.tags),
    name: name ?? arns.lastSegment(arn),
    clusterArn: arns.clusterArn(region, account, clusterName),
    network: networkOf(s.networkConfiguration),
    enableExecuteCommand: s.enableExecuteCommand ?? undefined,
    launchType: s.launchType ?? undefined,
    platformVersion: s.platformVersion ?? undefined,
    capacityProviders: s.capacityProviderStrategy?.map((c) => c.capacityProvider),
    taskDefinition: s.taskDefinition ?? undefined,
    deploymentController: s.deploymentController?.type ?? undefined,
    circuitBreakerEnabled: circuitBreakerOf(s, source),
    status: s.status ?? undefined,
  });
}

export function clusterFromShape(
  c: v.InferOutput<typeof ClusterShape>,
  region: string,
  account: string,
): ClusterResource | undefined {
  const ref = c.clusterArn ?? c.cluster ?? c.clusterName;
  if (!ref) return undefined;
  const arn = arns.clusterArn(region, account, ref);
  return compact<ClusterResource>({
    kind: 'Cluster',
    arn,
    account,
    region,
    tags: tagsOf(c.tags),
    name: c.clusterName ?? arns.lastSegment(arn),
    settings: c.settings ? Object.fromEntries(c.settings.map((s) => [s.name, s.value ?? ''])) : undefined,
    execLogging: c.configuration?.executeCommandConfiguration?.logging ?? undefined,
  });
}

/**
 * A capacity provider from CreateCapacityProvider / UpdateCapacityProvider (the response's
 * `capacityProvider`, else the request). `create` says an omitted `managedTerminationProtection` is ECS's
 * default (DISABLED); on an update it is unchanged, so unknown.
 */
export function capacityProviderFromShape(
  cp: CapacityProviderShape,
  region: string,
  account: string,
  opts: { readonly omittedIsDefault: boolean },
): CapacityProviderResource | undefined {
  const ref = cp.capacityProviderArn ?? cp.name;
  if (!ref) return undefined;
  const arn = arns.capacityProviderArn(region, account, ref);
  const asg = cp.autoScalingGroupProvider;
  return compact<CapacityProviderResource>({
    kind: 'CapacityProvider',
    arn,
    account,
    region,
    tags: tagsOf(cp.tags),
    name: cp.name ?? arns.lastSegment(arn),
    autoScalingGroup: asg
      ? compact({
          arn: asg.autoScalingGroupArn ?? undefined,
          managedTerminationProtection:
            asg.managedTerminationProtection ?? (opts.omittedIsDefault ? 'DISABLED' : undefined),
        })
      : undefined,
  });
}

export function taskFromShape(
  t: TaskShape,
  region: string,
  account: string,
  request?: v.InferOutput<typeof RunTaskRequest>,
  launchedBy?: string,
): TaskResource {
  // The response echoes the overrides; the request is read too, so neither side can hide a chosen role.
  const taskRole = t.overrides?.taskRoleArn || request?.overrides?.taskRoleArn || undefined;
  const executionRole = t.overrides?.executionRoleArn || request?.overrides?.executionRoleArn || undefined;
  const roleOverrides =
    taskRole || executionRole ? compact({ taskRoleArn: taskRole, executionRoleArn: executionRole }) : undefined;
  return compact<TaskResource>({
    kind: 'Task',
    arn: t.taskArn,
    account,
    region,
    tags: tagsOf(t.tags),
    clusterArn: t.clusterArn ?? (request?.cluster ? arns.clusterArn(region, account, request.cluster) : undefined),
    taskDefinitionArn: t.taskDefinitionArn ?? undefined,
    group: t.group ?? request?.group ?? undefined,
    startedBy: t.startedBy ?? request?.startedBy ?? undefined,
    lastStatus: t.lastStatus ?? undefined,
    launchType: t.launchType ?? request?.launchType ?? undefined,
    network: request ? networkOf(request.networkConfiguration) : undefined,
    enableExecuteCommand: t.enableExecuteCommand ?? request?.enableExecuteCommand ?? undefined,
    eniIds: eniIdsOf(t.attachments),
    roleOverrides,
    launchedBy,
  });
}

interface Scope {
  readonly account: string;
  readonly region: string;
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
