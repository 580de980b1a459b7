/**
 * The running inventory and the image scan results in the state table (docs/running.md, docs/state.md).
 *
 * Items (keys in dynamodb-keys.ts; no gsi1 attributes):
 *   task      pk `RUNNING#TASK#<task ARN>`, sk `TASK`: status (RUNNING | STOPPED), ord (stateOrder), the
 *             task (JSON), expiration. STOPPED is a tombstone, kept as long as a running entry.
 *   image     pk `RUNNING#REPO#<repository>`, sk `<digest>#<owner ARN>#<task ARN>`: one per running task and
 *             image it runs (the index scans and `guardrail running` query), expiration.
 *   scan      pk `SCAN#<repository>`, sk `<digest>#ECR` (the basic scan's counts) or
 *             `<digest>#INSPECTOR#<vulnerability id>` (severity, active), at, expiration.
 *
 * A state change is one read of the task item and one transaction (the task item, conditioned on the
 * order read, with the image items it adds or removes), retried from the read when another writer got
 * there first: a STOPPED and its RUNNING processed at the same time leave either nothing or a tombstone,
 * never an image item without its task. DynamoDB deletes expired items lazily (moto never does): every
 * read ignores an item whose `expiration` has passed.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { ImageScanResult } from '../events/running';
import type { ImageScanFacts, RunningTask, TaskOwner, VulnerabilitySeverity } from '../model/running';
import { GuardrailError } from '../base/errors';
import {
  epochSeconds,
  imageScanKey,
  imageScanPartition,
  runningImageKey,
  runningImagePartition,
  runningImagePrefix,
  runningTaskKey,
} from './dynamodb-keys';
import {
  combineScanResults,
  containersRunning,
  decideChange,
  DEFAULT_RUNNING_TTL_HOURS,
  DEFAULT_SCAN_TTL_HOURS,
  scannableImages,
  stateOrder,
  tooOld,
  type ImageScanStore,
  type InventoryOptions,
  type InventoryOutcome,
  type RunningImageTask,
  type RunningInventory,
} from './running-inventory';

const HOUR_S = 3600;
const MAX_ATTEMPTS = 4;

/** Another writer changed the task between our read and our write, on every attempt. */
export class InventoryContentionError extends GuardrailError {
  override readonly name = 'InventoryContentionError';
}

export interface DynamoDbInventoryOptions extends InventoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

interface TaskItem {
  status: 'RUNNING' | 'STOPPED';
  ord: string;
  task: string;
  expiration: number;
}

interface ImageItem {
  taskArn: string;
  owner: TaskOwner;
  account: string;
  region: string;
  clusterArn?: string;
  repository: string;
  digest?: string;
  image?: string;
  containers: string[];
  team?: string;
  at: string;
  expiration: number;
}

function conflicted(err: unknown): boolean {
  return (
    err instanceof TransactionCanceledException &&
    (err.CancellationReasons ?? []).some(
      (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
    )
  );
}

export class DynamoDbRunningInventory implements RunningInventory {
  private readonly ttlS: number;
  private readonly tombstoneS: number;
  private readonly now: () => Date;

  constructor(private readonly options: DynamoDbInventoryOptions) {
    this.ttlS = (options.ttlHours ?? DEFAULT_RUNNING_TTL_HOURS) * HOUR_S;
    this.tombstoneS = options.tombstoneHours !== undefined ? options.tombstoneHours * HOUR_S : this.ttlS;
    this.now = options.now ?? (() => new Date());
  }

  private nowS(): number {
    return epochSeconds(this.now().getTime());
  }

  async apply(task: RunningTask): Promise<InventoryOutcome> {
    if (tooOld(task, this.now().getTime(), this.ttlS * 1000)) return { change: 'stale', images: [] };
    for (let attempt = 1; ; attempt++) {
      const read = await this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: runningTaskKey(task.taskArn),
          ConsistentRead: true,
        }),
      );
      const item = read.Item as TaskItem | undefined;
      const live = item && item.expiration > this.nowS() ? item : undefined;
      const stored = live ? (JSON.parse(live.task) as RunningTask) : undefined;
      const change = decideChange(
        stored,
        task,
        live ? { leftS: live.expiration - this.nowS(), ttlS: this.ttlS } : undefined,
      );
      if (change === 'stale') return { change, images: [] };
      if (change === 'unchanged') return { change, images: scannableImages(task.containers) };
      try {
        return await this.write(task, change, stored, item);
      } catch (err) {
        if (!conflicted(err)) throw err;
        if (attempt >= MAX_ATTEMPTS)
          throw new InventoryContentionError(`task state not recorded after ${MAX_ATTEMPTS} attempts`);
      }
    }
  }

  private async write(
    task: RunningTask,
    change: InventoryOutcome['change'],
    stored: RunningTask | undefined,
    read: TaskItem | undefined,
  ): Promise<InventoryOutcome> {
    const { tableName } = this.options;
    const nowS = this.nowS();
    const kept =
      task.team === undefined && stored?.team !== undefined ? { ...task, team: stored.team } : task;
    const stopped = task.status === 'STOPPED';
    const taskItem: TaskItem & { pk: string; sk: string } = {
      ...runningTaskKey(task.taskArn),
      status: task.status,
      ord: stateOrder(task),
      task: JSON.stringify(kept),
      expiration: nowS + (stopped ? this.tombstoneS : this.ttlS),
    };
    // Conditioned on what was read (an expired item counts as read too: it is overwritten).
    const condition = read
      ? {
          ConditionExpression: '#ord = :ord',
          ExpressionAttributeNames: { '#ord': 'ord' },
          ExpressionAttributeValues: { ':ord': read.ord },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      { Put: { TableName: tableName, Item: taskItem, ...condition } },
    ];
    const now = scannableImages(task.containers);
    const before = scannableImages(stored?.containers ?? []);
    if (stopped) {
      for (const img of scannableImages([...before, ...now]))
        items.push({
          Delete: {
            TableName: tableName,
            Key: runningImageKey(img.repository!, img.digest, (stored ?? task).owner.arn, task.taskArn),
          },
        });
    } else {
      for (const img of now) {
        const imageItem: ImageItem & { pk: string; sk: string } = {
          ...runningImageKey(img.repository!, img.digest, task.owner.arn, task.taskArn),
          taskArn: task.taskArn,
          owner: task.owner,
          account: task.account,
          region: task.region,
          ...(task.clusterArn ? { clusterArn: task.clusterArn } : {}),
          repository: img.repository!,
          ...(img.digest ? { digest: img.digest } : {}),
          ...(img.image ? { image: img.image } : {}),
          containers: containersRunning(task.containers, img.repository!, img.digest),
          ...(kept.team !== undefined ? { team: kept.team } : {}),
          at: task.at,
          expiration: taskItem.expiration,
        };
        items.push({ Put: { TableName: tableName, Item: imageItem } });
      }
      // An image the stored state had and this one no longer shows (should not happen for one task).
      const keep = new Set(now.map((i) => `${i.repository}\n${i.digest ?? ''}`));
      for (const img of before)
        if (!keep.has(`${img.repository}\n${img.digest ?? ''}`))
          items.push({
            Delete: {
              TableName: tableName,
              Key: runningImageKey(img.repository!, img.digest, stored!.owner.arn, task.taskArn),
            },
          });
    }
    await this.options.client.send(new TransactWriteCommand({ TransactItems: items }));
    return { change, images: stopped ? scannableImages([...before, ...now]) : now };
  }

  async taskOf(taskArn: string): Promise<RunningTask | undefined> {
    const read = await this.options.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: runningTaskKey(taskArn) }),
    );
    const item = read.Item as TaskItem | undefined;
    return item && item.expiration > this.nowS() ? (JSON.parse(item.task) as RunningTask) : undefined;
  }

  async tasksOf(repository: string, digest: string, ownerArn?: string): Promise<RunningImageTask[]> {
    return this.query(repository, runningImagePrefix(digest, ownerArn));
  }

  async tasksOfRepository(repository: string): Promise<RunningImageTask[]> {
    return this.query(repository);
  }

  private async query(repository: string, prefix?: string): Promise<RunningImageTask[]> {
    const nowS = this.nowS();
    const out: RunningImageTask[] = [];
    const pages = paginateQuery(
      { client: this.options.client },
      {
        TableName: this.options.tableName,
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        FilterExpression: '#exp > :now',
        ExpressionAttributeNames: { '#exp': 'expiration' },
        ExpressionAttributeValues: {
          ':pk': runningImagePartition(repository),
          ':now': nowS,
          ...(prefix ? { ':prefix': prefix } : {}),
        },
      },
    );
    for await (const page of pages) {
      for (const raw of page.Items ?? []) {
        const { pk: _pk, sk: _sk, expiration: _e, ...t } = raw as ImageItem & { pk: string; sk: string };
        out.push(t);
      }
    }
    return out;
  }
}

interface ScanItem {
  sk: string;
  at: string;
  counts?: Partial<Record<VulnerabilitySeverity, number>>;
  id?: string;
  severity?: VulnerabilitySeverity;
  active?: boolean;
  expiration: number;
}

export interface DynamoDbScanStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Hours a scan result is kept after it was last reported (default 90 days). */
  readonly ttlHours?: number;
  readonly now?: () => Date;
}

export class DynamoDbImageScanStore implements ImageScanStore {
  constructor(private readonly options: DynamoDbScanStoreOptions) {}

  private nowS(): number {
    return epochSeconds((this.options.now ?? (() => new Date()))().getTime());
  }

  async save(r: ImageScanResult): Promise<void> {
    const result = r.source === 'ecr' ? 'ECR' : `INSPECTOR#${r.vulnerability.id}`;
    const item = {
      ...imageScanKey(r.repository, r.digest, result),
      at: r.at,
      ...(r.source === 'ecr'
        ? { counts: r.counts }
        : { id: r.vulnerability.id, severity: r.vulnerability.severity, active: r.active }),
      expiration: this.nowS() + (this.options.ttlHours ?? DEFAULT_SCAN_TTL_HOURS) * HOUR_S,
    };
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          // ISO-8601 UTC times compare as strings: an older report never replaces a newer one.
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': r.at },
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async factsOf(repository: string, digest: string): Promise<ImageScanFacts | undefined> {
    const nowS = this.nowS();
    const prefix = `${imageScanKey(repository, digest, '').sk}`;
    let ecr: { counts: Partial<Record<VulnerabilitySeverity, number>>; at: string } | undefined;
    const inspector: { id: string; severity: VulnerabilitySeverity; active: boolean; at: string }[] = [];
    const pages = paginateQuery(
      { client: this.options.client },
      {
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: '#exp > :now',
        ExpressionAttributeNames: { '#exp': 'expiration' },
        ExpressionAttributeValues: { ':pk': imageScanPartition(repository), ':prefix': prefix, ':now': nowS },
      },
    );
    for await (const page of pages) {
      for (const raw of (page.Items ?? []) as ScanItem[]) {
        if (raw.sk === `${prefix}ECR`) ecr = { counts: raw.counts ?? {}, at: raw.at };
        else if (raw.id && raw.severity)
          inspector.push({ id: raw.id, severity: raw.severity, active: raw.active === true, at: raw.at });
      }
    }
    return combineScanResults(repository, digest, ecr, inspector);
  }
}
