/** A CloudTrail log-file record -> the EventBridge event it would have been ("AWS API Call via CloudTrail"). */

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
