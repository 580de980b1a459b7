/** The sweep's contract: what it lists, what it reports, what it missed. */
import type { RunningTask } from '../model/running';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { TtlCache } from '../base/ttl-cache';
import type { SecurityGroupResource, Resource, TaskRolePolicies } from '../model/resources';
import type { GapKind } from './errors';
import type { TaskDefinitionCache } from '../store/td-cache';

/** Something the sweep could not read. Any gap makes the sweep partial: it then resolves nothing. */
export interface SweepGap {
  /** The API operation that failed, e.g. `ListTasks`. */
  readonly operation: string;
  /** The cluster, service batch or task definition it was about, when there is one. */
  readonly target?: string;
  readonly kind: GapKind;
  readonly code: string;
  readonly message: string;
  /** What the sweep therefore does not know, in words (e.g. "running tasks of cluster prod"). */
  readonly missed: string;
}

export interface SweepCounts {
  clusters: number;
  services: number;
  taskSets: number;
  tasks: number;
  containerInstances: number;
  taskDefinitions: number;
}

export interface TaskDefinitionStats {
  /** Revisions evaluated: ACTIVE ones plus the INACTIVE ones a service, task set or running task uses. */
  total: number;
  /** Read from the cache without a DescribeTaskDefinition call. */
  fromCache: number;
  /** DescribeTaskDefinition calls made (cache misses). */
  described: number;
  /** Cached revisions whose tags were re-read (ListTagsForResource) because they were older than tagMaxAgeMs. */
  tagsRefreshed: number;
}

export type SweepPhase = 'clusters' | 'task-definitions' | 'done';

export interface SweepProgress {
  readonly phase: SweepPhase;
  /** Units done and known so far in this phase (clusters, or task definition revisions). */
  readonly done: number;
  readonly total: number;
  readonly counts: Readonly<SweepCounts>;
}

export interface SweepClients {
  readonly ecs: ECSClient;
  /** For the public IPs of running tasks' ENIs (DescribeNetworkInterfaces) and the workloads' security groups. */
  readonly ec2: EC2Client;
  /**
   * For the task roles of the swept task definitions (td-task-role-wildcard). Without it, a revision
   * with a task role is a gap (the sweep is partial and resolves nothing).
   */
  readonly iam?: IAMClient;
  /**
   * For the account's GuardDuty detector (account-ecs-runtime-monitoring-off). Optional and outside the
   * ECS estate: a failed read is a warning, not a gap, and the rule is then not evaluated (nor resolved).
   */
  readonly guardDuty?: GuardDutyClient;
}

export interface SweepOptions extends SweepClients {
  readonly account: string;
  readonly region: string;
  /** Task definition revisions already described (immutable). Default: a fresh memory cache. */
  readonly cache?: TaskDefinitionCache;
  /** AWS calls in flight at once across the whole sweep (default 4). */
  readonly concurrency?: number;
  /** Epoch ms after which no call starts and calls in flight are aborted; the rest is recorded as missed. */
  readonly deadline?: number;
  /** Per-request timeout in ms (default: the client's). */
  readonly requestTimeoutMs?: number;
  /** Re-read the tags (exemptions live there) of cached revisions older than this (default 24 h). */
  readonly tagMaxAgeMs?: number;
  readonly onProgress?: (p: SweepProgress) => void;
  /** Non-fatal problems (a cache that cannot be read or written): the sweep goes on without it. */
  readonly onWarning?: (message: string) => void;
  readonly now?: () => Date;
  /** Task role policies kept between sweeps of one process (mutable: time-bounded). Default: per sweep. */
  readonly roleCache?: TtlCache<TaskRolePolicies>;
  /** Security groups by `<account>/<region>/<id>` kept between sweeps (time-bounded); `null`: gone. */
  readonly securityGroupCache?: TtlCache<SecurityGroupResource | null>;
}

export interface SweepResult {
  readonly account: string;
  readonly region: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** True when every list and describe call succeeded: only then may findings be resolved. */
  readonly complete: boolean;
  readonly gaps: readonly SweepGap[];
  readonly resources: readonly Resource[];
  readonly counts: Readonly<SweepCounts>;
  readonly taskDefinitions: Readonly<TaskDefinitionStats>;
  readonly warnings: readonly string[];
  /** The running tasks and the image digests they run (the running inventory, docs/running.md). */
  readonly runningTasks?: readonly RunningTask[];
}
