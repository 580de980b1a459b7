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
import { NOT_ARRAY } from './fast-check';

const str = v.string();
const optStr = v.nullish(str);
const optBool = v.nullish(v.boolean());
const optStrArray = v.nullish(v.array(str));
/**
 * A schema of a JSON object (`v.object`, `v.record`) that refuses an array: valibot's take an array and
 * read none of the fields from it, so `"settings": [[...]]` or `"options": []` would pass with every field
 * "not shown" instead of being a bad event.
 */
function notArray<S extends v.GenericSchema>(schema: S): S {
  const run = schema['~run'];
  return {
    ...schema,
    [NOT_ARRAY]: true,
    '~run'(dataset, config) {
      if (!Array.isArray(dataset.value)) return run.call(this, dataset, config);
      v._addIssue(this, 'type', dataset, config);
      return dataset as unknown as ReturnType<typeof run>;
    },
  };
}

/** `v.object`, refusing an array (notArray). */
export function obj<const E extends v.ObjectEntries>(entries: E): v.ObjectSchema<E, undefined> {
  return notArray(v.object(entries));
}

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

export const NameValue = obj({ name: str, value: optStr });
export const KeyValueTags = v.nullish(v.array(obj({ key: str, value: optStr })));

// ---------------------------------------------------------------- envelope

export const EnvelopeSchema = obj({
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

const Attachment = obj({
  type: optStr,
  status: unread(optStr),
  details: v.nullish(v.array(NameValue)),
});

/** The identity of the resource a finding is about: an empty one would make a finding about nothing. */
const idStr = v.pipe(str, v.minLength(1, 'must not be empty'));

export const TaskStateDetail = obj({
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
export const StoppedContainers = v.nullish(v.array(obj({ name: optStr, reason: optStr })));

export const ContainerInstanceStateDetail = obj({
  containerInstanceArn: idStr,
  clusterArn: optStr,
  ec2InstanceId: optStr,
  version: v.nullish(v.number()),
  status: unread(optStr),
  attributes: v.nullish(v.array(NameValue)),
});
export type ContainerInstanceStateDetail = v.InferOutput<typeof ContainerInstanceStateDetail>;

export const DeploymentStateDetail = obj({
  eventType: unread(optStr),
  eventName: str,
  deploymentId: optStr,
  reason: optStr,
  updatedAt: unread(optStr),
});
export type DeploymentStateDetail = v.InferOutput<typeof DeploymentStateDetail>;

export const ServiceActionDetail = obj({
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

export const UserIdentity = obj({
  type: optStr,
  arn: optStr,
  principalId: unread(optStr),
  accountId: unread(optStr),
  invokedBy: optStr,
  sessionContext: v.nullish(
    obj({
      sessionIssuer: v.nullish(obj({ type: unread(optStr), arn: optStr, userName: unread(optStr) })),
    }),
  ),
});

export const CloudTrailDetail = obj({
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
  obj({
    awsvpcConfiguration: v.nullish(
      obj({ subnets: optStrArray, securityGroups: optStrArray, assignPublicIp: optStr }),
    ),
  }),
);

const ContainerDefinition = obj({
  name: str,
  image: optStr,
  privileged: optBool,
  user: optStr,
  readonlyRootFilesystem: optBool,
  linuxParameters: v.nullish(obj({ capabilities: v.nullish(obj({ add: optStrArray })) })),
  environment: v.nullish(v.array(NameValue)),
  logConfiguration: v.nullish(
    obj({ logDriver: optStr, options: v.nullish(notArray(v.record(str, v.nullish(str)))) }),
  ),
  dockerSecurityOptions: optStrArray,
  memory: v.nullish(v.number()),
});

const VolumeSchema = obj({
  name: str,
  host: v.nullish(obj({ sourcePath: optStr })),
  efsVolumeConfiguration: v.nullish(obj({ transitEncryption: optStr })),
});

export const TaskDefinitionShape = obj({
  family: str,
  taskDefinitionArn: optStr,
  revision: v.nullish(v.number()),
  status: optStr,
  networkMode: optStr,
  pidMode: optStr,
  ipcMode: optStr,
  runtimePlatform: v.nullish(obj({ operatingSystemFamily: optStr })),
  requiresCompatibilities: optStrArray,
  memory: optStr,
  taskRoleArn: optStr,
  executionRoleArn: optStr,
  containerDefinitions: v.array(ContainerDefinition),
  volumes: v.nullish(v.array(VolumeSchema)),
  tags: KeyValueTags,
});
export type TaskDefinitionShape = v.InferOutput<typeof TaskDefinitionShape>;

export const ServiceShape = obj({
  serviceArn: optStr,
  serviceName: optStr,
  service: optStr,
  cluster: optStr,
  clusterArn: optStr,
  taskDefinition: optStr,
  launchType: optStr,
  platformVersion: optStr,
  capacityProviderStrategy: v.nullish(v.array(obj({ capacityProvider: str }))),
  networkConfiguration: AwsVpc,
  enableExecuteCommand: optBool,
  deploymentController: v.nullish(obj({ type: optStr })),
  deploymentConfiguration: v.nullish(
    obj({ deploymentCircuitBreaker: v.nullish(obj({ enable: optBool })) }),
  ),
  status: optStr,
  tags: KeyValueTags,
});
export type ServiceShape = v.InferOutput<typeof ServiceShape>;

export const TaskSetShape = obj({
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
const RoleOverrides = v.nullish(obj({ taskRoleArn: optStr, executionRoleArn: optStr }));

export const RunTaskRequest = obj({
  cluster: optStr,
  taskDefinition: optStr,
  launchType: optStr,
  group: optStr,
  startedBy: optStr,
  networkConfiguration: AwsVpc,
  enableExecuteCommand: optBool,
  overrides: RoleOverrides,
});

export const TaskShape = obj({
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

/** `failures[]` only says whether the answer is complete (nothing started): its entries are not read. */
export const RunTaskResponse = obj({ tasks: v.nullish(v.array(TaskShape)), failures: v.nullish(v.array(v.unknown())) });

/** What a (possibly truncated) registration's request and answer name: the family and the revision's ARN. */
export const RegistrationAnswer = obj({ family: optStr, taskDefinitionArn: optStr });

/** Resource tags where a call carries them beside the resource (RegisterTaskDefinition's `tags`). */
export const Tagged = obj({ tags: KeyValueTags });

export const ClusterShape = obj({
  clusterArn: optStr,
  clusterName: optStr,
  cluster: optStr,
  settings: v.nullish(v.array(NameValue)),
  configuration: v.nullish(
    obj({ executeCommandConfiguration: v.nullish(obj({ logging: optStr })) }),
  ),
  tags: KeyValueTags,
});
export type ClusterShape = v.InferOutput<typeof ClusterShape>;

/** TagResource / UntagResource request: which resource; the tags themselves are read from the resource. */
export const TagResourceRequest = v.object({
  resourceArn: idStr,
  tags: unread(v.array(v.unknown())),
  tagKeys: unread(v.array(v.unknown())),
});

/** PutAccountSetting / PutAccountSettingDefault: the request, and the response's `setting`. */
export const AccountSettingShape = obj({
  name: str,
  value: optStr,
  principalArn: optStr,
  type: unread(optStr),
});
export type AccountSettingShape = v.InferOutput<typeof AccountSettingShape>;

/** CreateCapacityProvider / UpdateCapacityProvider: the request, or the response's `capacityProvider`. */
export const CapacityProviderShape = obj({
  capacityProviderArn: optStr,
  name: optStr,
  autoScalingGroupProvider: v.nullish(
    obj({ autoScalingGroupArn: optStr, managedTerminationProtection: optStr }),
  ),
  tags: KeyValueTags,
});
export type CapacityProviderShape = v.InferOutput<typeof CapacityProviderShape>;

/** ExecuteCommand: what is read of the request (`command` only for its program name) and the response. */
export const ExecuteCommandRequest = obj({
  cluster: optStr,
  task: optStr,
  container: optStr,
  command: optStr,
  interactive: optBool,
});
export const ExecuteCommandResponse = obj({
  clusterArn: optStr,
  taskArn: optStr,
  containerName: optStr,
  interactive: optBool,
});

/** The ARNs an ECS write call's response shows for the resource it changed (ops-change-outside-pipeline). */
export const WriteCallResponse = obj({
  taskDefinition: v.nullish(obj({ taskDefinitionArn: optStr })),
  service: v.nullish(obj({ serviceArn: optStr })),
  taskSet: v.nullish(obj({ taskSetArn: optStr })),
  task: v.nullish(obj({ taskArn: optStr })),
  cluster: v.nullish(obj({ clusterArn: optStr })),
});
/** The references an ECS write call's request names (when the response is absent). */
export const WriteCallRequest = obj({
  family: optStr,
  taskDefinition: optStr,
  cluster: optStr,
  service: optStr,
  serviceName: optStr,
  taskSet: optStr,
  task: optStr,
});

// ---------------------------------------------------------------- running images (docs/running.md)

/** `containers[]` of a task as the running inventory reads them: the image and the digest it runs. */
export const RunningContainers = v.nullish(
  v.array(obj({ name: optStr, image: optStr, imageDigest: optStr, lastStatus: unread(optStr) })),
);
export type RunningContainers = v.InferOutput<typeof RunningContainers>;

/** A count of vulnerabilities: a whole number, never negative (a string "10" is a bad event). */
const vulnerabilityCount = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0));

/** `ECR Image Scan` (basic scanning): counts per severity; a severity without findings is absent. */
export const EcrImageScanDetail = obj({
  'scan-status': optStr,
  'repository-name': idStr,
  'image-digest': idStr,
  'image-tags': unread(optStrArray),
  'finding-severity-counts': v.nullish(notArray(v.record(str, vulnerabilityCount))),
});
export type EcrImageScanDetail = v.InferOutput<typeof EcrImageScanDetail>;

const EcrContainerImage = obj({
  imageHash: optStr,
  repositoryName: optStr,
  registry: optStr,
  imageTags: unread(optStrArray),
});

/** `Inspector2 Finding`: one vulnerability of one resource (ECR images: `awsEcrContainerImage`). */
export const Inspector2FindingDetail = obj({
  findingArn: optStr,
  severity: optStr,
  status: optStr,
  type: optStr,
  title: unread(optStr),
  packageVulnerabilityDetails: v.nullish(obj({ vulnerabilityId: optStr })),
  resources: v.nullish(
    v.array(
      obj({
        type: optStr,
        details: v.nullish(obj({ awsEcrContainerImage: v.nullish(EcrContainerImage) })),
      }),
    ),
  ),
});
export type Inspector2FindingDetail = v.InferOutput<typeof Inspector2FindingDetail>;

/** A task of a DescribeTasks answer as the running inventory reads it (the sweep, `guardrail running`). */
export const DescribedRunningTask = obj({
  taskArn: idStr,
  clusterArn: optStr,
  taskDefinitionArn: optStr,
  group: optStr,
  lastStatus: optStr,
  version: v.nullish(v.number()),
  containers: RunningContainers,
  tags: KeyValueTags,
});

// ---------------------------------------------------------------- Amazon ECR (CloudTrail)

/** ECR writes tags as `{Key, Value}` (ECS as `{key, value}`). */
export const EcrTags = v.nullish(v.array(obj({ Key: str, Value: optStr })));

/** CreateRepository / PutImageTagMutability / PutImageScanningConfiguration: request or `repository`. */
export const RepositoryShape = obj({
  repositoryArn: optStr,
  repositoryName: optStr,
  registryId: optStr,
  imageTagMutability: optStr,
  imageScanningConfiguration: v.nullish(obj({ scanOnPush: optBool })),
  tags: EcrTags,
});
export type RepositoryShape = v.InferOutput<typeof RepositoryShape>;

/** PutRegistryScanningConfiguration: the request, or the response's `registryScanningConfiguration`. */
export const RegistryScanningShape = obj({
  scanType: optStr,
  rules: v.nullish(
    v.array(
      obj({
        scanFrequency: str,
        repositoryFilters: v.nullish(v.array(obj({ filter: str, filterType: unread(optStr) }))),
      }),
    ),
  ),
});
export type RegistryScanningShape = v.InferOutput<typeof RegistryScanningShape>;

// ---------------------------------------------------------------- GuardDuty findings

const GuardDutyTags = v.nullish(v.array(obj({ key: str, value: optStr })));

/** `resource.ecsClusterDetails` of a Runtime Monitoring finding: the cluster and the task. */
const EcsClusterDetails = obj({
  arn: optStr,
  name: optStr,
  tags: GuardDutyTags,
  taskDetails: v.nullish(
    obj({
      arn: optStr,
      definitionArn: optStr,
      group: optStr,
      startedBy: optStr,
      launchType: optStr,
      version: unread(optStr),
      tags: GuardDutyTags,
      containers: v.nullish(v.array(obj({ name: optStr, image: optStr, id: unread(optStr) }))),
    }),
  ),
});

/**
 * `detail` of a "GuardDuty Finding" event (the GetFindings `Finding` shape): what identifies the finding,
 * its type and severity, and the resource. The resource's other details (EC2, S3, EKS...) are not read.
 */
export const GuardDutyFindingDetail = obj({
  schemaVersion: unread(optStr),
  accountId: v.pipe(str, v.regex(/^\d{12}$/, 'must be a 12-digit account id')),
  region: str,
  id: idStr,
  arn: idStr,
  type: idStr,
  title: optStr,
  // GuardDuty's documented range (levels: low 1.0-3.9 ... critical 9.0-10.0): anything else is a bad event.
  severity: v.pipe(
    v.number(),
    v.minValue(1, 'must be a GuardDuty severity from 1.0 to 10.0'),
    v.maxValue(10, 'must be a GuardDuty severity from 1.0 to 10.0'),
  ),
  updatedAt: optStr,
  resource: obj({
    resourceType: optStr,
    ecsClusterDetails: v.nullish(EcsClusterDetails),
  }),
  service: v.nullish(obj({ archived: optBool, count: v.nullish(v.number()) })),
});
export type GuardDutyFindingDetail = v.InferOutput<typeof GuardDutyFindingDetail>;
