/**
 * Normalized resources: what an event reveals about ECS resources, in one shape per resource type,
 * whichever event (CloudTrail call, ECS state change, Describe* enrichment, sweep) it came from.
 * Rules read only these types, never raw events.
 *
 * Optional fields are "unknown" when absent: a rule never flags a field the event does not show.
 */

export type Tags = Readonly<Record<string, string>>;

interface ResourceBase {
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  /** Resource tags when the source shows them (exemptions and the protect tag read these). */
  readonly tags?: Tags;
}

export interface EnvironmentVariable {
  readonly name: string;
  readonly value?: string;
}

export interface ContainerDefinition {
  readonly name: string;
  readonly image?: string;
  readonly privileged?: boolean;
  readonly user?: string;
  readonly readonlyRootFilesystem?: boolean;
  readonly capabilitiesAdd: readonly string[];
  readonly environment: readonly EnvironmentVariable[];
  readonly logDriver?: string;
  readonly logOptions?: Readonly<Record<string, string>>;
  /** `dockerSecurityOptions` as given (e.g. `seccomp:unconfined`). */
  readonly dockerSecurityOptions?: readonly string[];
  /** The container's hard memory limit in MiB (`memory`; `memoryReservation` is the soft one). */
  readonly memory?: number;
}

export interface Volume {
  readonly name: string;
  readonly hostSourcePath?: string;
  /** Present only for EFS volumes: the `transitEncryption` value, or 'DISABLED' when unset. */
  readonly efsTransitEncryption?: string;
}

export interface TaskDefinitionResource extends ResourceBase {
  readonly kind: 'TaskDefinition';
  readonly family: string;
  readonly revision?: number;
  readonly status?: string;
  readonly networkMode?: string;
  readonly pidMode?: string;
  readonly ipcMode?: string;
  /** `runtimePlatform.operatingSystemFamily`, e.g. LINUX or WINDOWS_SERVER_2022_CORE. */
  readonly osFamily?: string;
  readonly requiresCompatibilities?: readonly string[];
  /** Task-level `memory` as the API gives it (a string such as "1024" or "1 GB"). */
  readonly memory?: string;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly containers: readonly ContainerDefinition[];
  readonly volumes: readonly Volume[];
}

export interface AwsVpcConfiguration {
  readonly subnets?: readonly string[];
  readonly securityGroups?: readonly string[];
  readonly assignPublicIp?: string;
}

export interface ServiceResource extends ResourceBase {
  readonly kind: 'Service';
  readonly name: string;
  readonly clusterArn: string;
  /** Undefined when the event does not show the network configuration (e.g. UpdateService without it). */
  readonly network?: AwsVpcConfiguration;
  readonly enableExecuteCommand?: boolean;
  readonly launchType?: string;
  readonly platformVersion?: string;
  readonly capacityProviders?: readonly string[];
  readonly taskDefinition?: string;
  readonly deploymentController?: string;
  /** `deploymentConfiguration.deploymentCircuitBreaker.enable`; undefined when the event does not show it. */
  readonly circuitBreakerEnabled?: boolean;
  readonly status?: string;
}

export interface TaskSetResource extends ResourceBase {
  readonly kind: 'TaskSet';
  readonly serviceArn?: string;
  readonly clusterArn?: string;
  readonly network?: AwsVpcConfiguration;
  readonly taskDefinition?: string;
}

export interface TaskResource extends ResourceBase {
  readonly kind: 'Task';
  readonly clusterArn?: string;
  readonly taskDefinitionArn?: string;
  /** `family:<name>` for standalone tasks, `service:<name>` for a service's tasks. */
  readonly group?: string;
  readonly startedBy?: string;
  readonly lastStatus?: string;
  readonly launchType?: string;
  /** What RunTask/StartTask asked for. */
  readonly network?: AwsVpcConfiguration;
  readonly enableExecuteCommand?: boolean;
  /** ENI ids from the task's attachments (for the public-IP lookup). */
  readonly eniIds: readonly string[];
  /** Filled by enrichment: the public IPv4 of the task's ENI(s); empty when checked and none. */
  readonly publicIps?: readonly string[];
  /** The IAM roles the launch chose instead of the task definition's (`overrides`). */
  readonly roleOverrides?: { readonly taskRoleArn?: string; readonly executionRoleArn?: string };
  /** The caller (CloudTrail `userIdentity.arn`) of the RunTask/StartTask that started the task. */
  readonly launchedBy?: string;
}

export interface ClusterResource extends ResourceBase {
  readonly kind: 'Cluster';
  readonly name: string;
  /** Cluster settings by name (e.g. containerInsights -> disabled); undefined when not shown. */
  readonly settings?: Readonly<Record<string, string>>;
  /** `configuration.executeCommandConfiguration.logging` (DEFAULT, NONE, OVERRIDE); undefined when not shown. */
  readonly execLogging?: string;
}

export interface ContainerInstanceResource extends ResourceBase {
  readonly kind: 'ContainerInstance';
  readonly clusterArn?: string;
  readonly ec2InstanceId?: string;
  /** Attribute names the agent reports (values are not needed by any rule). */
  readonly attributes: readonly string[];
}

export interface CapacityProviderResource extends ResourceBase {
  readonly kind: 'CapacityProvider';
  readonly name: string;
  /** Present only for Auto Scaling group capacity providers (not Fargate, not managed instances). */
  readonly autoScalingGroup?: {
    readonly arn?: string;
    /** `managedTerminationProtection`; undefined when an update does not show it (unchanged). */
    readonly managedTerminationProtection?: string;
  };
}

export type Resource =
  | TaskDefinitionResource
  | ServiceResource
  | TaskSetResource
  | TaskResource
  | ClusterResource
  | ContainerInstanceResource
  | CapacityProviderResource;

export type ResourceKind = Resource['kind'];

export type ResourceOfKind<K extends ResourceKind> = Extract<Resource, { kind: K }>;

/** CloudFormation-style type names used in findings and reports. */
export const RESOURCE_TYPE: Readonly<Record<ResourceKind, string>> = {
  TaskDefinition: 'AWS::ECS::TaskDefinition',
  Service: 'AWS::ECS::Service',
  TaskSet: 'AWS::ECS::TaskSet',
  Task: 'AWS::ECS::Task',
  Cluster: 'AWS::ECS::Cluster',
  ContainerInstance: 'AWS::ECS::ContainerInstance',
  CapacityProvider: 'AWS::ECS::CapacityProvider',
};
