/**
 * FindingStore on DynamoDB (lib-dynamodb). One item per finding (docs/state.md):
 *
 *   pk = FINDING#<findingId>, sk = FINDING
 *   status open|resolved, firstSeen, lastSeen, count, finding (the latest event's finding, JSON),
 *   lastEventId, resolvedAt/resolvedReason, lastNotifiedAt, pendingNotification/pendingSince (outbox
 *   marker), gsi1pk/gsi1sk only while open (sparse index: open findings by account and region),
 *   expiration (TTL) on resolved findings and on aggregate (throttle window) findings.
 *
 * Every change is one conditional UpdateItem, so concurrent invocations never lose a count and exactly
 * one of them opens a finding:
 *   1. the finding is open and this event is not older than lastSeen: ADD count, SET the latest finding;
 *   2. it is open and the event is older (out-of-order delivery): ADD count only;
 *   3. it does not exist, or was resolved before this event: open it (count 1). An event older than the
 *      resolution does not re-open it.
 * A failed condition (another invocation got there first) re-reads and retries.
 */
import {
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { reducedFinding } from '../model/bounded-finding';
import type { Finding } from '../model/finding';
import {
  epochSeconds,
  findingKey,
  openFindingsPartition,
  openFindingsSort,
  TABLE_KEYS,
} from './dynamodb-keys';
import type { FindingRecord, FindingStore, NotifyClaim, RecordOutcome, Scope } from './types';
import { GuardrailError } from '../base/errors';
import { isConditionFailure } from '../aws/classify';

export interface DynamoDbFindingStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long a resolved finding is kept before TTL deletes it (default 90 days). */
  readonly resolvedRetentionMs?: number;
  /** How long an aggregate (throttle window) finding is kept after its window ends (default 30 days). */
  readonly aggregateRetentionMs?: number;
  /** Conditional-update attempts under contention before giving up (default 8). */
  readonly maxAttempts?: number;
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;

/** The attributes of a finding item, as stored. */
interface FindingItem {
  readonly pk: string;
  readonly sk: string;
  readonly findingId: string;
  readonly status: 'open' | 'resolved';
  readonly finding: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly resolvedAt?: string;
  readonly resolvedReason?: string;
  readonly lastNotifiedAt?: string;
  readonly pendingNotification?: string;
  readonly snoozedUntil?: string;
  readonly expiration?: number;
}

export class StoreContentionError extends GuardrailError {
  override readonly name = 'StoreContentionError';
}

/** DynamoDB's refusal of an item over 400 KB (PutItem: "Item size has exceeded ...", UpdateItem: "Item size to update has exceeded ..."). */
export function isItemTooLarge(err: unknown): boolean {
  return (
    err instanceof Error &&
    err.name === 'ValidationException' &&
    /item size (?:to update )?has exceeded/i.test(err.message)
  );
}

export const TOO_LARGE_FOR_DYNAMODB = "the finding exceeded DynamoDB's item size limit";
/** The finding JSON above which the item (the JSON plus its other attributes) could pass 400 KB. */
export const MAX_STORED_FINDING_BYTES = 300 * 1024;

/** ISO-8601 with milliseconds, so stored times compare correctly as strings. */
function canonicalTime(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError('record: `at` is not an ISO-8601 time');
  return new Date(ms).toISOString();
}

function toRecord(item: FindingItem): FindingRecord {
  return {
    findingId: item.findingId,
    status: item.status,
    finding: JSON.parse(item.finding) as Finding,
    firstSeen: item.firstSeen,
    lastSeen: item.lastSeen,
    count: item.count,
    ...(item.resolvedAt !== undefined ? { resolvedAt: item.resolvedAt } : {}),
    ...(item.resolvedReason !== undefined ? { resolvedReason: item.resolvedReason } : {}),
    ...(item.lastNotifiedAt !== undefined ? { lastNotifiedAt: item.lastNotifiedAt } : {}),
    ...(item.pendingNotification !== undefined ? { pendingNotification: item.pendingNotification } : {}),
    ...(item.snoozedUntil !== undefined ? { snoozedUntil: item.snoozedUntil } : {}),
  };
}

/** Builds an UpdateItem's expression and its name/value maps together. */
class Expr {
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};

  name(attr: string): string {
    const n = `#${attr}`;
    this.names[n] = attr;
    return n;
  }
  value(id: string, v: unknown): string {
    const p = `:${id}`;
    this.values[p] = v;
    return p;
  }
  set(attr: string, v: unknown): this {
    this.sets.push(`${this.name(attr)} = ${this.value(attr, v)}`);
    return this;
  }
  add(attr: string, n: number): this {
    this.adds.push(`${this.name(attr)} ${this.value(`${attr}Inc`, n)}`);
    return this;
  }
  remove(...attrs: string[]): this {
    for (const a of attrs) this.removes.push(this.name(a));
    return this;
  }
  toString(): string {
    return [
      this.sets.length ? `SET ${this.sets.join(', ')}` : '',
      this.adds.length ? `ADD ${this.adds.join(', ')}` : '',
      this.removes.length ? `REMOVE ${this.removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
}

export class DynamoDbFindingStore implements FindingStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly resolvedRetentionMs: number;
  private readonly aggregateRetentionMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;

  constructor(options: DynamoDbFindingStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.resolvedRetentionMs = options.resolvedRetentionMs ?? 90 * DAY_MS;
    this.aggregateRetentionMs = options.aggregateRetentionMs ?? 30 * DAY_MS;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.now = options.now ?? Date.now;
  }

  /**
   * Findings leave the engine bounded (model/bounded-finding.ts). One that is not (or that DynamoDB still
   * refuses as too large) is recorded as the reduced finding (first evidence entry and a count of the
   * rest): a finding is never dropped for its size. The size check before writing spares a refused call.
   */
  async record(finding: Finding, at: string, claim?: NotifyClaim): Promise<RecordOutcome> {
    const fits = Buffer.byteLength(JSON.stringify(finding)) <= MAX_STORED_FINDING_BYTES;
    try {
      return await this.recordAsIs(
        fits ? finding : reducedFinding(finding, TOO_LARGE_FOR_DYNAMODB),
        at,
        claim,
      );
    } catch (err) {
      if (!fits || !isItemTooLarge(err)) throw err;
      return this.recordAsIs(reducedFinding(finding, TOO_LARGE_FOR_DYNAMODB), at, claim);
    }
  }

  private async recordAsIs(finding: Finding, at: string, claim?: NotifyClaim): Promise<RecordOutcome> {
    const seen = canonicalTime(at);
    const outcome = (item: FindingItem, opened: boolean): RecordOutcome => ({
      record: toRecord(item),
      opened,
      ...(claim ? { notify: item.pendingNotification === claim.key } : {}),
    });

    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      // 1. Open, and this event is the latest seen (the common case): count it and keep its finding.
      const updated = await this.tryUpdate(this.updateOpen(finding, seen, claim, true));
      if (updated) return outcome(updated, false);
      // 3. New, or resolved before this event: open it.
      const opened = await this.tryUpdate(this.updateOpening(finding, seen, claim));
      if (opened) return outcome(opened, true);

      const current = await this.getItem(finding.findingId);
      if (current?.status === 'open') {
        // Opened by another invocation since step 1, and this event is not older: back to step 1.
        if (current.lastSeen <= seen) continue;
        // 2. Open, but this event is older than the last one seen: count it only.
        const older = await this.tryUpdate(this.updateOpen(finding, seen, claim, false));
        if (older) return outcome(older, false);
      } else if (
        current?.status === 'resolved' &&
        current.resolvedAt !== undefined &&
        current.resolvedAt > seen
      ) {
        // The event predates the resolution: it shows the old state and must not re-open the finding.
        return outcome(current, false);
      }
      // Another invocation changed the item between our calls: start over.
    }
    throw new StoreContentionError(
      `record ${finding.findingId}: still contended after ${this.maxAttempts} attempts`,
    );
  }

  async resolve(findingId: string, reason: string, at: string): Promise<FindingRecord | undefined> {
    const resolvedAt = canonicalTime(at);
    const e = new Expr()
      .set('status', 'resolved')
      .set('resolvedAt', resolvedAt)
      .set('resolvedReason', reason)
      .set(TABLE_KEYS.ttl, epochSeconds(Date.parse(resolvedAt) + this.resolvedRetentionMs))
      .remove(TABLE_KEYS.gsi1pk, TABLE_KEYS.gsi1sk, 'pendingNotification', 'pendingSince');
    const item = await this.tryUpdate({
      TableName: this.tableName,
      Key: findingKey(findingId),
      UpdateExpression: e.toString(),
      ConditionExpression: `${e.name('status')} = ${e.value('open', 'open')}`,
      ExpressionAttributeNames: e.names,
      ExpressionAttributeValues: e.values,
      ReturnValues: 'ALL_NEW',
    });
    return item ? toRecord(item) : undefined;
  }

  async get(findingId: string): Promise<FindingRecord | undefined> {
    const item = await this.getItem(findingId);
    return item ? toRecord(item) : undefined;
  }

  async *listOpen(scope: Scope): AsyncIterable<FindingRecord> {
    let startKey: Record<string, unknown> | undefined;
    const nowSeconds = epochSeconds(this.now());
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_KEYS.gsi1,
          KeyConditionExpression: '#gsi1pk = :p',
          ExpressionAttributeNames: { '#gsi1pk': TABLE_KEYS.gsi1pk },
          ExpressionAttributeValues: { ':p': openFindingsPartition(scope.account, scope.region) },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const raw of page.Items ?? []) {
        // The index may project keys only: then read the item itself.
        const item =
          typeof raw.finding === 'string'
            ? (raw as FindingItem)
            : await this.getItem(String(raw.pk).replace(/^FINDING#/, ''));
        if (!item || item.status !== 'open') continue;
        // TTL deletes lazily (and moto never does): an expired item is gone as far as we are concerned.
        if (item.expiration !== undefined && item.expiration < nowSeconds) continue;
        yield toRecord(item);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async markNotified(findingId: string, at: string, claimKey?: string): Promise<void> {
    const notifiedAt = canonicalTime(at);
    if (claimKey !== undefined) {
      const e = new Expr().set('lastNotifiedAt', notifiedAt).remove('pendingNotification', 'pendingSince');
      const done = await this.tryUpdate({
        TableName: this.tableName,
        Key: findingKey(findingId),
        UpdateExpression: e.toString(),
        ConditionExpression: `${e.name('pendingNotification')} = ${e.value('claim', claimKey)}`,
        ExpressionAttributeNames: e.names,
        ExpressionAttributeValues: e.values,
        ReturnValues: 'NONE',
      });
      if (done !== undefined) return;
      // The marker belongs to someone else now (e.g. a later escalation): leave it, record the time only.
    }
    const e = new Expr().set('lastNotifiedAt', notifiedAt);
    await this.tryUpdate({
      TableName: this.tableName,
      Key: findingKey(findingId),
      UpdateExpression: e.toString(),
      ConditionExpression: `attribute_exists(${e.name(TABLE_KEYS.pk)})`,
      ExpressionAttributeNames: e.names,
      ExpressionAttributeValues: e.values,
      ReturnValues: 'NONE',
    });
  }

  // ---------------------------------------------------------------- helpers

  private async getItem(findingId: string): Promise<FindingItem | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: findingKey(findingId), ConsistentRead: true }),
    );
    return out.Item as FindingItem | undefined;
  }

  /** The updated item (`{}` when ReturnValues is NONE), or undefined when the condition failed. */
  private async tryUpdate(input: UpdateCommandInput): Promise<FindingItem | undefined> {
    try {
      const out = await this.client.send(new UpdateCommand(input));
      return (out.Attributes ?? {}) as FindingItem;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  private claimSets(e: Expr, claim: NotifyClaim | undefined, opening: boolean): void {
    if (claim && (claim.when === 'always' || (opening && claim.when === 'open'))) {
      e.set('pendingNotification', claim.key).set('pendingSince', new Date(this.now()).toISOString());
    }
  }

  /** Steps 1 (latest: also keep this event's finding) and 2 (older event: count only). */
  private updateOpen(
    finding: Finding,
    seen: string,
    claim: NotifyClaim | undefined,
    latest: boolean,
  ): UpdateCommandInput {
    const e = new Expr().add('count', 1);
    if (latest) {
      e.set('finding', JSON.stringify(finding))
        .set('severity', finding.severity)
        .set('lastSeen', seen)
        .set('lastEventId', finding.event.id);
    }
    this.claimSets(e, claim, false);
    const open = `${e.name('status')} = ${e.value('open', 'open')}`;
    return {
      TableName: this.tableName,
      Key: findingKey(finding.findingId),
      UpdateExpression: e.toString(),
      ConditionExpression: latest ? `${open} AND ${e.name('lastSeen')} <= ${e.value('seen', seen)}` : open,
      ExpressionAttributeNames: e.names,
      ExpressionAttributeValues: e.values,
      ReturnValues: 'ALL_NEW',
    };
  }

  /** Step 3: create the finding, or re-open it when it was resolved before this event. */
  private updateOpening(finding: Finding, seen: string, claim: NotifyClaim | undefined): UpdateCommandInput {
    const e = new Expr()
      .set('kind', 'finding')
      .set('findingId', finding.findingId)
      .set('ruleId', finding.ruleId)
      .set('severity', finding.severity)
      .set('resourceArn', finding.resource.arn)
      .set('account', finding.account)
      .set('region', finding.region)
      .set('status', 'open')
      .set('firstSeen', seen)
      .set('lastSeen', seen)
      .set('count', 1)
      .set('finding', JSON.stringify(finding))
      .set('lastEventId', finding.event.id)
      .set(TABLE_KEYS.gsi1pk, openFindingsPartition(finding.account, finding.region))
      .set(TABLE_KEYS.gsi1sk, openFindingsSort(seen, finding.findingId))
      // A snooze (from Slack) was for the earlier opening: a re-opened finding reminds again.
      .remove('resolvedAt', 'resolvedReason', 'lastNotifiedAt', 'snoozedUntil');
    if (finding.aggregate) {
      // A throttle window's finding is history once the window is over: let TTL clean it up.
      e.set(
        TABLE_KEYS.ttl,
        epochSeconds(Date.parse(finding.aggregate.windowEnd) + this.aggregateRetentionMs),
      );
    } else {
      e.remove(TABLE_KEYS.ttl);
    }
    if (claim && claim.when !== 'never') this.claimSets(e, claim, true);
    else e.remove('pendingNotification', 'pendingSince');
    const names = e.names;
    const pk = e.name(TABLE_KEYS.pk);
    const status = e.name('status');
    const resolvedAt = e.name('resolvedAt');
    return {
      TableName: this.tableName,
      Key: findingKey(finding.findingId),
      UpdateExpression: e.toString(),
      ConditionExpression: `attribute_not_exists(${pk}) OR (${status} = ${e.value('resolved', 'resolved')} AND ${resolvedAt} <= ${e.value('seen', seen)})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: e.values,
      ReturnValues: 'ALL_NEW',
    };
  }
}
