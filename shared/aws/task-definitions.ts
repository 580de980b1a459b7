/**
 * DescribeTaskDefinition and its cache. A revision (`family:N`) is immutable, so a described revision is
 * kept for the life of the process (bounded, least recently used dropped first); concurrent requests
 * for one ARN share one in-flight call. "Does not exist" is remembered only briefly; an error is not
 * remembered at all. A family without a revision means "latest ACTIVE", which changes: only its
 * in-flight call is shared, and the revision it resolved to is cached.
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { EnrichmentError, type ResourceScope } from '../engine/enrich';
import { taskDefinitionFromShape } from '../events/ecs-resources';
import { TaskDefinitionShape } from '../events/schemas';
import { parseTaskDefinitionRef } from '../model/arn';
import type { TaskDefinitionResource } from '../model/resources';
import { guarded, validated } from './errors';

const OP = 'ecs:DescribeTaskDefinition';

/** `undefined` when the task definition does not exist; EnrichmentError when we could not find out. */
export async function describeTaskDefinition(
  ecs: ECSClient,
  arn: string,
  scope: ResourceScope,
): Promise<TaskDefinitionResource | undefined> {
  let out;
  try {
    out = await guarded(OP, arn, () =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })),
    );
  } catch (err) {
    // ECS answers `ClientException: Unable to describe task definition.` for an unknown revision.
    if (err instanceof EnrichmentError && err.code === 'ClientException') return undefined;
    throw err;
  }
  if (!out.taskDefinition) return undefined;
  const td = validated(OP, arn, TaskDefinitionShape, out.taskDefinition, 'taskDefinition');
  const tags = out.tags
    ? Object.fromEntries(out.tags.flatMap((t) => (t.key ? [[t.key, t.value ?? '']] : [])))
    : undefined;
  return taskDefinitionFromShape(td, scope.region, scope.account, tags);
}

export interface TaskDefinitionCacheOptions {
  /** Revisions kept (default 2,000). */
  readonly maxEntries?: number;
  /** How long "does not exist" is remembered, in ms (default 30,000; 0: not at all). */
  readonly missingTtlMs?: number;
  readonly now?: () => number;
}

type Described = Promise<TaskDefinitionResource | undefined>;

interface Entry {
  readonly value: Described;
  expires: number;
}

const isRevision = (arn: string): boolean => parseTaskDefinitionRef(arn).revision !== undefined;

export class TaskDefinitionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly missingTtlMs: number;
  private readonly now: () => number;

  constructor(options: TaskDefinitionCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 2_000);
    this.missingTtlMs = options.missingTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached (or in-flight) description of `arn`, else `load()` once for every concurrent caller. */
  get(arn: string, load: () => Described): Described {
    const hit = this.entries.get(arn);
    if (hit && hit.expires > this.now()) {
      this.entries.delete(arn); // most recently used goes last
      this.entries.set(arn, hit);
      return hit.value;
    }
    const entry: Entry = { value: load(), expires: Number.POSITIVE_INFINITY };
    this.put(arn, entry);
    entry.value.then(
      (td) => {
        if (td && td.arn !== arn && isRevision(td.arn) && !this.entries.has(td.arn)) {
          this.put(td.arn, { value: entry.value, expires: Number.POSITIVE_INFINITY });
        }
        if (this.entries.get(arn) !== entry) return;
        if (td === undefined && this.missingTtlMs > 0) entry.expires = this.now() + this.missingTtlMs;
        else if (td === undefined || !isRevision(arn)) this.entries.delete(arn);
      },
      () => {
        if (this.entries.get(arn) === entry) this.entries.delete(arn);
      },
    );
    return entry.value;
  }

  private put(arn: string, entry: Entry): void {
    this.entries.delete(arn);
    this.entries.set(arn, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
