/**
 * CloudTrail records: a log-file record -> the EventBridge event it would have been ("AWS API Call via
 * CloudTrail"); a bare or partial record (the console, `lookup-events`, Lake and Athena exports,
 * write-ups) -> the parsed event, with what it does not say left unknown.
 */
import { createHash } from 'node:crypto';
import { InvalidEventError } from './errors';
import { DETAIL_TYPES, type ParsedEvent } from './parse';
import { CloudTrailDetail } from './schemas';
import { validate } from './validate';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `ecs.amazonaws.com` -> `aws.ecs` (EventBridge's source for CloudTrail events of that service). */
export function eventBridgeSource(eventSource: string): string {
  const prefix = eventSource.split('.')[0] ?? eventSource;
  return `aws.${prefix}`;
}

export function isCloudTrailLog(x: unknown): x is { Records: unknown[] } {
  return isObject(x) && Array.isArray(x.Records);
}

/**
 * Wrap a record as an event. Fields are copied as they are; a record missing what the envelope needs
 * is passed through unchanged so the parser names what is wrong with it.
 */
export function recordToEvent(record: unknown): unknown {
  if (!isObject(record)) return record;
  const { eventID, eventTime, awsRegion, recipientAccountId, eventSource, userIdentity } = record;
  const account =
    typeof recipientAccountId === 'string'
      ? recipientAccountId
      : isObject(userIdentity) && typeof userIdentity.accountId === 'string'
        ? userIdentity.accountId
        : undefined;
  return {
    version: '0',
    id: eventID,
    'detail-type': 'AWS API Call via CloudTrail',
    source: typeof eventSource === 'string' ? eventBridgeSource(eventSource) : undefined,
    account,
    time: eventTime,
    region: awsRegion,
    resources: [],
    detail: record,
  };
}

/** A CloudTrail record as the console, `lookup-events`, CloudTrail Lake, Athena and write-ups give it. */
export function isCloudTrailRecord(x: unknown): boolean {
  return isObject(x) && !('detail-type' in x) && 'eventSource' in x && 'eventName' in x;
}

/**
 * The record's identity when it has no `eventID` (a partial record, as write-ups quote them): a hash of
 * its content, so the same record read twice is the same event and two different ones never collide.
 */
export function contentId(record: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(record)).digest('hex')}`;
}

const ARN_SCOPE = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):/;

/**
 * The region and account of the first ARN in the record that names both (a resource of the call), for a
 * record without `awsRegion` / `recipientAccountId`. Bounded: records are at most a few hundred KB.
 */
export function scopeFromArns(record: unknown): { region?: string; account?: string } {
  const stack: unknown[] = [record];
  let visited = 0;
  while (stack.length && visited++ < 100_000) {
    const x = stack.pop();
    if (typeof x === 'string') {
      const m = ARN_SCOPE.exec(x);
      if (m) return { region: m[1], account: m[2] };
    } else if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    else if (isObject(x)) {
      const values = Object.values(x);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
  return {};
}

/**
 * Query results (CloudTrail Lake, Athena's CloudTrail table) hold `requestParameters` and
 * `responseElements` as JSON text: a string that is a whole JSON object is that object. Any other string
 * (what CloudTrail writes for a truncated value) stays as it is: unknown, never guessed.
 */
function withObjectsFromStrings(record: Record<string, unknown>): Record<string, unknown> {
  let out = record;
  for (const key of ['requestParameters', 'responseElements'] as const) {
    const text = record[key];
    if (typeof text !== 'string' || !text.trimStart().startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (isObject(value)) out = { ...out, [key]: value };
    } catch {
      // truncated: left as the string it is
    }
  }
  return out;
}

/**
 * A record -> the event the engine evaluates, without inventing what the record does not say: the
 * identity is `eventID` or a content hash; region and account are the record's, else those of an ARN in
 * it, else `''` (unknown); the time is `eventTime`, else `''`. Validation paths start with `detail.`
 * (the record's own fields as in an EventBridge event): callers name them without it.
 */
export function parseRecord(record: unknown): ParsedEvent {
  if (!isObject(record)) throw new InvalidEventError('not a CloudTrail record: expected a JSON object');
  const withId = withObjectsFromStrings(
    record.eventID === undefined ? { ...record, eventID: contentId(record) } : record,
  );
  const detail = validate(CloudTrailDetail, withId, 'detail');
  const fromArns = detail.awsRegion && detail.recipientAccountId ? {} : scopeFromArns(record);
  const account = detail.recipientAccountId ?? detail.userIdentity?.accountId ?? fromArns.account ?? '';
  const region = detail.awsRegion ?? fromArns.region ?? '';
  return {
    kind: 'cloudTrail',
    envelope: {
      id: detail.eventID,
      'detail-type': DETAIL_TYPES.cloudTrail,
      source: eventBridgeSource(detail.eventSource),
      account,
      time: detail.eventTime ?? '',
      region,
      resources: [],
      detail: withId,
    },
    // The record's own region and account (or the ARN's), so normalize never falls back to a guess.
    detail: { ...detail, awsRegion: region, recipientAccountId: account },
  };
}
