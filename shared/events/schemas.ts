/**
 * Schemas of the events the guardrail reads (valibot, a Standard Schema library).
 *
 * Lenient on fields nobody reads: `v.object` ignores unknown keys and they are never visited; a field
 * kept for information only is `unread(...)`: kept when well-typed, dropped (never an error) otherwise.
 * Strict on the fields that are read (by normalize, so by a rule, a finding or the pipeline): a wrong
 * JSON type there rejects the event with a typed error naming the field (AWS never records a boolean
 * as the string "false": `"privileged": "false"` is not a privileged container, it is a bad event).
 * `nullish` everywhere a field is optional: CloudTrail renders absent values as null at times.
 */
import * as v from 'valibot';

const str = v.string();
const optStr = v.nullish(str);
const optBool = v.nullish(v.boolean());
const optStrArray = v.nullish(v.array(str));
/** A field nothing reads: any JSON type is accepted, so it cannot reject an event and its findings. */
const unread = <T>(schema: v.GenericSchema<unknown, T>) => v.fallback(v.optional(schema), undefined);
const plainObject = v.custom<Record<string, unknown>>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  'must be a JSON object',
);
// ISO-8601 date-time with a zone (any fraction precision): Date.parse alone also takes "Mar 2, 2026",
// read in the machine's local zone, which would shift event-time windows.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const isoTime = v.pipe(
  str,
  v.check((s) => ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time'),
);

export const NameValue = v.object({ name: str, value: optStr });
export const KeyValueTags = v.nullish(v.array(v.object({ key: str, value: optStr })));

// ---------------------------------------------------------------- envelope

export const EnvelopeSchema = v.object({
  version: unread(optStr),
  id: str,
  'detail-type': str,
  source: str,
  account: v.pipe(str, v.regex(/^\d{12}$/, 'must be a 12-digit account id')),
  time: isoTime,
  region: str,
  resources: v.nullish(v.array(str)),
  detail: plainObject,
  'replay-name': unread(optStr),
});
export type Envelope = v.InferOutput<typeof EnvelopeSchema>;

// ---------------------------------------------------------------- ECS state events

const Attachment = v.object({
  type: optStr,
  status: unread(optStr),
  details: v.nullish(v.array(NameValue)),
});

/** The identity of the resource a finding is about: an empty one would make a finding about nothing. */
const idStr = v.pipe(str, v.minLength(1, 'must not be empty'));

export const TaskStateDetail = v.object({
  taskArn: idStr,
  clusterArn: optStr,
  taskDefinitionArn: optStr,
  version: v.nullish(v.number()),
  lastStatus: optStr,
  desiredStatus: unread(optStr),
  launchType: optStr,
  group: optStr,
  startedBy: optStr,
  enableExecuteCommand: optBool,
  attachments: v.nullish(v.array(Attachment)),
  stoppedReason: optStr,
  /** Read only on a STOPPED task (StoppedContainers): validated there, so other states pay nothing. */
  containers: v.nullish(v.unknown()),
});
export type TaskStateDetail = v.InferOutput<typeof TaskStateDetail>;

/** `containers[]` of a STOPPED task: the names and reasons ops-image-pull-failure and ops-task-oom read. */
export const StoppedContainers = v.nullish(v.array(v.object({ name: optStr, reason: optStr })));

export const ContainerInstanceStateDetail = v.object({
  containerInstanceArn: idStr,
  clusterArn: optStr,
  ec2InstanceId: optStr,
  version: v.nullish(v.number()),
  status: unread(optStr),
  attributes: v.nullish(v.array(NameValue)),
});
export type ContainerInstanceStateDetail = v.InferOutput<typeof ContainerInstanceStateDetail>;

export const DeploymentStateDetail = v.object({
  eventType: unread(optStr),
  eventName: str,
  deploymentId: optStr,
  reason: optStr,
  updatedAt: unread(optStr),
});
export type DeploymentStateDetail = v.InferOutput<typeof DeploymentStateDetail>;

export const ServiceActionDetail = v.object({
  eventType: unread(optStr),
  eventName: str,
  clusterArn: optStr,
  reason: optStr,
  createdAt: unread(optStr),
  capacityProviderArns: unread(optStrArray),
  containerInstanceArns: unread(optStrArray),
});
export type ServiceActionDetail = v.InferOutput<typeof ServiceActionDetail>;

// ---------------------------------------------------------------- CloudTrail record

export const UserIdentity = v.object({
  type: optStr,
  arn: optStr,
  principalId: unread(optStr),
  accountId: unread(optStr),
  invokedBy: optStr,
  sessionContext: v.nullish(
    v.object({
      sessionIssuer: v.nullish(v.object({ type: unread(optStr), arn: optStr, userName: unread(optStr) })),
    }),
  ),
});

export const CloudTrailDetail = v.object({
  eventSource: str,
  eventName: str,
  eventID: str,
  eventTime: v.nullish(isoTime),
  awsRegion: optStr,
  recipientAccountId: optStr,
  errorCode: optStr,
  errorMessage: unread(optStr),
  readOnly: unread(optBool),
  userIdentity: v.nullish(UserIdentity),
  requestParameters: v.nullish(v.unknown()),
  responseElements: v.nullish(v.unknown()),
});
export type CloudTrailDetail = v.InferOutput<typeof CloudTrailDetail>;

// ---------------------------------------------------------------- ECS API shapes (CloudTrail and Describe*)

export const AwsVpc = v.nullish(
  v.object({
    awsvpcConfiguration: v.nullish(
      v.object({ subnets: optStrArray, securityGroups: optStrArray, assignPublicIp: optStr }),
    ),
  }),
);

const ContainerDefinition = v.object({
  name: str,
  image: optStr,
  privileged: optBool,
  user: optStr,
  readonlyRootFilesystem: optBool,
  linuxParameters: v.nullish(v.object({ capabilities: v.nullish(v.object({ add: optStrArray })) })),
  environment: v.nullish(v.array(NameValue)),
  logConfiguration: v.nullish(
    v.object({ logDriver: optStr, options: v.nullish(v.record(str, v.nullish(str))) }),
  ),
  dockerSecurityOptions: optStrArray,
  memory: v.nullish(v.number()),
});

const VolumeSchema = v.object({
  name: str,
  host: v.nullish(v.object({ sourcePath: optStr })),
  efsVolumeConfiguration: v.nullish(v.object({ transitEncryption: optStr })),
});

export const TaskDefinitionShape = v.object({
  family: str,
  taskDefinitionArn: optStr,
  revision: v.nullish(v.number()),
  status: optStr,
  networkMode: optStr,
  pidMode: optStr,
  ipcMode: optStr,
  runtimePlatform: v.nullish(v.object({ operatingSystemFamily: optStr })),
  requiresCompatibilities: optStrArray,
  memory: optStr,
  taskRoleArn: optStr,
  executionRoleArn: optStr,
  containerDefinitions: v.array(ContainerDefinition),
  volumes: v.nullish(v.array(VolumeSchema)),
  tags: KeyValueTags,
});
export type TaskDefinitionShape = v.InferOutput<typeof TaskDefinitionShape>;

export const ServiceShape = v.object({
  serviceArn: optStr,
  serviceName: optStr,
  service: optStr,
  cluster: optStr,
  clusterArn: optStr,
  taskDefinition: optStr,
  launchType: optStr,
  platformVersion: optStr,
  capacityProviderStrategy: v.nullish(v.array(v.object({ capacityProvider: str }))),
  networkConfiguration: AwsVpc,
  enableExecuteCommand: optBool,
  deploymentController: v.nullish(v.object({ type: optStr })),
  deploymentConfiguration: v.nullish(
    v.object({ deploymentCircuitBreaker: v.nullish(v.object({ enable: optBool })) }),
  ),
  status: optStr,
  tags: KeyValueTags,
});
export type ServiceShape = v.InferOutput<typeof ServiceShape>;

export const TaskSetShape = v.object({
  taskSetArn: optStr,
  id: optStr,
  service: optStr,
  serviceArn: optStr,
  cluster: optStr,
  clusterArn: optStr,
  taskDefinition: optStr,
  networkConfiguration: AwsVpc,
  tags: KeyValueTags,
});
export type TaskSetShape = v.InferOutput<typeof TaskSetShape>;

/** The roles a launch may choose instead of the task definition's (RunTask/StartTask, DescribeTasks). */
const RoleOverrides = v.nullish(v.object({ taskRoleArn: optStr, executionRoleArn: optStr }));

export const RunTaskRequest = v.object({
  cluster: optStr,
  taskDefinition: optStr,
  launchType: optStr,
  group: optStr,
  startedBy: optStr,
  networkConfiguration: AwsVpc,
  enableExecuteCommand: optBool,
  overrides: RoleOverrides,
});

export const TaskShape = v.object({
  taskArn: idStr,
  clusterArn: optStr,
  taskDefinitionArn: optStr,
  group: optStr,
  startedBy: optStr,
  lastStatus: optStr,
  launchType: optStr,
  enableExecuteCommand: optBool,
  attachments: v.nullish(v.array(Attachment)),
  overrides: RoleOverrides,
  tags: KeyValueTags,
});
export type TaskShape = v.InferOutput<typeof TaskShape>;

export const RunTaskResponse = v.object({ tasks: v.nullish(v.array(TaskShape)) });

export const ClusterShape = v.object({
  clusterArn: optStr,
  clusterName: optStr,
  cluster: optStr,
  settings: v.nullish(v.array(NameValue)),
  configuration: v.nullish(
    v.object({ executeCommandConfiguration: v.nullish(v.object({ logging: optStr })) }),
  ),
  tags: KeyValueTags,
});
export type ClusterShape = v.InferOutput<typeof ClusterShape>;

/** CreateCapacityProvider / UpdateCapacityProvider: the request, or the response's `capacityProvider`. */
export const CapacityProviderShape = v.object({
  capacityProviderArn: optStr,
  name: optStr,
  autoScalingGroupProvider: v.nullish(
    v.object({ autoScalingGroupArn: optStr, managedTerminationProtection: optStr }),
  ),
  tags: KeyValueTags,
});
export type CapacityProviderShape = v.InferOutput<typeof CapacityProviderShape>;

/** ExecuteCommand: what is read of the request (`command` only for its program name) and the response. */
export const ExecuteCommandRequest = v.object({
  cluster: optStr,
  task: optStr,
  container: optStr,
  command: optStr,
  interactive: optBool,
});
export const ExecuteCommandResponse = v.object({
  clusterArn: optStr,
  taskArn: optStr,
  containerName: optStr,
  interactive: optBool,
});

/** The ARNs an ECS write call's response shows for the resource it changed (ops-change-outside-pipeline). */
export const WriteCallResponse = v.object({
  taskDefinition: v.nullish(v.object({ taskDefinitionArn: optStr })),
  service: v.nullish(v.object({ serviceArn: optStr })),
  taskSet: v.nullish(v.object({ taskSetArn: optStr })),
  task: v.nullish(v.object({ taskArn: optStr })),
  cluster: v.nullish(v.object({ clusterArn: optStr })),
});
/** The references an ECS write call's request names (when the response is absent). */
export const WriteCallRequest = v.object({
  family: optStr,
  taskDefinition: optStr,
  cluster: optStr,
  service: optStr,
  serviceName: optStr,
  taskSet: optStr,
  task: optStr,
});
