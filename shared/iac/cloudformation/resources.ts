/**
 * CloudFormation ECS resources -> normalized resources, through the same builders as the event path
 * (shared/events/ecs-resources.ts) and the same shapes (shared/events/schemas.ts), so a template's task
 * definition is checked exactly like a RegisterTaskDefinition call that sends the same properties.
 * A template is a create request: an omitted property is ECS's default (no circuit breaker, no
 * ECS Exec), as on CreateService.
 */
import * as v from 'valibot';
import * as arns from '../../model/arn';
import type {
  IngressPermission,
  Resource,
  ResourceOrigin,
  SecurityGroupResource,
  TaskSetResource,
} from '../../model/resources';
import {
  capacityProviderFromShape,
  clusterFromShape,
  compact,
  networkOf,
  serviceFromShape,
  tagsOf,
  taskDefinitionFromShape,
} from '../../events/ecs-resources';
import { InvalidEventError } from '../../events/errors';
import {
  CapacityProviderShape,
  ClusterShape,
  KeyValueTags,
  obj,
  ServiceShape,
  TaskDefinitionShape,
  TaskSetShape,
} from '../../events/schemas';
import { validate } from '../../events/validate';
import { IacInputError } from '../errors';
import type { ConvertedProperties } from './properties';

/** The resource types read, CloudFormation name -> builder. */
export const ECS_TYPES = [
  'AWS::ECS::TaskDefinition',
  'AWS::ECS::Service',
  'AWS::ECS::TaskSet',
  'AWS::ECS::Cluster',
  'AWS::ECS::CapacityProvider',
  'AWS::EC2::SecurityGroup',
] as const;
export type EcsType = (typeof ECS_TYPES)[number];

export interface ResourceInput {
  readonly file: string;
  readonly logicalId: string;
  /** How the resource is named in findings: its logical id, or its CDK construct path. */
  readonly address: string;
  readonly type: EcsType;
  readonly line: number;
  readonly properties: ConvertedProperties;
}

/** The ECS builders read a name where ECS always has one: an unnamed resource is named by its logical id. */
function withName(shape: Record<string, unknown>, key: string, logicalId: string): Record<string, unknown> {
  return typeof shape[key] === 'string' && shape[key] !== '' ? shape : { ...shape, [key]: logicalId };
}

function checked<S extends v.GenericSchema>(
  schema: S,
  input: ResourceInput,
  shape: unknown,
): v.InferOutput<S> {
  try {
    return validate(schema, shape, '');
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    // Name the template's property and its line: the longest known prefix of the validator's path.
    let dotted = err.path ?? '';
    let at = input.properties.byDotted.get(dotted);
    while (!at && dotted.includes('.')) {
      dotted = dotted.slice(0, dotted.lastIndexOf('.'));
      at = input.properties.byDotted.get(dotted);
    }
    // A field the template does not have (a required one) is named after its closest parent that it has.
    const rest = (err.path ?? '').slice(dotted.length).replace(/^\./, '');
    const where = `${at?.path ?? 'Properties'}${rest ? ` (${rest})` : ''}`;
    throw new IacInputError(
      input.file,
      `Resources.${input.logicalId}.${where}: ${err.problem}`,
      at?.line ?? input.line,
    );
  }
}

/**
 * Rules name a cluster setting by its name (`settings.containerInsights`), the template by its position
 * (`ClusterSettings[0].Value`): the line and the unknown value are given under both.
 */
function aliasClusterSettings(
  shape: Record<string, unknown>,
  lines: Record<string, number>,
  unknown: string[],
): void {
  if (!Array.isArray(shape.settings)) return;
  shape.settings.forEach((setting: unknown, i) => {
    const name = (setting as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const line = lines[`settings[${i}].value`] ?? lines[`settings[${i}]`];
    if (line !== undefined) lines[`settings.${name}`] = line;
    if (unknown.includes(`settings[${i}].value`)) unknown.push(`settings.${name}`);
  });
}

/** `AWS::EC2::SecurityGroup` as read here: its inline ingress rules (standalone ingress resources are not read). */
const SecurityGroupShape = obj({
  groupName: v.nullish(v.string()),
  vpcId: v.nullish(v.string()),
  securityGroupIngress: v.nullish(
    v.array(
      obj({
        ipProtocol: v.string(),
        fromPort: v.nullish(v.number()),
        toPort: v.nullish(v.number()),
        cidrIp: v.nullish(v.string()),
        cidrIpv6: v.nullish(v.string()),
      }),
    ),
  ),
  tags: KeyValueTags,
});

/**
 * The security group rule names an ingress rule as EC2 does (`IpPermissions[0]`), the template by its
 * property (`SecurityGroupIngress[0]`): the line and the unknown values are given under both.
 */
function aliasIngress(lines: Record<string, number>, unknown: string[]): void {
  for (const [path, line] of Object.entries(lines)) {
    const m = /^securityGroupIngress(\[\d+\])$/.exec(path);
    if (m) lines[`IpPermissions${m[1]}`] = line;
  }
  for (const path of [...unknown]) {
    const m = /^securityGroupIngress(\[\d+\])?/.exec(path);
    if (m) unknown.push(m[1] ? `IpPermissions${m[1]}` : 'IpPermissions');
  }
}

export function buildResource(input: ResourceInput): Resource | undefined {
  const { file, logicalId, properties } = input;
  const unknownPaths = properties.unknown.flatMap((u) =>
    u.evidencePath === undefined ? [] : [u.evidencePath],
  );
  const lines = { ...properties.lines };
  if (input.type === 'AWS::ECS::Cluster') aliasClusterSettings(properties.shape, lines, unknownPaths);
  if (input.type === 'AWS::EC2::SecurityGroup') aliasIngress(lines, unknownPaths);
  const origin: ResourceOrigin = {
    file,
    address: input.address,
    line: input.line,
    lines,
    ...(unknownPaths.length ? { unknown: unknownPaths } : {}),
  };
  const scope = { arn: `${file}#${input.address}`, account: '', region: '', origin };
  const shape = properties.shape;
  // A cluster of the template is named like its findings; an unknown one stays '' (never the default
  // cluster, which is what an omitted `Cluster` means).
  const clusterArnOf = (ref: unknown) =>
    unknownPaths.includes('cluster')
      ? ''
      : typeof ref === 'string' && ref.startsWith(`${file}#`)
        ? ref
        : arns.clusterArn('', '', typeof ref === 'string' ? ref : undefined);

  switch (input.type) {
    case 'AWS::ECS::TaskDefinition': {
      const containers = Array.isArray(shape.containerDefinitions)
        ? shape.containerDefinitions.map((c, i) =>
            c && typeof c === 'object' && !Array.isArray(c)
              ? withName(c as Record<string, unknown>, 'name', `container ${i}`)
              : c,
          )
        : (shape.containerDefinitions ?? []);
      const td = checked(TaskDefinitionShape, input, {
        ...withName(shape, 'family', logicalId),
        containerDefinitions: containers,
      });
      // No revision before deploy: the builder's ARN is replaced by the template's name of the resource.
      return {
        ...taskDefinitionFromShape({ ...td, revision: undefined, taskDefinitionArn: undefined }, '', ''),
        ...scope,
      };
    }
    case 'AWS::ECS::Service': {
      const s = checked(ServiceShape, input, withName(shape, 'serviceName', logicalId));
      const svc = serviceFromShape(
        { ...s, serviceArn: undefined, clusterArn: undefined },
        '',
        '',
        'create-request',
      );
      return svc && { ...svc, ...scope, clusterArn: clusterArnOf(s.cluster) };
    }
    case 'AWS::ECS::TaskSet': {
      const ts = checked(TaskSetShape, input, shape);
      return compact<TaskSetResource>({
        kind: 'TaskSet',
        ...scope,
        tags: tagsOf(ts.tags),
        serviceArn: ts.service ?? undefined,
        clusterArn: ts.cluster ? clusterArnOf(ts.cluster) || undefined : undefined,
        network: networkOf(ts.networkConfiguration),
        taskDefinition: ts.taskDefinition ?? undefined,
      });
    }
    case 'AWS::ECS::Cluster': {
      const c = checked(ClusterShape, input, withName(shape, 'clusterName', logicalId));
      const cluster = clusterFromShape({ ...c, clusterArn: undefined }, '', '');
      if (!cluster) return undefined;
      // As on CreateCluster: without the setting, the account's default decides (enrichment reads it).
      const fromAccount = cluster.settings?.containerInsights === undefined;
      return {
        ...cluster,
        ...scope,
        ...(fromAccount ? { containerInsightsFromAccount: true as const } : {}),
      };
    }
    case 'AWS::EC2::SecurityGroup': {
      const sg = checked(SecurityGroupShape, input, shape);
      return compact<SecurityGroupResource>({
        kind: 'SecurityGroup',
        ...scope,
        tags: tagsOf(sg.tags),
        // No id before deploy: the group is named by its template name (`GroupName`, else the address).
        groupId: sg.groupName ?? input.address,
        groupName: sg.groupName ?? undefined,
        vpcId: sg.vpcId ?? undefined,
        ingress: (sg.securityGroupIngress ?? []).map((r): IngressPermission =>
          compact({
            protocol: r.ipProtocol,
            fromPort: r.fromPort ?? undefined,
            toPort: r.toPort ?? undefined,
            ipv4Ranges: r.cidrIp ? [r.cidrIp] : [],
            ipv6Ranges: r.cidrIpv6 ? [r.cidrIpv6] : [],
          }),
        ),
        // Filled by the reader: the services and task sets of the template that name the group.
        usedBy: [],
      });
    }
    case 'AWS::ECS::CapacityProvider': {
      const cp = checked(CapacityProviderShape, input, withName(shape, 'name', logicalId));
      const built = capacityProviderFromShape({ ...cp, capacityProviderArn: undefined }, '', '', {
        omittedIsDefault: true,
      });
      return built && { ...built, ...scope };
    }
  }
}
