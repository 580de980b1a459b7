/**
 * Per-channel delivery records: what makes a retried, redelivered or redriven message harmless. Before a
 * channel gets a message the notifier claims (dedupeId, target); after the channel accepted it the record
 * becomes `delivered`; a failed delivery releases the claim. So a message that reached Slack but failed on
 * SNS is retried on SNS only.
 *
 * DynamoDB layout (the state table: `pk` S, `sk` S, TTL attribute `expiration`):
 *   pk = DELIVERY#<dedupeId>, sk = <target> (sns | slack:default | slack:team:<team> | securityhub)
 *   state = pending | delivered, leaseUntil (epoch ms, pending only), deliveredAt, expiration (epoch s)
 * A pending claim older than its lease (a notifier that died mid-delivery) can be claimed again. The lease
 * (default 2 min) must be shorter than the outbox queue's visibility timeout (180 s) so the redelivery
 * finds it expired.
 *
 * Unconfirmed deliveries (the request went out, no answer came before its timeout): the channel may have
 * the message, and neither Slack incoming webhooks nor standard SNS topics take an idempotency key, so
 * nothing can tell. The claim is then NOT released: `hold` keeps it pending (unconfirmed = true) for one
 * more lease, so no other attempt (this invocation, a concurrent copy, the next receive) re-posts it in
 * the meantime; the notifier requeues the message for after the hold. After it, the delivery is tried
 * again. The trade-off, per channel:
 *   - Slack and SNS: at-least-once. A lost security alert is worse than a duplicate; a duplicate needs a
 *     channel that accepted the message yet did not answer within the timeout (10 s Slack, 5 s SNS), and
 *     it is never sent twice in one invocation nor before the hold ends.
 *   - Security Hub: BatchImportFindings upserts by finding Id, so a retry cannot duplicate: released.
 * Everything else (answered failures, not attempted) releases the claim: exactly-once.
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deliveryKey } from '../store/dynamodb-keys';
import { isConditionFailure } from '../aws/classify';

export type ClaimResult = 'claimed' | 'delivered' | 'busy';

export interface DeliveryLedger {
  /** Claim the right to deliver `dedupeId` to `target`. */
  claim(dedupeId: string, target: string): Promise<ClaimResult>;
  /** The target accepted the message. */
  complete(dedupeId: string, target: string): Promise<void>;
  /** The delivery failed: let the next attempt claim it at once. */
  release(dedupeId: string, target: string): Promise<void>;
  /**
   * Sent, but unconfirmed: keep the claim for one more lease (nobody re-posts it meanwhile). Returns the
   * milliseconds until it can be claimed again.
   */
  hold(dedupeId: string, target: string): Promise<number>;
}

export const DELIVERY_RETENTION_MS = 21 * 86_400_000; // outbox 4 days + DLQ 14 days + margin
export const DEFAULT_LEASE_MS = 120_000;

interface MemoryEntry {
  state: 'pending' | 'delivered';
  leaseUntil: number;
}

/** In-memory ledger: the CLI (one run) and unit tests. */
export class MemoryDeliveryLedger implements DeliveryLedger {
  readonly entries = new Map<string, MemoryEntry>();
  constructor(
    private readonly leaseMs = DEFAULT_LEASE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(dedupeId: string, target: string): Promise<ClaimResult> {
    const k = `${dedupeId}\n${target}`;
    const e = this.entries.get(k);
    if (e?.state === 'delivered') return 'delivered';
    if (e && e.leaseUntil > this.now()) return 'busy';
    this.entries.set(k, { state: 'pending', leaseUntil: this.now() + this.leaseMs });
    return 'claimed';
  }

  async complete(dedupeId: string, target: string): Promise<void> {
    this.entries.set(`${dedupeId}\n${target}`, { state: 'delivered', leaseUntil: 0 });
  }

  async release(dedupeId: string, target: string): Promise<void> {
    const k = `${dedupeId}\n${target}`;
    if (this.entries.get(k)?.state === 'pending') this.entries.delete(k);
  }

  async hold(dedupeId: string, target: string): Promise<number> {
    const k = `${dedupeId}\n${target}`;
    if (this.entries.get(k)?.state === 'pending')
      this.entries.set(k, { state: 'pending', leaseUntil: this.now() + this.leaseMs });
    return this.leaseMs;
  }

  /** Targets delivered for a dedupe id (tests). */
  deliveredTargets(dedupeId: string): string[] {
    return [...this.entries]
      .filter(([k, e]) => k.startsWith(`${dedupeId}\n`) && e.state === 'delivered')
      .map(([k]) => k.slice(dedupeId.length + 1));
  }
}

export interface DynamoDbDeliveryLedgerOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly leaseMs?: number;
  readonly retentionMs?: number;
  readonly now?: () => number;
}

export class DynamoDbDeliveryLedger implements DeliveryLedger {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(options: DynamoDbDeliveryLedgerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.retentionMs = options.retentionMs ?? DELIVERY_RETENTION_MS;
    this.now = options.now ?? Date.now;
  }

  async claim(dedupeId: string, target: string): Promise<ClaimResult> {
    const now = this.now();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...deliveryKey(dedupeId, target),
            kind: 'delivery',
            state: 'pending',
            leaseUntil: now + this.leaseMs,
            expiration: Math.floor((now + this.retentionMs) / 1000),
          },
          // Free, or a claim whose lease ran out, or a record TTL has not deleted yet.
          ConditionExpression:
            'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now) OR expiration < :nowSeconds',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':now': now,
            ':nowSeconds': Math.floor(now / 1000),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // lib-dynamodb leaves the error's Item marshalled ({state: {S: ...}}). Without the old item (an
      // emulator that does not return it) a failed condition can only mean "someone else has it".
      const state = (err as { Item?: { state?: { S?: string } | string } }).Item?.state;
      return (typeof state === 'string' ? state : state?.S) === 'delivered' ? 'delivered' : 'busy';
    }
  }

  async complete(dedupeId: string, target: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: deliveryKey(dedupeId, target),
        UpdateExpression: 'SET #state = :delivered, deliveredAt = :at REMOVE leaseUntil, unconfirmed',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':delivered': 'delivered', ':at': new Date(this.now()).toISOString() },
      }),
    );
  }

  async hold(dedupeId: string, target: string): Promise<number> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKey(dedupeId, target),
          UpdateExpression: 'SET leaseUntil = :until, unconfirmed = :yes',
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':until': this.now() + this.leaseMs,
            ':yes': true,
            ':pending': 'pending',
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    return this.leaseMs;
  }

  async release(dedupeId: string, target: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: deliveryKey(dedupeId, target),
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
