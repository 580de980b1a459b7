/**
 * Typed event -> the resources it reveals and the signals it carries (docs/events.md, "How events map to
 * resources"). Pure: no I/O. Fields the event does not show stay undefined, so no rule flags them.
 */
import type { Actor, EventRef } from '../model/finding';
import { RESOURCE_TYPE, type Resource, type TaskResource, type TaskSetResource } from '../model/resources';
import * as arns from '../model/arn';
import type { ParsedEvent } from './parse';
import {
  CapacityProviderShape,
  ClusterShape,
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  RunTaskRequest,
  StoppedContainers,
  RunTaskResponse,
  ServiceShape,
  TaskDefinitionShape,
  TaskSetShape,
  WriteCallRequest,
  WriteCallResponse,
  type CloudTrailDetail,
  type TaskStateDetail,
} from './schemas';
import { ECS_THROTTLE_EVENT_NAMES, THROTTLING_ERROR_CODES, type Signal } from './signals';
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
}

type Tags = Record<string, string>;

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
      const respTd = resp && isObject(resp.taskDefinition) ? resp.taskDefinition : undefined;
      // Present but not an array (e.g. an object) is a bad event, named by validate; absent is truncation.
      const source =
        respTd && respTd.containerDefinitions != null
          ? { shape: respTd, path: `${RESP}.taskDefinition` }
          : isObject(req) && req.containerDefinitions != null
            ? { shape: req, path: REQ }
            : undefined;
      if (!source) {
        // Truncated (`omitted`) or missing parameters: the definition is unknown, never "compliant".
        const arn =
          typeof respTd?.taskDefinitionArn === 'string'
            ? respTd.taskDefinitionArn
            : isObject(req) && typeof req.family === 'string'
              ? arns.taskDefinitionArn(region, account, req.family)
              : undefined;
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
      const responseArn = typeof respTd?.taskDefinitionArn === 'string' ? respTd.taskDefinitionArn : undefined;
      const td = {
        ...parsedTd,
        taskDefinitionArn: responseArn ?? (fromRequest ? undefined : parsedTd.taskDefinitionArn),
        ...(fromRequest ? { revision: undefined, status: undefined } : {}),
      };
      const requestTags = isObject(req) ? tagsFromUnknown(req.tags) : undefined;
      const responseTags = resp ? tagsFromUnknown(resp.tags) : undefined;
      ctx.resources.push(taskDefinitionFromShape(td, region, account, requestTags ?? responseTags));
      return;
    }
    case 'CreateService':
    case 'UpdateService': {
      const fromResponse = resp !== undefined && isObject(resp.service);
      const shape = fromResponse
        ? { s: resp.service, p: `${RESP}.service` }
        : { s: callerOnly(req, ['serviceArn', 'clusterArn', 'status']), p: REQ };
      if (!isObject(shape.s)) return;
      const parsed = validate(ServiceShape, shape.s, shape.p);
      const source = fromResponse ? 'state' : d.eventName === 'CreateService' ? 'create-request' : 'update-request';
      const svc = serviceFromShape(parsed, region, account, source);
      if (!svc) return;
      ctx.resources.push(svc);
      if (svc.taskDefinition) ctx.refs.push(arns.taskDefinitionArn(region, account, svc.taskDefinition));
      return;
    }
    case 'CreateTaskSet': {
      const shape =
        resp && isObject(resp.taskSet)
          ? { s: resp.taskSet, p: `${RESP}.taskSet` }
          : { s: callerOnly(req, ['taskSetArn', 'serviceArn', 'clusterArn', 'id']), p: REQ };
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
      const request = isObject(req) ? validate(RunTaskRequest, req, REQ) : undefined;
      const response = resp ? validate(RunTaskResponse, resp, RESP) : undefined;
      for (const t of response?.tasks ?? [])
        ctx.resources.push(taskFromShape(t, region, account, request, actor?.arn ?? undefined));
      const tdRef = response?.tasks?.[0]?.taskDefinitionArn ?? request?.taskDefinition;
      if (tdRef && response?.tasks?.length) ctx.refs.push(arns.taskDefinitionArn(region, account, tdRef));
      if (!response?.tasks?.length && !(Array.isArray(resp?.failures) && resp.failures.length > 0)) {
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
      const shape =
        resp && isObject(resp.cluster)
          ? { s: resp.cluster, p: `${RESP}.cluster` }
          : { s: callerOnly(req, ['clusterArn']), p: REQ };
      if (!isObject(shape.s)) return;
      const cluster = clusterFromShape(validate(ClusterShape, shape.s, shape.p), region, account);
      if (cluster) ctx.resources.push(cluster);
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
 * The request without the keys only ECS's response can carry (ARNs, ids, status): a caller can put any
 * key in requestParameters, and must not pick the resource the guardrail judges and remediates.
 */
function callerOnly(req: unknown, responseKeys: readonly string[]): unknown {
  if (!isObject(req)) return req;
  const out: Record<string, unknown> = { ...req };
  for (const k of responseKeys) delete out[k];
  return out;
}

function tagsFromUnknown(x: unknown): Tags | undefined {
  if (!Array.isArray(x)) return undefined;
  const out: Tags = {};
  for (const t of x) if (isObject(t) && typeof t.key === 'string') out[t.key] = typeof t.value === 'string' ? t.value : '';
  return out;
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
