/**
 * Task definition revisions are immutable: once described, a revision never needs DescribeTaskDefinition
 * again. Only two things about it can change later: its status (ACTIVE -> INACTIVE, read from
 * ListTaskDefinitions on every sweep) and its tags (re-read with ListTagsForResource when older than
 * the sweep's tagMaxAgeMs, because exemptions live in tags).
 *
 * Implementations: memory (the CLI, one run) and DynamoDB (`dynamodb-td-cache.ts`, the sweep function,
 * shared by every run and container).
 */
import type { TaskDefinitionResource } from '../model/resources';

export interface CachedTaskDefinition {
  readonly arn: string;
  /** The normalized revision as DescribeTaskDefinition returned it (with its tags at `tagsCheckedAt`). */
  readonly definition: TaskDefinitionResource;
  readonly describedAt: string;
  readonly tagsCheckedAt: string;
}

export interface TaskDefinitionCache {
  /** The cached entries among `arns` (missing ones are simply absent from the map). */
  getMany(arns: readonly string[]): Promise<Map<string, CachedTaskDefinition>>;
  putMany(entries: readonly CachedTaskDefinition[]): Promise<void>;
}

export class MemoryTaskDefinitionCache implements TaskDefinitionCache {
  readonly entries = new Map<string, CachedTaskDefinition>();

  async getMany(arns: readonly string[]): Promise<Map<string, CachedTaskDefinition>> {
    const out = new Map<string, CachedTaskDefinition>();
    for (const arn of arns) {
      const e = this.entries.get(arn);
      if (e) out.set(arn, e);
    }
    return out;
  }

  async putMany(entries: readonly CachedTaskDefinition[]): Promise<void> {
    for (const e of entries) this.entries.set(e.arn, e);
  }
}
