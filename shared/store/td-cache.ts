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
import { compileSecretPatterns, DEFAULT_SECRET_PATTERNS, redactName, storableValue } from '../rules/secrets';

const SECRETS = compileSecretPatterns(DEFAULT_SECRET_PATTERNS);

/**
 * The revision as a cache may keep it: no environment value and no log-option value, only what the
 * rules need to reach the same verdict (`storableValue`: the format a value has, whether it is benign);
 * names and keys that carry a value (`DB_PASSWORD=hunter2`) redacted. Everything else is kept as is.
 */
export function storableDefinition(td: TaskDefinitionResource): TaskDefinitionResource {
  return {
    ...td,
    containers: td.containers.map((c) => ({
      ...c,
      environment: c.environment.map((e) => {
        const value = storableValue(e.value, SECRETS);
        return { name: redactName(e.name, SECRETS), ...(value !== undefined ? { value } : {}) };
      }),
      ...(c.logOptions
        ? {
            logOptions: Object.fromEntries(
              Object.entries(c.logOptions).map(([k, v]) => [
                redactName(k, SECRETS),
                storableValue(v, SECRETS) ?? '',
              ]),
            ),
          }
        : {}),
    })),
  };
}

export interface CachedTaskDefinition {
  readonly arn: string;
  /**
   * The normalized revision as DescribeTaskDefinition returned it (with its tags at `tagsCheckedAt`); a
   * persistent cache keeps it as `storableDefinition` makes it (no environment or log-option values).
   */
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
