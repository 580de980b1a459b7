/**
 * The task definition cache in the guardrail's state table (the sweep function's cache), with a memory
 * layer in front so a warm container reads DynamoDB at most once per revision.
 *
 * Item (table contract: pk (S), sk (S), TTL attribute `expiration`):
 *   pk = `TD#<task definition ARN>`, sk = `TD`, kind = `TaskDefinition`, arn, definition (JSON of the
 *   normalized revision WITHOUT environment and log-option values: `storableDefinition`), valuesRedacted
 *   (true), describedAt, tagsCheckedAt, expiration (epoch seconds). An item written before values were
 *   redacted (no valuesRedacted) is a miss: the revision is described again and the item overwritten.
 * No gsi1 attributes: the item never appears in the open-findings index.
 *
 * `expiration` is refreshed whenever the entry is rewritten (a tag refresh, at least once per
 * tagMaxAgeMs while the revision is still swept), so revisions that stay in use stay cached and the
 * ones nobody sweeps any more age out. DynamoDB deletes expired items lazily (moto never does), so reads
 * ignore an item whose `expiration` has passed.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TaskDefinitionResource } from '../model/resources';
import { taskDefinitionCacheKey } from './dynamodb-keys';
import { chunks, mapPool } from '../base/pool';
import { storableDefinition, type CachedTaskDefinition, type TaskDefinitionCache } from './td-cache';

const DAY_S = 86_400;

export interface DynamoDBTaskDefinitionCacheOptions {
  readonly tableName: string;
  /** Days an entry lives after it was last written (default 30). */
  readonly ttlDays?: number;
  /** Parallel BatchGetItem / BatchWriteItem calls (default 4). */
  readonly concurrency?: number;
  /** Retries of unprocessed keys/items (DynamoDB throttling inside a batch), default 5. */
  readonly maxBatchRetries?: number;
  readonly now?: () => Date;
  /** For tests: the wait before retry `n` (default 50 ms * 2^n with jitter). */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Item {
  pk: string;
  sk: string;
  kind: 'TaskDefinition';
  arn: string;
  definition: string;
  valuesRedacted: true;
  describedAt: string;
  tagsCheckedAt: string;
  expiration: number;
}

const keyOf = taskDefinitionCacheKey;
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DynamoDBTaskDefinitionCache implements TaskDefinitionCache {
  private readonly memory = new Map<string, CachedTaskDefinition>();
  private readonly ttlDays: number;
  private readonly concurrency: number;
  private readonly maxBatchRetries: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly options: DynamoDBTaskDefinitionCacheOptions,
  ) {
    this.ttlDays = options.ttlDays ?? 30;
    this.concurrency = options.concurrency ?? 4;
    this.maxBatchRetries = options.maxBatchRetries ?? 5;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? defaultSleep;
  }

  async getMany(arns: readonly string[]): Promise<Map<string, CachedTaskDefinition>> {
    const out = new Map<string, CachedTaskDefinition>();
    const wanted: string[] = [];
    for (const arn of new Set(arns)) {
      const hit = this.memory.get(arn);
      if (hit) out.set(arn, hit);
      else wanted.push(arn);
    }
    const nowS = Math.floor(this.now().getTime() / 1000);
    const found = await mapPool(chunks(wanted, 100), this.concurrency, (batch) => this.batchGet(batch));
    for (const items of found)
      for (const item of items) {
        if (typeof item.expiration === 'number' && item.expiration <= nowS) continue;
        const entry = fromItem(item);
        if (!entry) continue;
        this.memory.set(entry.arn, entry);
        out.set(entry.arn, entry);
      }
    return out;
  }

  async putMany(entries: readonly CachedTaskDefinition[]): Promise<void> {
    // The memory layer keeps what DynamoDB keeps: a warm container judges a revision as a cold one does.
    const stored = entries.map((e) => ({ ...e, definition: storableDefinition(e.definition) }));
    for (const e of stored) this.memory.set(e.arn, e);
    const expiration = Math.floor(this.now().getTime() / 1000) + this.ttlDays * DAY_S;
    const items: Item[] = stored.map((e) => ({
      ...keyOf(e.arn),
      kind: 'TaskDefinition',
      arn: e.arn,
      definition: JSON.stringify(e.definition),
      valuesRedacted: true,
      describedAt: e.describedAt,
      tagsCheckedAt: e.tagsCheckedAt,
      expiration,
    }));
    await mapPool(chunks(items, 25), this.concurrency, (batch) => this.batchWrite(batch));
  }

  private async batchGet(arns: readonly string[]): Promise<Item[]> {
    const table = this.options.tableName;
    let keys: Record<string, unknown>[] = arns.map((arn) => ({ ...keyOf(arn) }));
    const out: Item[] = [];
    for (let attempt = 0; keys.length; attempt++) {
      if (attempt > this.maxBatchRetries)
        throw new Error(`BatchGetItem left ${keys.length} key(s) unprocessed after ${attempt} attempts`);
      if (attempt) await this.sleep(backoff(attempt));
      const r = await this.doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }));
      out.push(...((r.Responses?.[table] ?? []) as Item[]));
      keys = (r.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
    }
    return out;
  }

  private async batchWrite(items: readonly Item[]): Promise<void> {
    const table = this.options.tableName;
    let requests: { PutRequest?: { Item: Record<string, unknown> } }[] = items.map((Item) => ({
      PutRequest: { Item: { ...Item } },
    }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt > this.maxBatchRetries)
        throw new Error(
          `BatchWriteItem left ${requests.length} item(s) unprocessed after ${attempt} attempts`,
        );
      if (attempt) await this.sleep(backoff(attempt));
      const r = await this.doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (r.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

function backoff(attempt: number): number {
  return Math.round(50 * 2 ** attempt * (0.5 + Math.random() / 2));
}

function fromItem(item: Partial<Item>): CachedTaskDefinition | undefined {
  if (typeof item.arn !== 'string' || typeof item.definition !== 'string') return undefined;
  if (item.valuesRedacted !== true) return undefined; // written with plain-text values: describe again
  try {
    const definition = JSON.parse(item.definition) as TaskDefinitionResource;
    if (definition?.kind !== 'TaskDefinition' || !Array.isArray(definition.containers)) return undefined;
    return {
      arn: item.arn,
      definition,
      describedAt: String(item.describedAt ?? ''),
      tagsCheckedAt: String(item.tagsCheckedAt ?? item.describedAt ?? ''),
    };
  } catch {
    return undefined; // A corrupt entry is a cache miss: the revision is described again.
  }
}
