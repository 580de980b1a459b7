/**
 * Terraform's ECS resources (the AWS provider's attribute names, snake_case, nested blocks as lists) ->
 * the ECS API shapes the event path reads (shared/events/schemas.ts), so the same normalizers build the
 * same resources. Each mapped attribute is listed with the API path the rules write in evidence, for the
 * line of a finding, and with its Terraform path, to tell whether it is unknown until apply.
 */
import type { JsonPath } from './positions';

type Json = unknown;
const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** The first element of a nested block (Terraform writes `block {}` as a list of one object). */
const block = (x: unknown): Record<string, unknown> | undefined =>
  Array.isArray(x) && isObject(x[0]) ? x[0] : isObject(x) ? x : undefined;

const keyValueTags = (x: unknown): Json =>
  isObject(x) ? Object.entries(x).map(([key, value]) => ({ key, value })) : x;

/** An attribute the rules read: where it is in Terraform (`after`) and in the API shape (evidence paths). */
export interface MappedAttribute {
  readonly api: string;
  readonly tf: JsonPath;
}

export interface EcsMapping {
  readonly kind: 'TaskDefinition' | 'Service' | 'Cluster' | 'CapacityProvider';
  readonly attributes: readonly MappedAttribute[];
  /** The API shape of `after`, with the attributes unknown until apply left out. */
  readonly shape: (
    after: Record<string, unknown>,
    isUnknown: (tf: JsonPath) => boolean,
  ) => Record<string, unknown>;
}

/** `undefined` (left out, never flagged) when unknown until apply. */
function known<T>(isUnknown: (tf: JsonPath) => boolean, tf: JsonPath, value: T): T | undefined {
  return isUnknown(tf) ? undefined : value;
}

export const TASK_DEFINITION: EcsMapping = {
  kind: 'TaskDefinition',
  attributes: [
    { api: 'containerDefinitions', tf: ['container_definitions'] },
    { api: 'networkMode', tf: ['network_mode'] },
    { api: 'pidMode', tf: ['pid_mode'] },
    { api: 'ipcMode', tf: ['ipc_mode'] },
    { api: 'taskRoleArn', tf: ['task_role_arn'] },
    { api: 'executionRoleArn', tf: ['execution_role_arn'] },
    { api: 'requiresCompatibilities', tf: ['requires_compatibilities'] },
    { api: 'memory', tf: ['memory'] },
    { api: 'runtimePlatform', tf: ['runtime_platform'] },
    { api: 'volumes', tf: ['volume'] },
    { api: 'tags', tf: ['tags'] },
  ],
  // container_definitions is parsed by the reader (a JSON string of the API's container definitions).
  shape: (a, u) => ({
    family: a.family,
    networkMode: known(u, ['network_mode'], a.network_mode),
    pidMode: known(u, ['pid_mode'], a.pid_mode),
    ipcMode: known(u, ['ipc_mode'], a.ipc_mode),
    taskRoleArn: known(u, ['task_role_arn'], a.task_role_arn),
    executionRoleArn: known(u, ['execution_role_arn'], a.execution_role_arn),
    requiresCompatibilities: known(u, ['requires_compatibilities'], a.requires_compatibilities),
    memory: known(u, ['memory'], a.memory),
    runtimePlatform: known(u, ['runtime_platform'], block(a.runtime_platform))
      ? { operatingSystemFamily: block(a.runtime_platform)?.operating_system_family }
      : undefined,
    volumes: known(
      u,
      ['volume'],
      Array.isArray(a.volume)
        ? a.volume.map((vol: unknown) => {
            const v = isObject(vol) ? vol : {};
            const efs = block(v.efs_volume_configuration);
            return {
              name: v.name,
              host:
                typeof v.host_path === 'string' && v.host_path !== ''
                  ? { sourcePath: v.host_path }
                  : undefined,
              efsVolumeConfiguration: efs ? { transitEncryption: efs.transit_encryption } : undefined,
            };
          })
        : undefined,
    ),
  }),
};

export const SERVICE: EcsMapping = {
  kind: 'Service',
  attributes: [
    {
      api: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
      tf: ['network_configuration', 0, 'assign_public_ip'],
    },
    { api: 'networkConfiguration', tf: ['network_configuration'] },
    { api: 'enableExecuteCommand', tf: ['enable_execute_command'] },
    {
      api: 'deploymentConfiguration.deploymentCircuitBreaker.enable',
      tf: ['deployment_circuit_breaker', 0, 'enable'],
    },
    { api: 'deploymentConfiguration', tf: ['deployment_circuit_breaker'] },
    { api: 'deploymentController', tf: ['deployment_controller'] },
    { api: 'launchType', tf: ['launch_type'] },
    { api: 'platformVersion', tf: ['platform_version'] },
    { api: 'capacityProviderStrategy', tf: ['capacity_provider_strategy'] },
    { api: 'taskDefinition', tf: ['task_definition'] },
    { api: 'tags', tf: ['tags'] },
  ],
  shape: (a, u) => {
    const net = block(a.network_configuration);
    const assign = net?.assign_public_ip;
    const breaker = block(a.deployment_circuit_breaker);
    const controller = block(a.deployment_controller);
    return {
      serviceName: a.name,
      cluster: known(u, ['cluster'], a.cluster),
      taskDefinition: known(u, ['task_definition'], a.task_definition),
      launchType: known(u, ['launch_type'], a.launch_type === '' ? undefined : a.launch_type),
      platformVersion: known(
        u,
        ['platform_version'],
        a.platform_version === '' ? undefined : a.platform_version,
      ),
      enableExecuteCommand: known(u, ['enable_execute_command'], a.enable_execute_command),
      capacityProviderStrategy: known(
        u,
        ['capacity_provider_strategy'],
        Array.isArray(a.capacity_provider_strategy)
          ? a.capacity_provider_strategy.map((c: unknown) => ({
              capacityProvider: isObject(c) ? c.capacity_provider : c,
            }))
          : undefined,
      ),
      networkConfiguration: net
        ? {
            awsvpcConfiguration: {
              subnets: known(u, ['network_configuration', 0, 'subnets'], net.subnets),
              securityGroups: known(u, ['network_configuration', 0, 'security_groups'], net.security_groups),
              // Terraform's boolean is the API's ENABLED / DISABLED.
              assignPublicIp: known(
                u,
                ['network_configuration', 0, 'assign_public_ip'],
                assign === true ? 'ENABLED' : assign === false ? 'DISABLED' : assign,
              ),
            },
          }
        : undefined,
      deploymentController: controller ? { type: controller.type } : undefined,
      deploymentConfiguration: breaker ? { deploymentCircuitBreaker: { enable: breaker.enable } } : undefined,
    };
  },
};

export const CLUSTER: EcsMapping = {
  kind: 'Cluster',
  attributes: [
    { api: 'settings.containerInsights', tf: ['setting'] },
    { api: 'containerInsights', tf: ['setting'] },
    {
      api: 'configuration.executeCommandConfiguration.logging',
      tf: ['configuration', 0, 'execute_command_configuration', 0, 'logging'],
    },
    { api: 'tags', tf: ['tags'] },
  ],
  shape: (a, u) => {
    const exec = block(block(a.configuration)?.execute_command_configuration);
    return {
      clusterName: a.name,
      settings: known(
        u,
        ['setting'],
        Array.isArray(a.setting)
          ? a.setting.map((s: unknown) => (isObject(s) ? { name: s.name, value: s.value } : s))
          : undefined,
      ),
      configuration: exec ? { executeCommandConfiguration: { logging: exec.logging } } : undefined,
    };
  },
};

export const CAPACITY_PROVIDER: EcsMapping = {
  kind: 'CapacityProvider',
  attributes: [
    {
      api: 'autoScalingGroupProvider.managedTerminationProtection',
      tf: ['auto_scaling_group_provider', 0, 'managed_termination_protection'],
    },
    { api: 'tags', tf: ['tags'] },
  ],
  shape: (a, u) => {
    const asg = block(a.auto_scaling_group_provider);
    const tf = ['auto_scaling_group_provider', 0, 'managed_termination_protection'];
    return {
      name: a.name,
      autoScalingGroupProvider: asg
        ? {
            autoScalingGroupArn: known(
              u,
              ['auto_scaling_group_provider', 0, 'auto_scaling_group_arn'],
              asg.auto_scaling_group_arn,
            ),
            managedTerminationProtection: known(u, tf, asg.managed_termination_protection),
          }
        : undefined,
    };
  },
};

export const ECS_MAPPINGS: Readonly<Record<string, EcsMapping>> = {
  aws_ecs_task_definition: TASK_DEFINITION,
  aws_ecs_service: SERVICE,
  aws_ecs_cluster: CLUSTER,
  aws_ecs_capacity_provider: CAPACITY_PROVIDER,
};

export { keyValueTags, isObject };
