/**
 * The running inventory's side of the pipeline (docs/running.md): a task state change updates the
 * inventory, a scan event (ECR Image Scan, Inspector2 Finding) updates the scan results; then every
 * (owner, image digest) pair the change concerns is turned into an `image-vulnerable-running` signal, to
 * be evaluated like any other (policy, modes, exemptions), and the pairs whose finding must resolve when
 * the evaluation finds nothing (the owner's last task of the digest stopped, the scan no longer reports
 * vulnerabilities) are named by their finding ids.
 */
import { findingIdOf } from '../engine/finding-id';
import { DEFAULT_TEAM_TAG, imageScanResultsOf, runningTaskOf } from '../events/running';
import type { ParsedEvent } from '../events/parse';
import type { VulnerableImageRunningSignal } from '../events/signals';
import type { ImageScanFacts, TaskOwner } from '../model/running';
import type { ImageScanStore, RunningImageTask, RunningInventory } from '../store/running-inventory';

export const IMAGE_RULE_ID = 'image-vulnerable-running';

/** Signals of one account and region (findings take their account and region from the event they are in). */
export interface RunningSignalGroup {
  readonly account: string;
  readonly region: string;
  readonly signals: readonly VulnerableImageRunningSignal[];
}

export interface RunningImagesOutcome {
  readonly groups: readonly RunningSignalGroup[];
  /** The finding ids of every pair considered: those the evaluation does not produce are resolved. */
  readonly considered: readonly string[];
  /** What the inventory did with a task event (absent for scan events). */
  readonly change?: string;
  /** Scan results recorded (scan events). */
  readonly scanResults?: number;
}

/** The finding id of `image-vulnerable-running` for one owner and digest (as the engine makes it). */
export function imageFindingId(ownerArn: string, digest: string): string {
  return findingIdOf(IMAGE_RULE_ID, ownerArn, undefined, digest);
}

export interface RunningImagesDeps {
  readonly inventory: RunningInventory;
  readonly scans: ImageScanStore;
}

export class RunningImages {
  constructor(private readonly deps: RunningImagesDeps) {}

  /** Record what the event says and return the signals to evaluate; undefined for other events. */
  async track(parsed: ParsedEvent): Promise<RunningImagesOutcome | undefined> {
    if (parsed.kind === 'task') return this.trackTask(parsed);
    if (parsed.kind === 'ecrImageScan' || parsed.kind === 'inspectorFinding') return this.trackScan(parsed);
    return undefined;
  }

  private async trackTask(parsed: Extract<ParsedEvent, { kind: 'task' }>): Promise<RunningImagesOutcome> {
    const task = runningTaskOf(parsed);
    if (!task) return { groups: [], considered: [] };
    const outcome = await this.deps.inventory.apply(task);
    const pairs = await Promise.all(
      // Only an image with a digest can match a scan.
      outcome.images
        .filter((img) => img.digest)
        .map(async (img) => {
          const facts = await this.deps.scans.factsOf(img.repository!, img.digest!);
          // No scan result: no finding can be open for this digest, nothing to evaluate or resolve.
          if (!facts) return undefined;
          const tasks = await this.deps.inventory.tasksOf(img.repository!, img.digest!, task.owner.arn);
          return { facts, owner: task.owner, tasks };
        }),
    );
    const known = pairs.filter((p): p is NonNullable<typeof p> => p !== undefined);
    return {
      ...collect(known, task.account, task.region),
      change: outcome.change,
    };
  }

  private async trackScan(parsed: ParsedEvent): Promise<RunningImagesOutcome> {
    const results = imageScanResultsOf(parsed);
    for (const r of results) await this.deps.scans.save(r);
    const digests = new Map(results.map((r) => [`${r.repository}\n${r.digest}`, r]));
    const pairs: Pair[] = [];
    for (const r of digests.values()) {
      const facts = await this.deps.scans.factsOf(r.repository, r.digest);
      const tasks = await this.deps.inventory.tasksOf(r.repository, r.digest);
      const byOwner = new Map<string, RunningImageTask[]>();
      for (const t of tasks) {
        const list = byOwner.get(t.owner.arn);
        if (list) list.push(t);
        else byOwner.set(t.owner.arn, [t]);
      }
      for (const ts of byOwner.values()) {
        pairs.push({ facts: facts ?? emptyFacts(r.repository, r.digest), owner: ts[0]!.owner, tasks: ts });
      }
    }
    return {
      ...collect(pairs, parsed.envelope.account, parsed.envelope.region),
      scanResults: results.length,
    };
  }
}

interface Pair {
  readonly facts: ImageScanFacts;
  readonly owner: TaskOwner;
  readonly tasks: readonly RunningImageTask[];
}

function emptyFacts(repository: string, digest: string): ImageScanFacts {
  return { repository, digest, counts: {}, vulnerabilities: [], scannedAt: '' };
}

/** Pairs -> signals grouped by the tasks' account and region, and the finding id of every pair. */
function collect(
  pairs: readonly Pair[],
  fallbackAccount: string,
  fallbackRegion: string,
): Pick<RunningImagesOutcome, 'groups' | 'considered'> {
  const groups = new Map<
    string,
    { account: string; region: string; signals: VulnerableImageRunningSignal[] }
  >();
  const considered: string[] = [];
  for (const { facts, owner, tasks } of pairs) {
    considered.push(imageFindingId(owner.arn, facts.digest));
    if (tasks.length === 0) continue;
    const account = tasks[0]!.account || fallbackAccount;
    const region = tasks[0]!.region || fallbackRegion;
    const team = tasks.find((t) => t.team !== undefined)?.team;
    const signal: VulnerableImageRunningSignal = {
      kind: 'vulnerableImageRunning',
      resourceArn: owner.arn,
      resourceType: owner.type,
      ...(owner.name ? { resourceName: owner.name } : {}),
      repository: facts.repository,
      digest: facts.digest,
      ...(tasks[0]!.image ? { image: tasks[0]!.image } : {}),
      counts: facts.counts,
      vulnerabilities: facts.vulnerabilities,
      tasks: tasks.map((t) => ({ taskArn: t.taskArn, containers: t.containers })),
      ...(team !== undefined ? { tags: { [DEFAULT_TEAM_TAG]: team } } : {}),
    };
    const k = `${account}\n${region}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { account, region, signals: [] }));
    g.signals.push(signal);
  }
  return { groups: [...groups.values()], considered };
}
