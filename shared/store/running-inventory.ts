/**
 * The running inventory (docs/running.md): which task, of which service, runs which image digest, and what
 * the scans say about each digest. Ports with DynamoDB (dynamodb-running-inventory.ts) and memory
 * (memory-running-inventory.ts) implementations that behave the same.
 *
 * Ordering: each task entry carries the order of the state it records (the ECS task `version`, then the
 * time): an older state never overwrites a newer one, a duplicate changes nothing, and STOPPED is final
 * (a tombstone kept for `tombstoneHours`), so a STOPPED delivered before its RUNNING leaves no ghost.
 * Every entry expires (`ttlHours` after it was last written): a lost STOPPED cannot keep a task "running"
 * for ever; the sweep rewrites the entries of the tasks it still sees.
 */
import type { ImageScanResult } from '../events/running';
import type {
  ImageScanFacts,
  RunningContainer,
  RunningTask,
  TaskOwner,
  VulnerabilitySeverity,
} from '../model/running';

/**
 * What `apply` did: `added` (a new running task), `refreshed` (a running task seen again, rewritten),
 * `removed` (a running task stopped), `tombstoned` (a STOPPED with no running entry: remembered so a late
 * RUNNING is ignored), `unchanged` (a duplicate), `stale` (older than the stored state, or after STOPPED).
 */
export type InventoryChange = 'added' | 'refreshed' | 'removed' | 'tombstoned' | 'unchanged' | 'stale';

export interface InventoryOutcome {
  readonly change: InventoryChange;
  /**
   * The images the change concerns: the task's (de-duplicated by repository and digest), for a STOPPED also
   * those the stored entry had. Empty for `stale`.
   */
  readonly images: readonly RunningContainer[];
}

/** One task running one image digest (the inventory's image index). */
export interface RunningImageTask {
  readonly taskArn: string;
  readonly owner: TaskOwner;
  readonly account: string;
  readonly region: string;
  readonly clusterArn?: string;
  readonly repository: string;
  /** Absent when the task's answer shows none (the agent reports digests; a source may not). */
  readonly digest?: string;
  /** The image as the task names it (`<registry>/<repository>:<tag>`). */
  readonly image?: string;
  readonly containers: readonly string[];
  readonly team?: string;
  /** When the task was last seen running. */
  readonly at: string;
}

export interface RunningInventory {
  /** Record a task's state: RUNNING adds or refreshes, STOPPED removes (tombstone). */
  apply(task: RunningTask): Promise<InventoryOutcome>;
  /** The running tasks of one digest of a repository, optionally of one owner only. */
  tasksOf(repository: string, digest: string, ownerArn?: string): Promise<RunningImageTask[]>;
  /** The running tasks of every digest of a repository. */
  tasksOfRepository(repository: string): Promise<RunningImageTask[]>;
  /**
   * One task as last recorded (its service, task definition, images, team), a STOPPED tombstone included;
   * undefined when unknown or expired. For findings about a task that need its context (GuardDuty).
   */
  taskOf(taskArn: string): Promise<RunningTask | undefined>;
}

export interface ImageScanStore {
  /** Record one scan result; an older result than the one stored changes nothing. */
  save(result: ImageScanResult): Promise<void>;
  /** What the scans say about one digest; undefined when nothing was reported. */
  factsOf(repository: string, digest: string): Promise<ImageScanFacts | undefined>;
}

export const DEFAULT_RUNNING_TTL_HOURS = 72;
export const DEFAULT_SCAN_TTL_HOURS = 90 * 24;

export interface InventoryOptions {
  /** Hours a running entry lives after it was last written (default 72: the sweep rewrites it every 6 h). */
  readonly ttlHours?: number;
  /**
   * Hours a STOPPED tombstone is kept (default: as long as a running entry, so any RUNNING recent enough
   * to be recorded meets it).
   */
  readonly tombstoneHours?: number;
  readonly now?: () => Date;
}

/**
 * The order of a task state: zero-padded version, then time. Compared as strings, in DynamoDB conditions
 * too. A source without a version (0) orders by time only, below any versioned state.
 */
export function stateOrder(task: Pick<RunningTask, 'version' | 'at'>): string {
  return `${String(task.version ?? 0).padStart(12, '0')}#${new Date(Date.parse(task.at)).toISOString()}`;
}

/**
 * The containers of a task with an image the inventory indexes (a repository; the digest when known),
 * one per (repository, digest). Only those with a digest can match a scan.
 */
export function scannableImages(containers: readonly RunningContainer[]): RunningContainer[] {
  const seen = new Map<string, RunningContainer>();
  for (const c of containers) {
    if (!c.repository) continue;
    const k = `${c.repository}\n${c.digest ?? ''}`;
    if (!seen.has(k)) seen.set(k, c);
  }
  return [...seen.values()];
}

/** Container names of `task` that run `repository@digest`. */
export function containersRunning(
  containers: readonly RunningContainer[],
  repository: string,
  digest: string | undefined,
): string[] {
  return containers.filter((c) => c.repository === repository && c.digest === digest).map((c) => c.name);
}

/**
 * A RUNNING seen longer ago than an entry lives (a replay from an EventBridge archive, a very late
 * delivery) is stale before any read: it would be an expired entry, and its tombstone may be gone.
 */
export function tooOld(task: Pick<RunningTask, 'status' | 'at'>, nowMs: number, ttlMs: number): boolean {
  return task.status === 'RUNNING' && Date.parse(task.at) + ttlMs <= nowMs;
}

/**
 * How `apply` decides, shared by both implementations: the change, given the stored entry and the
 * seconds it has left. A later sighting of the same state (the sweep every 6 hours) rewrites the entry
 * only when less than half of its life is left, and only to give it a new one: `unchanged` otherwise.
 */
export function decideChange(
  stored: Pick<RunningTask, 'status' | 'version' | 'at' | 'team'> | undefined,
  task: RunningTask,
  life?: { readonly leftS: number; readonly ttlS: number },
): InventoryChange {
  if (stored?.status === 'STOPPED') return task.status === 'STOPPED' ? 'unchanged' : 'stale';
  if (task.status === 'STOPPED') return stored ? 'removed' : 'tombstoned';
  if (!stored) return 'added';
  const [a, b] = [stateOrder(stored), stateOrder(task)];
  if (b < a) return 'stale';
  if (b === a) return 'unchanged';
  const sameState =
    (stored.version ?? 0) === (task.version ?? 0) && (task.team ?? stored.team) === stored.team;
  if (sameState && life && life.leftS > life.ttlS / 2) return 'unchanged';
  return 'refreshed';
}

/** The scan results of one digest -> its facts (the basic scan's counts, the active Inspector findings). */
export function combineScanResults(
  repository: string,
  digest: string,
  ecr: { counts: Partial<Record<VulnerabilitySeverity, number>>; at: string } | undefined,
  inspector: readonly { id: string; severity: VulnerabilitySeverity; active: boolean; at: string }[],
): ImageScanFacts | undefined {
  const active = inspector.filter((f) => f.active);
  if (!ecr && active.length === 0) return undefined;
  const counts: Partial<Record<VulnerabilitySeverity, number>> = { ...(ecr?.counts ?? {}) };
  const fromInspector: Partial<Record<VulnerabilitySeverity, number>> = {};
  for (const f of active) fromInspector[f.severity] = (fromInspector[f.severity] ?? 0) + 1;
  // A registry scans with one of the two: the larger count per severity, never the sum of both.
  for (const [s, n] of Object.entries(fromInspector) as [VulnerabilitySeverity, number][])
    counts[s] = Math.max(counts[s] ?? 0, n);
  const times = [ecr?.at, ...inspector.map((f) => f.at)].filter((t): t is string => !!t).sort();
  return {
    repository,
    digest,
    counts,
    vulnerabilities: active.map(({ id, severity }) => ({ id, severity })),
    scannedAt: times[times.length - 1] ?? '',
  };
}
