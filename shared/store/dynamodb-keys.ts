/**
 * The single state table (docs/state.md): partition key `pk` (S), sort key `sk` (S), TTL attribute
 * `expiration` (epoch seconds), sparse GSI `gsi1` (`gsi1pk` / `gsi1sk`) holding open findings only.
 * Every item kind's key is built here so the layout is written down once.
 */
import { createHash } from 'node:crypto';

export const TABLE_KEYS = {
  pk: 'pk',
  sk: 'sk',
  ttl: 'expiration',
  gsi1: 'gsi1',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
} as const;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** DynamoDB keys are at most 2048 bytes (partition) / 1024 (sort): long parts are replaced by a hash. */
function bounded(part: string, max = 900): string {
  return Buffer.byteLength(part) <= max ? part : `sha256:${createHash('sha256').update(part).digest('hex')}`;
}

/** A finding: one item per findingId. */
export function findingKey(findingId: string): ItemKey {
  return { pk: `FINDING#${findingId}`, sk: 'FINDING' };
}

/** gsi1 partition of the open findings of one account and region (removed when the finding resolves). */
export function openFindingsPartition(account: string, region: string): string {
  return `OPEN#${account}#${region}`;
}

/** gsi1 sort key: oldest open finding first. */
export function openFindingsSort(firstSeen: string, findingId: string): string {
  return `${firstSeen}#${findingId}`;
}

/** A throttle window counter: one item per aggregation key and window (all windows of a key share pk). */
export function windowKey(key: string, windowStartMs: number): ItemKey {
  return { pk: `WINDOW#${bounded(key)}`, sk: new Date(windowStartMs).toISOString() };
}

/** The remediation budget of one account and hour (sk: the hour's start, ISO-8601). */
export function budgetKey(account: string, hourStartMs: number): ItemKey {
  return { pk: `BUDGET#${account}`, sk: new Date(hourStartMs).toISOString() };
}

/** The partition holding one account's remediation audit trail (a Query on it lists it in time order). */
export function auditPartition(account: string): string {
  return `AUDIT#${account}`;
}

/** One audit entry: sorted by time, then by its id. */
export function auditKey(account: string, at: string, auditId: string): ItemKey {
  return { pk: auditPartition(account), sk: `${at}#${auditId}` };
}

/** A cached task definition (the sweep's cache): one item per task definition ARN. */
export function taskDefinitionCacheKey(arn: string): ItemKey {
  return { pk: `TD#${arn}`, sk: 'TD' };
}

/** One delivery of one notification to one target (sns | slack:default | slack:team:<team> | securityhub). */
export function deliveryKey(dedupeId: string, target: string): ItemKey {
  return { pk: `DELIVERY#${dedupeId}`, sk: target };
}

/** Idempotency records (Powertools DynamoDBPersistenceLayer, keyAttr pk / sortKeyAttr sk). */
export function idempotencyPartition(functionName: string): string {
  return `idempotency#${functionName}`;
}

export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/** A task of the running inventory (docs/running.md): its state, containers, owner; STOPPED is a tombstone. */
export function runningTaskKey(taskArn: string): ItemKey {
  return { pk: `RUNNING#TASK#${bounded(taskArn)}`, sk: 'TASK' };
}

/** The partition of the running tasks of one image repository (the repository name ECR scans report). */
export function runningImagePartition(repository: string): string {
  return `RUNNING#REPO#${bounded(repository)}`;
}

/** Sort key prefix of one digest's tasks in its repository partition (`<digest>#`), optionally of one owner. */
export function runningImagePrefix(digest: string, ownerArn?: string): string {
  return ownerArn === undefined
    ? `${bounded(digest, 300)}#`
    : `${bounded(digest, 300)}#${bounded(ownerArn, 300)}#`;
}

/** The digest part of an image item's key when the source showed no digest (never a digest: no colon). */
export const NO_DIGEST = 'nodigest';

/** One (image digest, task) pair of the running inventory: sorted by digest, then owner, then task. */
export function runningImageKey(
  repository: string,
  digest: string | undefined,
  ownerArn: string,
  taskArn: string,
): ItemKey {
  return {
    pk: runningImagePartition(repository),
    sk: `${runningImagePrefix(digest ?? NO_DIGEST, ownerArn)}${bounded(taskArn, 300)}`,
  };
}

/** The partition of the scan results of one image repository (ECR basic scans, Inspector findings). */
export function imageScanPartition(repository: string): string {
  return `SCAN#${bounded(repository)}`;
}

/** One scan result of one digest: `ECR` (the basic scan's counts) or `INSPECTOR#<vulnerability id>`. */
export function imageScanKey(repository: string, digest: string, result: string): ItemKey {
  return { pk: imageScanPartition(repository), sk: `${bounded(digest, 300)}#${bounded(result, 300)}` };
}

/**
 * A signed Slack request already seen (its signature's hash): a replay within the signature's 5-minute
 * window finds it and is refused.
 */
export function slackRequestKey(signatureHash: string): ItemKey {
  return { pk: `SLACKREQ#${signatureHash}`, sk: 'SLACKREQ' };
}

/**
 * The approval of one finding's action for one opening of it (`firstSeen`): written once, conditionally,
 * so the action runs once however many times Approve is pressed; it then holds the outcome.
 */
export function approvalKey(findingId: string, firstSeen: string): ItemKey {
  return { pk: `APPROVAL#${findingId}`, sk: firstSeen };
}

/** The partition of the exemption records (made from Slack): one Query lists them all. */
export const EXEMPTION_RECORDS_PARTITION = 'EXEMPTION#all';

/** One exemption record: by rule, then resource ARN, then its id. */
export function exemptionRecordKey(ruleId: string, arn: string, id: string): ItemKey {
  return { pk: EXEMPTION_RECORDS_PARTITION, sk: `${ruleId}#${bounded(arn, 700)}#${id}` };
}

/** The Slack message of a finding posted with the bot token (channel and ts: its thread, its update). */
export function slackMessageKey(findingId: string): ItemKey {
  return { pk: `SLACKMSG#${findingId}`, sk: 'SLACKMSG' };
}

/** What a channel created for a finding (the Jira issue key): one item per finding and channel. */
export function channelRefKey(findingId: string, channel: string): ItemKey {
  return { pk: `CHANNELREF#${bounded(findingId)}`, sk: channel };
}
