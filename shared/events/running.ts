/**
 * ECS task state changes and image scan events -> the running inventory's facts (docs/running.md):
 * which task (and service) runs which image digest, and what the scans say about a digest.
 */
import * as arns from '../model/arn';
import {
  parseImageRef,
  isDigest,
  vulnerabilitySeverityOf,
  type ImageVulnerability,
  type RunningContainer,
  type RunningTask,
  type TaskOwner,
  type VulnerabilitySeverity,
} from '../model/running';
import { InvalidEventError } from './errors';
import type { ParsedEvent } from './parse';
import { DescribedRunningTask, RunningContainers } from './schemas';
import { tagsOf } from './ecs-resources';
import { validate } from './validate';

type TaskEvent = Extract<ParsedEvent, { kind: 'task' }>;

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** The task's service (group `service:<name>`), else the task itself. */
export function ownerOf(
  taskArn: string,
  group: string | null | undefined,
  clusterArn: string | null | undefined,
  region: string,
  account: string,
): TaskOwner {
  const name = group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
  if (name && SERVICE_NAME.test(name)) {
    return { arn: arns.serviceArn(region, account, clusterArn, name), type: 'AWS::ECS::Service', name };
  }
  return { arn: taskArn, type: 'AWS::ECS::Task' };
}

/** Containers as the inventory keeps them: the image split into repository and the digest it runs. */
export function runningContainersOf(raw: RunningContainers): RunningContainer[] {
  return (raw ?? []).map((c, i) => {
    const ref = c.image ? parseImageRef(c.image) : undefined;
    // The digest the agent resolved wins over one written in the reference (they are the same when both exist).
    const digest = c.imageDigest && isDigest(c.imageDigest) ? c.imageDigest : ref?.digest;
    return {
      name: c.name || `container-${i}`,
      ...(c.image ? { image: c.image } : {}),
      ...(ref ? { repository: ref.repository } : {}),
      ...(digest ? { digest } : {}),
    };
  });
}

/**
 * A task state change -> its inventory entry: RUNNING adds, STOPPED removes (a tombstone); any other
 * status (PROVISIONING, PENDING, DEPROVISIONING, ...) changes nothing and gives undefined.
 */
export function runningTaskOf(e: TaskEvent): RunningTask | undefined {
  const d = e.detail;
  const status = d.lastStatus === 'RUNNING' || d.lastStatus === 'STOPPED' ? d.lastStatus : undefined;
  if (!status) return undefined;
  const { account, region, time } = e.envelope;
  const containers = runningContainersOf(validate(RunningContainers, d.containers, 'detail.containers'));
  return {
    taskArn: d.taskArn,
    account,
    region,
    status,
    ...(d.clusterArn ? { clusterArn: d.clusterArn } : {}),
    owner: ownerOf(d.taskArn, d.group, d.clusterArn, region, account),
    ...(d.taskDefinitionArn ? { taskDefinitionArn: d.taskDefinitionArn } : {}),
    ...(typeof d.version === 'number' ? { version: d.version } : {}),
    at: time,
    containers,
  };
}

/** The tag whose value names a task's team (the Slack channel's default `slack.teamTag`). */
export const DEFAULT_TEAM_TAG = 'guardrail:team';

/**
 * A task of a DescribeTasks answer (the sweep, `guardrail running`) -> its inventory entry, seen `at`;
 * undefined unless it is RUNNING. Throws InvalidEventError naming the field of a malformed answer.
 */
export function runningTaskFromDescribe(
  raw: unknown,
  path: string,
  at: string,
  teamTag: string = DEFAULT_TEAM_TAG,
): RunningTask | undefined {
  const t = validate(DescribedRunningTask, raw, path);
  if (t.lastStatus !== 'RUNNING') return undefined;
  // arn:<partition>:ecs:<region>:<account>:task/...
  const [, , , region = '', account = ''] = t.taskArn.split(':');
  const tags = tagsOf(t.tags);
  const team = tags?.[teamTag];
  return {
    taskArn: t.taskArn,
    account,
    region,
    status: 'RUNNING',
    ...(t.clusterArn ? { clusterArn: t.clusterArn } : {}),
    owner: ownerOf(t.taskArn, t.group, t.clusterArn, region, account),
    ...(t.taskDefinitionArn ? { taskDefinitionArn: t.taskDefinitionArn } : {}),
    ...(typeof t.version === 'number' ? { version: t.version } : {}),
    at,
    ...(team ? { team } : {}),
    ...(tags && Object.keys(tags).length ? { tags } : {}),
    containers: runningContainersOf(t.containers),
  };
}

/** An ECR basic scan's result for one digest. */
export interface EcrScanResult {
  readonly source: 'ecr';
  readonly repository: string;
  readonly digest: string;
  readonly counts: Partial<Record<VulnerabilitySeverity, number>>;
  readonly at: string;
}

/** One Inspector finding on one image digest (ACTIVE opens it, CLOSED / SUPPRESSED closes it). */
export interface InspectorScanResult {
  readonly source: 'inspector';
  readonly repository: string;
  readonly digest: string;
  readonly vulnerability: ImageVulnerability;
  readonly active: boolean;
  readonly at: string;
}

export type ImageScanResult = EcrScanResult | InspectorScanResult;

const MAX_ID = 256;

/**
 * A scan event -> the results it reports, one per image digest (empty: nothing to record, e.g. a failed
 * scan, or an Inspector finding on an EC2 instance or a Lambda function). A field the result needs that is
 * malformed (a digest that is not one) is an InvalidEventError naming it.
 */
export function imageScanResultsOf(e: ParsedEvent): ImageScanResult[] {
  // One format (UTC, milliseconds) so stored results compare as strings.
  const at = new Date(Date.parse(e.envelope.time)).toISOString();
  if (e.kind === 'ecrImageScan') {
    const d = e.detail;
    if (d['scan-status'] !== 'COMPLETE') return [];
    if (!isDigest(d['image-digest']))
      throw new InvalidEventError('must be an image digest (sha256:<hex>)', 'detail.image-digest');
    const counts: Partial<Record<VulnerabilitySeverity, number>> = {};
    for (const [k, n] of Object.entries(d['finding-severity-counts'] ?? {})) {
      const sev = vulnerabilitySeverityOf(k);
      counts[sev] = (counts[sev] ?? 0) + n;
    }
    return [{ source: 'ecr', repository: d['repository-name'], digest: d['image-digest'], counts, at }];
  }
  if (e.kind !== 'inspectorFinding') return [];
  const d = e.detail;
  const id = d.packageVulnerabilityDetails?.vulnerabilityId ?? d.findingArn;
  if (d.type !== 'PACKAGE_VULNERABILITY' || !id) return [];
  if (id.length > MAX_ID) throw new InvalidEventError(`is longer than ${MAX_ID} characters`, 'detail.packageVulnerabilityDetails.vulnerabilityId');
  const vulnerability: ImageVulnerability = { id, severity: vulnerabilitySeverityOf(d.severity) };
  const active = d.status === 'ACTIVE';
  const out: InspectorScanResult[] = [];
  for (const [i, r] of (d.resources ?? []).entries()) {
    const img = r.details?.awsEcrContainerImage;
    if (r.type !== 'AWS_ECR_CONTAINER_IMAGE' || !img?.imageHash || !img.repositoryName) continue;
    if (!isDigest(img.imageHash))
      throw new InvalidEventError(
        'must be an image digest (sha256:<hex>)',
        `detail.resources[${i}].details.awsEcrContainerImage.imageHash`,
      );
    out.push({ source: 'inspector', repository: img.repositoryName, digest: img.imageHash, vulnerability, active, at });
  }
  return out;
}
