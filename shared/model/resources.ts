/**
 * Normalized resources: what an event reveals about ECS resources, in one shape per resource type,
 * whichever event (CloudTrail call, ECS state change, Describe* enrichment, sweep) it came from.
 * Rules read only these types, never raw events.
 *
 * Optional fields are "unknown" when absent: a rule never flags a field the event does not show.
 */

export type Tags = Readonly<Record<string, string>>;

/**
 * Where a resource of an infrastructure-as-code input is declared (shared/iac): the file, the resource's
 * logical id (CloudFormation), construct path (CDK) or address (Terraform), and the line of each property.
 */
export interface ResourceOrigin {
  readonly file: string;
  readonly address: string;
  /** The line (1-based) where the resource is declared. */
  readonly line?: number;
  /**
   * Lines of the resource's properties, keyed by the evidence path the rules write
   * (`containerDefinitions[0].privileged`): the engine puts the line of each finding's property on it.
   */
  readonly lines?: Readonly<Record<string, number>>;
  /**
   * Evidence paths whose value the input does not decide (a `Ref` to a parameter, `Fn::If`, a value known
   * only after apply; '' for the whole resource): a rule's evidence on or under one is not reported.
   */
  readonly unknown?: readonly string[];
}

interface ResourceBase {
  /**
   * The ARN; for a resource of an infrastructure-as-code input (which has none yet) `<file>#<address>`.
   * Account and region are '' when the input does not say them (never invented).
   */
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  /** Resource tags when the source shows them (exemptions and the protect tag read these). */
  readonly tags?: Tags;
  /** Set on resources read from an infrastructure-as-code input (CloudFormation, CDK, Terraform). */
  readonly origin?: ResourceOrigin;
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
  /** Filled by enrichment (IAM): the task role's policy statements; undefined when not read. */
  readonly taskRole?: TaskRolePolicies;
}

/** One IAM policy statement as the rules read it: lists are lists, absent keys stay absent. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly hasCondition: boolean;
}

export interface RolePolicy {
  /** The inline policy's name, or the managed policy's name. */
  readonly name: string;
  readonly source: 'inline' | 'attached';
  /** The managed policy's ARN (attached policies only). */
  readonly arn?: string;
  readonly statements: readonly PolicyStatement[];
}

/** What IAM says about a task role: its inline and attached policies (default versions). */
export interface TaskRolePolicies {
  readonly roleArn: string;
  /** False when IAM answered that the role does not exist (no policy, nothing to flag). */
  readonly exists: boolean;
  readonly policies: readonly RolePolicy[];
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
  /** The CloudTrail call that started the task, when the event is that call (not a state change or a sweep). */
  readonly launchCall?: 'RunTask' | 'StartTask';
  readonly enableExecuteCommand?: boolean;
  /** ENI ids from the task's attachments (for the public-IP lookup). */
  readonly eniIds: readonly string[];
  /** Filled by enrichment: the public IPv4 of the task's ENI(s); empty when checked and none. */
  readonly publicIps?: readonly string[];
  /** The IAM roles the launch chose instead of the task definition's (`overrides`). */
  readonly roleOverrides?: { readonly taskRoleArn?: string; readonly executionRoleArn?: string };
  /** The caller (CloudTrail `userIdentity.arn`) of the RunTask/StartTask that started the task. */
  readonly launchedBy?: string;
  /** Set on a task a GuardDuty Runtime Monitoring finding names (shared/events/guardduty.ts). */
  readonly runtimeThreat?: RuntimeThreat;
  /** The containers (name, image) as the source shows them; only GuardDuty findings fill it today. */
  readonly containers?: readonly { readonly name?: string; readonly image?: string }[];
}

/** What a GuardDuty Runtime Monitoring finding says about a task: its type, severity and where it was seen. */
export interface RuntimeThreat {
  /** GuardDuty's finding type, e.g. `Execution:Runtime/NewBinaryExecuted`. */
  readonly type: string;
  /** GuardDuty's numeric severity (1.0 to 10.0; GuardDuty documents the levels). */
  readonly severity: number;
  /** The finding's ARN (GuardDuty's, in the account and region of the detector). */
  readonly findingArn: string;
  readonly findingId: string;
  readonly title?: string;
  /** `service.count`: how many times GuardDuty has seen this activity. */
  readonly count?: number;
  /** `service.archived`: GuardDuty archives a finding a user dismissed or suppressed. */
  readonly archived?: boolean;
  readonly updatedAt?: string;
}

export interface ClusterResource extends ResourceBase {
  readonly kind: 'Cluster';
  readonly name: string;
  /** Cluster settings by name (e.g. containerInsights -> disabled); undefined when not shown. */
  readonly settings?: Readonly<Record<string, string>>;
  /** `configuration.executeCommandConfiguration.logging` (DEFAULT, NONE, OVERRIDE); undefined when not shown. */
  readonly execLogging?: string;
  /**
   * Set on a CreateCluster that shows no `containerInsights` setting: the account's default decides it
   * (enrichment reads it; without enrichment the cluster gets no verdict on it).
   */
  readonly containerInsightsFromAccount?: true;
  /** Filled by enrichment: the account's effective `containerInsights` setting (ListAccountSettings). */
  readonly accountContainerInsights?: string;
  /** Set on a cluster a GuardDuty Runtime Monitoring finding names without a task (shared/events/guardduty.ts). */
  readonly runtimeThreat?: RuntimeThreat;
}

/** An ECS account setting (PutAccountSetting / PutAccountSettingDefault), per account and region. */
export interface AccountSettingResource extends ResourceBase {
  readonly kind: 'AccountSetting';
  /** The setting's name, e.g. containerInsights. */
  readonly name: string;
  readonly value?: string;
  /** PutAccountSetting for one principal: its ARN; absent for the account default. */
  readonly principalArn?: string;
  /** `default` (PutAccountSettingDefault, or the root user) or `principal` (one user or role). */
  readonly scope: 'default' | 'principal';
}

export interface ContainerInstanceResource extends ResourceBase {
  readonly kind: 'ContainerInstance';
  readonly clusterArn?: string;
  readonly ec2InstanceId?: string;
  /** Attribute names the agent reports (values are not needed by any rule). */
  readonly attributes: readonly string[];
}

/** One ingress permission of a security group (EC2 IpPermission). */
export interface IngressPermission {
  /** `tcp`, `udp`, `icmp`, a protocol number, or `-1` (all). */
  readonly protocol: string;
  /** Undefined (or -1) with protocol `-1`: every port. */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly ipv4Ranges: readonly string[];
  readonly ipv6Ranges: readonly string[];
}

/** A workload (service, task set, task) that names the security group, as far as the source shows. */
export interface SecurityGroupUser {
  readonly arn: string;
  /** The workload assigns or has a public IP. */
  readonly publicIp: boolean;
}

export interface SecurityGroupResource extends ResourceBase {
  readonly kind: 'SecurityGroup';
  readonly groupId: string;
  readonly groupName?: string;
  readonly vpcId?: string;
  readonly ingress: readonly IngressPermission[];
  /** The workloads of this event (or sweep) that use the group. */
  readonly usedBy: readonly SecurityGroupUser[];
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

/** An Amazon ECR private repository, as a CloudTrail call shows it (CreateRepository, Put*). */
export interface RepositoryResource extends ResourceBase {
  readonly kind: 'Repository';
  readonly name: string;
  /** MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION; undefined when not shown. */
  readonly imageTagMutability?: string;
  /** `imageScanningConfiguration.scanOnPush`; undefined when not shown. */
  readonly scanOnPush?: boolean;
}

/** One rule of the registry scanning configuration (PutRegistryScanningConfiguration). */
export interface RegistryScanningRule {
  /** SCAN_ON_PUSH, CONTINUOUS_SCAN or MANUAL. */
  readonly scanFrequency: string;
  /** The repository filters (wildcards) the rule applies to. */
  readonly filters: readonly string[];
}

/** The ECR registry's scanning configuration of one account and region. */
export interface RegistryScanningResource extends ResourceBase {
  readonly kind: 'RegistryScanning';
  /** BASIC or ENHANCED (Amazon Inspector). */
  readonly scanType?: string;
  readonly rules: readonly RegistryScanningRule[];
}

/**
 * The GuardDuty detector of one account and region as the sweep reads it (ListDetectors, GetDetector);
 * `exists: false` when the account has none there (GuardDuty is off).
 */
export interface GuardDutyDetectorResource extends ResourceBase {
  readonly kind: 'GuardDutyDetector';
  readonly exists: boolean;
  /** ENABLED or SUSPENDED. */
  readonly status?: string;
  /** Feature name -> status (e.g. RUNTIME_MONITORING -> ENABLED). */
  readonly features: Readonly<Record<string, string>>;
  /** Additional configuration of RUNTIME_MONITORING: name -> status (ECS_FARGATE_AGENT_MANAGEMENT, ...). */
  readonly runtimeConfiguration: Readonly<Record<string, string>>;
}

export type Resource =
  | TaskDefinitionResource
  | ServiceResource
  | TaskSetResource
  | TaskResource
  | ClusterResource
  | ContainerInstanceResource
  | SecurityGroupResource
  | AccountSettingResource
  | CapacityProviderResource
  | RepositoryResource
  | RegistryScanningResource
  | GuardDutyDetectorResource;

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
  SecurityGroup: 'AWS::EC2::SecurityGroup',
  // CloudFormation has no account-setting type (and Security Hub none either): named in the same style.
  AccountSetting: 'AWS::ECS::AccountSetting',
  CapacityProvider: 'AWS::ECS::CapacityProvider',
  Repository: 'AWS::ECR::Repository',
  RegistryScanning: 'AWS::ECR::RegistryScanningConfiguration',
  GuardDutyDetector: 'AWS::GuardDuty::Detector',
};
