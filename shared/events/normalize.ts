/**
 * Typed event -> the resources it reveals and the signals it carries (docs/events.md, "How events map to
 * resources"). Pure: no I/O. Fields the event does not show stay undefined, so no rule flags them.
 */
import type { Actor, EventRef } from '../model/finding';
import {
  RESOURCE_TYPE,
  type AccountSettingResource,
  type Resource,
  type TaskResource,
  type Tags,
  type TaskSetResource,
} from '../model/resources';
import * as arns from '../model/arn';
import type { ParsedEvent } from './parse';
import {
  AccountSettingShape,
  CapacityProviderShape,
  ClusterShape,
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  RegistrationAnswer,
  Tagged,
  RunTaskRequest,
  StoppedContainers,
  RunTaskResponse,
  ServiceShape,
  TaskDefinitionShape,
  TaskSetShape,
  TagResourceRequest,
  WriteCallRequest,
  WriteCallResponse,
  type CloudTrailDetail,
  type TaskStateDetail,
} from './schemas';
import { ECS_THROTTLE_EVENT_NAMES, THROTTLING_ERROR_CODES, type Signal } from './signals';
import { InvalidEventError } from './errors';
import { ECR_SOURCE, normalizeEcrCall } from './ecr-calls';
import { normalizeGuardDutyFinding } from './guardduty';
import { validate } from './validate';
import {
  capacityProviderFromShape,
  clusterFromShape,
  compact,
  eniIdsOf,
  networkOf,
  serviceFromShape,
  tagsOf,
  taskDefinitionFromShape,
  taskFromShape,
} from './ecs-resources';

export interface Incomplete {
  readonly reason: string;
  /** What enrichment would describe to complete the picture. */
  readonly taskDefinition?: string;
  /** A resource whose tags a TagResource / UntagResource changed: enrichment reads it as it is now. */
  readonly tagged?: TaggedRef;
}

/** The resource a TagResource / UntagResource names (the kinds a rule reads the tags of). */
export interface TaggedRef {
  readonly kind: 'Service' | 'Cluster' | 'TaskDefinition';
  readonly arn: string;
  /** Services only: the cluster, from a long-format service ARN (`default` otherwise). */
  readonly clusterArn?: string;
}

export interface NormalizedEvent {
  readonly event: EventRef;
  readonly account: string;
  readonly region: string;
  readonly resources: readonly Resource[];
  readonly signals: readonly Signal[];
  /** Task definitions that a launch, a service or a running task uses (use-time check with enrichment). */
  readonly taskDefinitionRefs: readonly string[];
  readonly incomplete?: Incomplete;
  /** Set by enrichment: the reads that failed (an event with any is not fully evaluated). */
  readonly enrichmentFailures?: readonly {
    readonly operation: string;
    readonly code: string;
    readonly retryable: boolean;
    readonly message: string;
    readonly cause?: unknown;
  }[];
}


const ECS_SOURCE = 'ecs.amazonaws.com';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function actorOf(d: CloudTrailDetail): Actor | undefined {
  const u = d.userIdentity;
  if (!u) return undefined;
  return compact<Actor>({
    arn: u.arn ?? undefined,
    type: u.type ?? undefined,
    roleArn: u.sessionContext?.sessionIssuer?.arn ?? undefined,
    invokedBy: u.invokedBy ?? undefined,
  });
}

interface Ctx {
  region: string;
  account: string;
  resources: Resource[];
  signals: Signal[];
  refs: string[];
  incomplete?: Incomplete;
}

const REQ = 'detail.requestParameters';
const ACCOUNT_SETTING_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const RESP = 'detail.responseElements';

function normalizeCloudTrail(d: CloudTrailDetail, ctx: Ctx, actor: Actor | undefined): void {
  if (d.errorCode) {
    // A failed call changed nothing; only throttling codes are a signal.
    if (THROTTLING_ERROR_CODES.has(d.errorCode)) {
      ctx.signals.push({
        kind: 'apiThrottle',
        eventSource: d.eventSource,
        eventName: d.eventName.trim(),
        errorCode: d.errorCode,
        principal: actor?.roleArn || actor?.arn || actor?.invokedBy || 'unknown',
      });
    }
    return;
  }
  if (d.eventSource === ECR_SOURCE) {
    const ecr = normalizeEcrCall(d, ctx.region, ctx.account);
    if (ecr.resource) ctx.resources.push(ecr.resource);
    if (ecr.incomplete) ctx.incomplete = { reason: ecr.incomplete };
    return;
  }
  if (d.eventSource !== ECS_SOURCE) return;
  const before = ctx.resources.length;
  normalizeEcsCall(d, ctx, actor);
  if (ECS_WRITE_CALLS.has(d.eventName)) {
    for (const r of changedResources(d, ctx, before)) {
      ctx.signals.push(
        compact({
          kind: 'ecsWrite' as const,
          eventName: d.eventName,
          resourceType: r.type,
          resourceArn: r.arn,
          callerArn: actor?.arn,
          callerType: actor?.type,
          callerRoleArn: actor?.roleArn,
          invokedBy: actor?.invokedBy,
        }),
      );
    }
  }
}

/** The successful ECS write calls ops-change-outside-pipeline watches (one signal per resource changed). */
export const ECS_WRITE_CALLS: ReadonlySet<string> = new Set([
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'CreateService',
  'UpdateService',
  'DeleteService',
  'CreateTaskSet',
  'UpdateTaskSet',
  'DeleteTaskSet',
  'RunTask',
  'StartTask',
  'StopTask',
  'DeleteCluster',
  'UpdateCluster',
  'UpdateClusterSettings',
  'PutClusterCapacityProviders',
]);

/**
 * The resources a write call changed: the ones normalization already built from it, else the ARN its
 * response (or, without one, its request) names. A RunTask that started nothing changed nothing.
 */
function changedResources(
  d: CloudTrailDetail,
  ctx: Ctx,
  before: number,
): { readonly type: string; readonly arn: string }[] {
  const built = ctx.resources.slice(before).map((r) => ({ type: RESOURCE_TYPE[r.kind], arn: r.arn }));
  if (built.length > 0) return built;
  const { region, account } = ctx;
  const td = RESOURCE_TYPE.TaskDefinition;
  if (d.eventName === 'RegisterTaskDefinition')
    return ctx.incomplete?.taskDefinition ? [{ type: td, arn: ctx.incomplete.taskDefinition }] : [];
  if (d.eventName === 'RunTask' || d.eventName === 'StartTask') return [];
  const resp = isObject(d.responseElements) ? validate(WriteCallResponse, d.responseElements, RESP) : undefined;
  const one = (type: string, arn: string | undefined) => (arn ? [{ type, arn }] : []);
  // The request is read (and validated) only when the response does not name the resource.
  const request = () =>
    isObject(d.requestParameters) ? validate(WriteCallRequest, d.requestParameters, REQ) : undefined;
  const serviceArnOf = (req: ReturnType<typeof request>) => {
    const ref = req?.service ?? req?.serviceName;
    return ref ? arns.serviceArn(region, account, req?.cluster, ref) : undefined;
  };
  switch (d.eventName) {
    case 'DeregisterTaskDefinition': {
      const arn = resp?.taskDefinition?.taskDefinitionArn;
      const ref = arn ? undefined : request()?.taskDefinition;
      return one(td, arn ?? (ref ? arns.taskDefinitionArn(region, account, ref) : undefined));
    }
    case 'CreateService':
    case 'UpdateService':
    case 'DeleteService':
      return one(RESOURCE_TYPE.Service, resp?.service?.serviceArn ?? serviceArnOf(request()));
    case 'CreateTaskSet':
    case 'UpdateTaskSet':
    case 'DeleteTaskSet': {
      if (resp?.taskSet?.taskSetArn) return one(RESOURCE_TYPE.TaskSet, resp.taskSet.taskSetArn);
      const req = request();
      const svcArn = serviceArnOf(req);
      return one(RESOURCE_TYPE.TaskSet, svcArn && req?.taskSet ? arns.taskSetArn(svcArn, req.taskSet) : svcArn);
    }
    case 'StopTask': {
      if (resp?.task?.taskArn) return one(RESOURCE_TYPE.Task, resp.task.taskArn);
      const req = request();
      return one(RESOURCE_TYPE.Task, req?.task ? arns.taskArn(region, account, req.cluster, req.task) : undefined);
    }
    default:
      // DeleteCluster, UpdateCluster, UpdateClusterSettings, PutClusterCapacityProviders.
      return one(
        RESOURCE_TYPE.Cluster,
        resp?.cluster?.clusterArn ?? arns.clusterArn(region, account, request()?.cluster),
      );
  }
}

/**
 * The program an ExecuteCommand runs: the first word of `command`, only when it looks like a program
 * name or path. The rest (arguments, which may hold secrets) is dropped here and never reaches a finding.
 */
export function programOf(command: string | null | undefined): string | undefined {
  if (command == null) return undefined;
  const first = command.trim().split(/\s+/, 1)[0]?.replace(/^["']|["']$/g, '') ?? '';
  if (first === '') return undefined;
  return /^[A-Za-z0-9_./+-]{1,100}$/.test(first) && !first.includes('=') ? first : '(not shown)';
}

/** A service name as ECS allows it: letters, digits, hyphens and underscores, up to 255. */
const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * A STOPPED task with a reason: its service (group `service:<name>`), else the task, with the reasons it
 * shows. Undefined when it shows no reason at all (nothing a rule can read).
 */
function taskStoppedSignal(d: TaskStateDetail, region: string, account: string): Signal | undefined {
  const containers = validate(StoppedContainers, d.containers, 'detail.containers') ?? [];
  if (!d.stoppedReason && !containers.some((c) => c.reason)) return undefined;
  const name = d.group?.startsWith('service:') ? d.group.slice('service:'.length) : undefined;
  const service = name && SERVICE_NAME.test(name) ? name : undefined;
  return compact({
    kind: 'taskStopped' as const,
    resourceArn: service ? arns.serviceArn(region, account, d.clusterArn, service) : d.taskArn,
    resourceType: service ? ('AWS::ECS::Service' as const) : ('AWS::ECS::Task' as const),
    taskArn: d.taskArn,
    stoppedReason: d.stoppedReason ?? undefined,
    containers: containers.map((c) => compact({ name: c.name ?? '', reason: c.reason ?? undefined })),
  });
}

function normalizeEcsCall(d: CloudTrailDetail, ctx: Ctx, actor: Actor | undefined): void {
  const req = d.requestParameters;
  const resp = isObject(d.responseElements) ? d.responseElements : undefined;
  const { region, account } = ctx;

  switch (d.eventName) {
    case 'RegisterTaskDefinition': {
      const request = shapeAt(req, REQ);
      const response = shapeAt(d.responseElements, RESP);
      const respTd = response ? shapeAt(response.taskDefinition, `${RESP}.taskDefinition`) : undefined;
      const answered = respTd ? validate(RegistrationAnswer, respTd, `${RESP}.taskDefinition`) : undefined;
      // Present but not an array (e.g. an object) is a bad event, named by validate; absent is truncation.
      const source =
        respTd && respTd.containerDefinitions != null
          ? { shape: respTd, path: `${RESP}.taskDefinition` }
          : request && request.containerDefinitions != null
            ? { shape: request, path: REQ }
            : undefined;
      if (!source) {
        // Truncated (`omitted`) or missing parameters: the definition is unknown, never "compliant".
        const family = request ? validate(RegistrationAnswer, request, REQ).family : undefined;
        const arn =
          answered?.taskDefinitionArn ?? (family ? arns.taskDefinitionArn(region, account, family) : undefined);
        ctx.incomplete = {
          reason: 'requestParameters/responseElements truncated or missing: task definition unknown',
          ...(arn ? { taskDefinition: arn } : {}),
        };
        return;
      }
      const parsedTd = validate(TaskDefinitionShape, source.shape, source.path);
      // The ARN comes from responseElements.taskDefinition.taskDefinitionArn whenever it is there.
      // The ARN, revision and status are ECS's answer, never the caller's: a `taskDefinitionArn` or
      // `revision` key in requestParameters is ignored (else the caller picks the revision remediated).
      const fromRequest = source.path === REQ;
      const responseArn = answered?.taskDefinitionArn ?? undefined;
      const td = {
        ...parsedTd,
        taskDefinitionArn: responseArn ?? (fromRequest ? undefined : parsedTd.taskDefinitionArn),
        ...(fromRequest ? { revision: undefined, status: undefined } : {}),
      };
      // Tags decide exemptions and the protect tag: read as strictly as any field a rule reads. The
      // registration carries every tag the revision starts with: none given means no tag at all.
      const requestTags = request ? tagsOf(validate(Tagged, request, REQ).tags) : undefined;
      const responseTags = response ? tagsOf(validate(Tagged, response, RESP).tags) : undefined;
      ctx.resources.push(taskDefinitionFromShape(td, region, account, requestTags ?? responseTags ?? {}));
      return;
    }
    case 'CreateService':
    case 'UpdateService': {
      const response = shapeAt(d.responseElements, RESP);
      const answer = response ? shapeAt(response.service, `${RESP}.service`) : undefined;
      const fromResponse = answer !== undefined;
      const shape = answer
        ? { s: answer, p: `${RESP}.service` }
        : { s: callerOnly(shapeAt(req, REQ), ['serviceArn', 'clusterArn', 'status']), p: REQ };
      if (!isObject(shape.s)) return;
      const parsed = validate(ServiceShape, shape.s, shape.p);
      const source = fromResponse ? 'state' : d.eventName === 'CreateService' ? 'create-request' : 'update-request';
      const svc = withCreateTags(d.eventName, serviceFromShape(parsed, region, account, source), req);
      if (!svc) return;
      ctx.resources.push(svc);
      if (svc.taskDefinition) ctx.refs.push(arns.taskDefinitionArn(region, account, svc.taskDefinition));
      return;
    }
    case 'CreateTaskSet': {
      const response = shapeAt(d.responseElements, RESP);
      const answer = response ? shapeAt(response.taskSet, `${RESP}.taskSet`) : undefined;
      const shape = answer
        ? { s: answer, p: `${RESP}.taskSet` }
        : { s: callerOnly(shapeAt(req, REQ), ['taskSetArn', 'serviceArn', 'clusterArn', 'id']), p: REQ };
      if (!isObject(shape.s)) return;
      const ts = validate(TaskSetShape, shape.s, shape.p);
      const request = isObject(req)
        ? validate(TaskSetShape, callerOnly(req, ['taskSetArn', 'serviceArn', 'clusterArn', 'id']), REQ)
        : undefined;
      const serviceRef = ts.serviceArn ?? ts.service ?? request?.service;
      const clusterRef = ts.clusterArn ?? ts.cluster ?? request?.cluster;
      const svcArn = serviceRef ? arns.serviceArn(region, account, clusterRef, serviceRef) : undefined;
      const arn =
        ts.taskSetArn ??
        (svcArn && ts.id ? `${svcArn.replace(':service/', ':task-set/')}/${ts.id}` : undefined) ??
        (svcArn ? `${svcArn.replace(':service/', ':task-set/')}/unknown` : undefined);
      if (!arn) return;
      ctx.resources.push(
        compact<TaskSetResource>({
          kind: 'TaskSet',
          arn,
          account,
          region,
          tags: tagsOf(ts.tags),
          serviceArn: svcArn,
          clusterArn: clusterRef ? arns.clusterArn(region, account, clusterRef) : undefined,
          network: networkOf(ts.networkConfiguration ?? request?.networkConfiguration),
          taskDefinition: ts.taskDefinition ?? undefined,
        }),
      );
      if (ts.taskDefinition) ctx.refs.push(arns.taskDefinitionArn(region, account, ts.taskDefinition));
      return;
    }
    case 'RunTask':
    case 'StartTask': {
      const requestShape = shapeAt(req, REQ);
      const responseShape = shapeAt(d.responseElements, RESP);
      const request = requestShape ? validate(RunTaskRequest, requestShape, REQ) : undefined;
      const response = responseShape ? validate(RunTaskResponse, responseShape, RESP) : undefined;
      for (const t of response?.tasks ?? [])
        ctx.resources.push({
          ...taskFromShape(t, region, account, request, actor?.arn ?? undefined),
          launchCall: d.eventName,
        });
      const tdRef = response?.tasks?.[0]?.taskDefinitionArn ?? request?.taskDefinition;
      if (tdRef && response?.tasks?.length) ctx.refs.push(arns.taskDefinitionArn(region, account, tdRef));
      if (!response?.tasks?.length && !response?.failures?.length) {
        // No response (omitted, truncated) and no failures: which tasks started is unknown, never "clean".
        // (tasks: [] with failures[] is a complete answer: nothing started.)
        ctx.incomplete = {
          reason: 'responseElements omitted or without tasks: the tasks started are unknown (not checked)',
        };
      }
      return;
    }
    case 'CreateCluster':
    case 'UpdateCluster':
    case 'UpdateClusterSettings': {
      const response = shapeAt(d.responseElements, RESP);
      const answer = response ? shapeAt(response.cluster, `${RESP}.cluster`) : undefined;
      const shape = answer
        ? { s: answer, p: `${RESP}.cluster` }
        : { s: callerOnly(shapeAt(req, REQ), ['clusterArn']), p: REQ };
      if (!isObject(shape.s)) return;
      const cluster = withCreateTags(
        d.eventName,
        clusterFromShape(validate(ClusterShape, shape.s, shape.p), region, account),
        req,
      );
      if (!cluster) return;
      // A new cluster without the setting takes the account's default (ECS.12); an update without it
      // leaves the cluster's setting as it was, which the event does not show.
      const fromAccount = d.eventName === 'CreateCluster' && cluster.settings?.containerInsights === undefined;
      ctx.resources.push(fromAccount ? { ...cluster, containerInsightsFromAccount: true } : cluster);
      return;
    }
    case 'PutAccountSetting':
    case 'PutAccountSettingDefault': {
      const response = shapeAt(d.responseElements, RESP);
      const answer = response ? shapeAt(response.setting, `${RESP}.setting`) : undefined;
      const shape = answer ? { s: answer, p: `${RESP}.setting` } : { s: shapeAt(req, REQ), p: REQ };
      if (!isObject(shape.s)) return;
      const setting = validate(AccountSettingShape, shape.s, shape.p);
      // The name becomes part of an ARN: only a setting name as ECS spells them (ECS refused others).
      if (!ACCOUNT_SETTING_NAME.test(setting.name)) return;
      const principal = setting.principalArn ?? undefined;
      const forOne = d.eventName === 'PutAccountSetting' && principal !== undefined && !principal.endsWith(':root');
      ctx.resources.push(
        compact<AccountSettingResource>({
          kind: 'AccountSetting',
          arn: arns.accountSettingArn(region, account, setting.name),
          account,
          region,
          name: setting.name,
          value: setting.value ?? undefined,
          principalArn: forOne ? principal : undefined,
          scope: forOne ? 'principal' : 'default',
        }),
      );
      return;
    }
    case 'TagResource':
    case 'UntagResource': {
      // The event shows what changed, not the tags the resource has now: enrichment reads those.
      const request = isObject(req) ? validate(TagResourceRequest, req, REQ) : undefined;
      const tagged = request ? taggedRefOf(request.resourceArn, region, account) : undefined;
      if (!tagged) return; // a task, task set, capacity provider, container instance: no rule reads their tags
      if (!tagged.arn.includes(`:${region}:${account}:`)) {
        // ECS tags only resources of the caller's own account and region: an event that says otherwise
        // lies about the resource, and must not make the guardrail read another account.
        ctx.incomplete = {
          reason: `${d.eventName}: resourceArn names another account or region than the event (not checked)`,
        };
        return;
      }
      ctx.incomplete = {
        reason: `${d.eventName}: the resource's current tags are not in the event (not checked: needs --enrich)`,
        tagged,
      };
      return;
    }
    case 'CreateCapacityProvider':
    case 'UpdateCapacityProvider': {
      const fromResponse = resp !== undefined && isObject(resp.capacityProvider);
      const shape = fromResponse
        ? { s: resp.capacityProvider, p: `${RESP}.capacityProvider` }
        : { s: callerOnly(req, ['capacityProviderArn']), p: REQ };
      if (!isObject(shape.s)) return;
      const cp = capacityProviderFromShape(validate(CapacityProviderShape, shape.s, shape.p), region, account, {
        // ECS's answer shows the state in full; an update's request only what it changes.
        omittedIsDefault: fromResponse || d.eventName === 'CreateCapacityProvider',
      });
      if (cp) ctx.resources.push(cp);
      return;
    }
    case 'ExecuteCommand': {
      const request = isObject(req) ? validate(ExecuteCommandRequest, req, REQ) : undefined;
      const response = resp ? validate(ExecuteCommandResponse, resp, RESP) : undefined;
      const taskRef = response?.taskArn ?? request?.task;
      if (!taskRef) return;
      ctx.signals.push(
        compact({
          kind: 'execSession' as const,
          taskArn: arns.taskArn(region, account, response?.clusterArn ?? request?.cluster, taskRef),
          caller: actor?.arn ?? undefined,
          container: response?.containerName ?? request?.container ?? undefined,
          interactive: response?.interactive ?? request?.interactive ?? undefined,
          program: programOf(request?.command),
        }),
      );
      return;
    }
    default:
      return; // Unknown or irrelevant API: ignored, never an error.
  }
}

/**
 * A shape the API call's fields are read from: an object, or absent (`null`, missing). A string is what a
 * truncated record may hold instead (CloudTrail caps both at 100 KB): unknown, as absent. Any other JSON
 * type is a bad event, named by its path.
 */
function shapeAt(x: unknown, path: string): Record<string, unknown> | undefined {
  if (x === undefined || x === null || typeof x === 'string') return undefined;
  if (isObject(x)) return x;
  throw new InvalidEventError(`expected Object, got ${Array.isArray(x) ? 'array' : typeof x}`, path);
}

/**
 * The request without the keys only ECS's response can carry (ARNs, ids, status): a caller can put any
 * key in requestParameters, and must not pick the resource the guardrail judges and remediates.
 */
function callerOnly(req: unknown, responseKeys: readonly string[]): unknown {
  if (!isObject(req)) return req;
  const out: Record<string, unknown> = { ...req };
  for (const k of responseKeys) delete out[k];
  return out;
}

/**
 * A create call carries every tag the new resource starts with (`tags` of the request; the response
 * repeats them when present): none means the resource has no tag. Other calls leave the tags unknown.
 */
function withCreateTags<R extends { readonly tags?: Tags }>(
  eventName: string,
  resource: R | undefined,
  req: unknown,
): R | undefined {
  if (!resource || resource.tags || !eventName.startsWith('Create')) return resource;
  return { ...resource, tags: (isObject(req) ? tagsOf(validate(Tagged, req, REQ).tags) : undefined) ?? {} };
}

/** The ECS resource a TagResource / UntagResource names, when a rule reads its tags. */
function taggedRefOf(arn: string, region: string, account: string): TaggedRef | undefined {
  const m = /^arn:[\w-]+:ecs:[\w-]+:\d{12}:(service|cluster|task-definition)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  if (m[1] === 'cluster') return { kind: 'Cluster', arn };
  if (m[1] === 'task-definition') return { kind: 'TaskDefinition', arn };
  const cluster = arns.clusterNameOfServiceArn(arn);
  return { kind: 'Service', arn, clusterArn: arns.clusterArn(region, account, cluster) };
}


export function normalize(e: ParsedEvent): NormalizedEvent {
  const env = e.envelope;
  const ctx: Ctx = { region: env.region, account: env.account, resources: [], signals: [], refs: [] };
  let actor: Actor | undefined;
  let eventName: string | undefined;
  let time = env.time;
  const firstResource = env.resources?.[0] || undefined; // "" is no ARN: fall back to the cluster

  switch (e.kind) {
    case 'cloudTrail': {
      const d = e.detail;
      ctx.region = d.awsRegion ?? env.region;
      ctx.account = d.recipientAccountId ?? env.account;
      actor = actorOf(d);
      eventName = d.eventName;
      time = d.eventTime ?? env.time;
      normalizeCloudTrail(d, ctx, actor);
      break;
    }
    case 'task': {
      const d = e.detail;
      ctx.resources.push(
        compact<TaskResource>({
          kind: 'Task',
          arn: d.taskArn,
          account: env.account,
          region: env.region,
          clusterArn: d.clusterArn ?? undefined,
          taskDefinitionArn: d.taskDefinitionArn ?? undefined,
          group: d.group ?? undefined,
          startedBy: d.startedBy ?? undefined,
          lastStatus: d.lastStatus ?? undefined,
          launchType: d.launchType ?? undefined,
          enableExecuteCommand: d.enableExecuteCommand ?? undefined,
          eniIds: eniIdsOf(d.attachments),
        }),
      );
      if (d.taskDefinitionArn && d.lastStatus !== 'STOPPED') ctx.refs.push(d.taskDefinitionArn);
      if (d.lastStatus === 'STOPPED') {
        const stopped = taskStoppedSignal(d, env.region, env.account);
        if (stopped) ctx.signals.push(stopped);
      }
      break;
    }
    case 'containerInstance': {
      const d = e.detail;
      ctx.resources.push(
        compact({
          kind: 'ContainerInstance' as const,
          arn: d.containerInstanceArn,
          account: env.account,
          region: env.region,
          clusterArn: d.clusterArn ?? undefined,
          ec2InstanceId: d.ec2InstanceId ?? undefined,
          attributes: (d.attributes ?? []).map((a) => a.name),
        }),
      );
      break;
    }
    case 'deployment': {
      const d = e.detail;
      eventName = d.eventName;
      if (d.eventName === 'SERVICE_DEPLOYMENT_FAILED') {
        ctx.signals.push(
          compact({
            kind: 'deploymentFailed' as const,
            resourceArn: firstResource ?? arns.clusterArn(env.region, env.account, undefined),
            deploymentId: d.deploymentId ?? undefined,
            reason: d.reason ?? undefined,
          }),
        );
      }
      break;
    }
    case 'serviceAction': {
      const d = e.detail;
      eventName = d.eventName;
      const resourceArn = firstResource ?? arns.clusterArn(env.region, env.account, d.clusterArn);
      if (ECS_THROTTLE_EVENT_NAMES.has(d.eventName)) {
        ctx.signals.push(
          compact({ kind: 'ecsThrottle' as const, eventName: d.eventName, resourceArn, reason: d.reason ?? undefined }),
        );
      } else if (d.eventName === 'SERVICE_TASK_PLACEMENT_FAILURE') {
        ctx.signals.push(compact({ kind: 'placementFailure' as const, resourceArn, reason: d.reason ?? undefined }));
      }
      break;
    }
    case 'guardDuty': {
      // The finding's account and region are the task's: in a GuardDuty administrator account the
      // envelope is the administrator's, the finding a member's.
      const g = normalizeGuardDutyFinding(e.detail);
      ctx.account = g.account;
      ctx.region = g.region;
      ctx.resources.push(...g.resources);
      if (g.incomplete) ctx.incomplete = { reason: g.incomplete };
      eventName = e.detail.type;
      break;
    }
    case 'ecrImageScan':
    case 'inspectorFinding':
    case 'other':
      break;
  }

  const event: EventRef = compact<EventRef>({
    id: env.id,
    source: env.source,
    detailType: env['detail-type'],
    time,
    eventName,
    actor,
  });
  return {
    event,
    account: ctx.account,
    region: ctx.region,
    resources: ctx.resources,
    signals: ctx.signals,
    taskDefinitionRefs: [...new Set(ctx.refs)],
    ...(ctx.incomplete ? { incomplete: ctx.incomplete } : {}),
  };
}
