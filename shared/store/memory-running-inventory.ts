/** The running inventory and scan results in memory (the CLI and tests): the same rules as DynamoDB's. */
import type { ImageScanResult } from '../events/running';
import type { ImageScanFacts, RunningTask, VulnerabilitySeverity } from '../model/running';
import {
  combineScanResults,
  containersRunning,
  decideChange,
  DEFAULT_RUNNING_TTL_HOURS,
  scannableImages,
  stateOrder,
  tooOld,
  type ImageScanStore,
  type InventoryOptions,
  type InventoryOutcome,
  type RunningImageTask,
  type RunningInventory,
} from './running-inventory';

const HOUR_MS = 3_600_000;

export class MemoryRunningInventory implements RunningInventory {
  readonly tasks = new Map<string, { task: RunningTask; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly tombstoneMs: number;
  private readonly now: () => Date;

  constructor(options: InventoryOptions = {}) {
    this.ttlMs = (options.ttlHours ?? DEFAULT_RUNNING_TTL_HOURS) * HOUR_MS;
    this.tombstoneMs = options.tombstoneHours !== undefined ? options.tombstoneHours * HOUR_MS : this.ttlMs;
    this.now = options.now ?? (() => new Date());
  }

  private live(taskArn: string): RunningTask | undefined {
    const e = this.tasks.get(taskArn);
    return e && e.expiresAt > this.now().getTime() ? e.task : undefined;
  }

  async apply(task: RunningTask): Promise<InventoryOutcome> {
    if (tooOld(task, this.now().getTime(), this.ttlMs)) return { change: 'stale', images: [] };
    const stored = this.live(task.taskArn);
    const entry = this.tasks.get(task.taskArn);
    const life =
      stored && entry
        ? { leftS: (entry.expiresAt - this.now().getTime()) / 1000, ttlS: this.ttlMs / 1000 }
        : undefined;
    const change = decideChange(stored, task, life);
    if (change === 'stale') return { change, images: [] };
    const images = scannableImages([...(stored?.containers ?? []), ...task.containers]);
    if (change === 'unchanged') return { change, images: scannableImages(task.containers) };
    const ttl = task.status === 'STOPPED' ? this.tombstoneMs : this.ttlMs;
    const kept =
      task.team === undefined && stored?.team !== undefined ? { ...task, team: stored.team } : task;
    this.tasks.set(task.taskArn, { task: kept, expiresAt: this.now().getTime() + ttl });
    return { change, images: task.status === 'STOPPED' ? images : scannableImages(task.containers) };
  }

  private running(): RunningTask[] {
    const nowMs = this.now().getTime();
    return [...this.tasks.values()]
      .filter((e) => e.expiresAt > nowMs && e.task.status === 'RUNNING')
      .map((e) => e.task);
  }

  async tasksOf(repository: string, digest: string, ownerArn?: string): Promise<RunningImageTask[]> {
    return (await this.tasksOfRepository(repository)).filter(
      (t) => t.digest === digest && (ownerArn === undefined || t.owner.arn === ownerArn),
    );
  }

  async tasksOfRepository(repository: string): Promise<RunningImageTask[]> {
    const out: RunningImageTask[] = [];
    for (const t of this.running()) {
      for (const img of scannableImages(t.containers)) {
        if (img.repository !== repository) continue;
        out.push({
          taskArn: t.taskArn,
          owner: t.owner,
          account: t.account,
          region: t.region,
          ...(t.clusterArn ? { clusterArn: t.clusterArn } : {}),
          repository,
          ...(img.digest ? { digest: img.digest } : {}),
          ...(img.image ? { image: img.image } : {}),
          containers: containersRunning(t.containers, repository, img.digest),
          ...(t.team !== undefined ? { team: t.team } : {}),
          at: t.at,
        });
      }
    }
    return out.sort((a, b) =>
      (a.digest + a.owner.arn + a.taskArn).localeCompare(b.digest + b.owner.arn + b.taskArn),
    );
  }

  async taskOf(taskArn: string): Promise<RunningTask | undefined> {
    return this.live(taskArn);
  }

  /** For tests: the order recorded for a task. */
  orderOf(taskArn: string): string | undefined {
    const t = this.live(taskArn);
    return t ? stateOrder(t) : undefined;
  }
}

interface InspectorEntry {
  id: string;
  severity: VulnerabilitySeverity;
  active: boolean;
  at: string;
}

export class MemoryImageScanStore implements ImageScanStore {
  private readonly ecr = new Map<
    string,
    { counts: Partial<Record<VulnerabilitySeverity, number>>; at: string }
  >();
  private readonly inspector = new Map<string, Map<string, InspectorEntry>>();

  async save(r: ImageScanResult): Promise<void> {
    const key = `${r.repository}\n${r.digest}`;
    if (r.source === 'ecr') {
      const prev = this.ecr.get(key);
      if (!prev || Date.parse(prev.at) <= Date.parse(r.at)) this.ecr.set(key, { counts: r.counts, at: r.at });
      return;
    }
    let m = this.inspector.get(key);
    if (!m) this.inspector.set(key, (m = new Map()));
    const prev = m.get(r.vulnerability.id);
    if (!prev || Date.parse(prev.at) <= Date.parse(r.at))
      m.set(r.vulnerability.id, { ...r.vulnerability, active: r.active, at: r.at });
  }

  async factsOf(repository: string, digest: string): Promise<ImageScanFacts | undefined> {
    const key = `${repository}\n${digest}`;
    return combineScanResults(repository, digest, this.ecr.get(key), [
      ...(this.inspector.get(key)?.values() ?? []),
    ]);
  }
}
