/**
 * Events of the running inventory's tests (test/fixtures/running/README.md): the AWS documentation's
 * ECR Image Scan and Inspector2 Finding examples, and task state changes derived from the AWS Fargate
 * task example (a service's task or a standalone one, RUNNING or STOPPED, running a chosen image).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures';

export type RawEvent = Record<string, any>;

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'running');

export function runningFixture(name: string): RawEvent {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as RawEvent;
}

/** The digest and repository of the AWS ECR Image Scan example. */
export const SCANNED_DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';
export const SCANNED_REPOSITORY = 'my-repository-name';
export const SCANNED_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${SCANNED_REPOSITORY}:1.4`;

export interface TaskOptions {
  /** The task id (its ARN is built in example-cluster). */
  readonly id: string;
  readonly service?: string;
  readonly status?: 'RUNNING' | 'STOPPED' | 'PENDING' | 'DEPROVISIONING';
  readonly version?: number;
  /** Default: now. */
  readonly time?: string;
  readonly image?: string;
  readonly digest?: string;
  readonly eventId?: string;
  readonly account?: string;
}

/** A task state change from the AWS Fargate example, its `web` container running the chosen image. */
export function taskEvent(o: TaskOptions): RawEvent {
  const e = runningFixture('ecs-task-state-change-running-awsvpc');
  const account = o.account ?? '123456789012';
  const taskArn = `arn:aws:ecs:us-east-1:${account}:task/example-cluster/${o.id}`;
  const status = o.status ?? 'RUNNING';
  e.id = o.eventId ?? `${o.id}-${status}-${o.version ?? 3}`;
  e.account = account;
  // Now by default: the inventory ignores a RUNNING older than an entry lives (72 h).
  e.time = o.time ?? new Date().toISOString();
  e.resources = [taskArn];
  e.detail.taskArn = taskArn;
  e.detail.clusterArn = `arn:aws:ecs:us-east-1:${account}:cluster/example-cluster`;
  e.detail.lastStatus = status;
  e.detail.desiredStatus = status === 'STOPPED' || status === 'DEPROVISIONING' ? 'STOPPED' : 'RUNNING';
  e.detail.version = o.version ?? (status === 'STOPPED' ? 5 : 3);
  e.detail.group = o.service ? `service:${o.service}` : 'family:webserver';
  e.detail.startedBy = o.service ? 'ecs-svc/1234567890123456789' : undefined;
  for (const c of e.detail.containers) {
    c.taskArn = taskArn;
    c.lastStatus = status === 'STOPPED' ? 'STOPPED' : c.lastStatus;
  }
  const web = e.detail.containers[0];
  web.image = o.image ?? SCANNED_IMAGE;
  web.imageDigest = o.digest ?? SCANNED_DIGEST;
  return e;
}

/** The AWS ECR Image Scan example, optionally for another digest, counts or time. */
export function ecrScanEvent(
  o: { digest?: string; counts?: Record<string, unknown>; time?: string; id?: string } = {},
): RawEvent {
  const e = runningFixture('ecr-image-scan-basic');
  if (o.digest) e.detail['image-digest'] = o.digest;
  if (o.counts) e.detail['finding-severity-counts'] = o.counts;
  if (o.time) e.time = o.time;
  if (o.id) e.id = o.id;
  return e;
}
