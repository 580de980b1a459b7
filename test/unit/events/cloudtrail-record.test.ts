/** CloudTrail log-file records -> EventBridge events (shared/events/cloudtrail-record.ts). */
import { describe, expect, it } from 'vitest';
import {
  contentId,
  eventBridgeSource,
  isCloudTrailLog,
  parseRecord,
  recordToEvent,
  scopeFromArns,
} from '../../../shared/events/cloudtrail-record';
import { InvalidEventError } from '../../../shared/events/errors';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { engine, evaluateOne, ruleIds } from '../rules/helpers';
import { detailOf, fixture } from './fixtures';

/** The CloudTrail record inside a corpus event, as it appears in a trail's log file. */
const recordOf = (name: string): Record<string, unknown> => detailOf(fixture(name));

describe('eventBridgeSource', () => {
  it('maps the service endpoint to the EventBridge source', () => {
    expect(eventBridgeSource('ecs.amazonaws.com')).toBe('aws.ecs');
    expect(eventBridgeSource('ec2.amazonaws.com')).toBe('aws.ec2');
    expect(eventBridgeSource('elasticloadbalancing.amazonaws.com')).toBe('aws.elasticloadbalancing');
  });

  it('matches the source of every CloudTrail fixture', () => {
    for (const name of [
      'cloudtrail-create-service-assign-public-ip.json',
      'cloudtrail-ec2-client-request-limit-exceeded.json',
      'cloudtrail-elb-describe-target-health-throttled-readonly.json',
    ]) {
      const raw = fixture(name);
      expect(eventBridgeSource(detailOf(raw).eventSource as string), name).toBe(raw.source);
    }
  });
});

describe('isCloudTrailLog', () => {
  it('recognizes {"Records": [...]} only', () => {
    expect(isCloudTrailLog({ Records: [] })).toBe(true);
    expect(isCloudTrailLog({ Records: [recordOf('cloudtrail-execute-command.json')] })).toBe(true);
    expect(isCloudTrailLog({ Records: {} })).toBe(false);
    expect(isCloudTrailLog([{ Records: [] }])).toBe(false);
    expect(isCloudTrailLog(null)).toBe(false);
    expect(isCloudTrailLog(fixture('cloudtrail-execute-command.json'))).toBe(false);
  });
});

describe('recordToEvent', () => {
  it('builds the envelope EventBridge would have delivered', () => {
    const record = recordOf('cloudtrail-create-service-assign-public-ip.json');
    const event = recordToEvent(record) as Record<string, unknown>;
    expect(event).toEqual({
      version: '0',
      id: record.eventID,
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ecs',
      account: '111122223333',
      time: record.eventTime,
      region: 'us-west-2',
      resources: [],
      detail: record,
    });
  });

  it('evaluates like the EventBridge delivery of the same call', async () => {
    for (const name of [
      'cloudtrail-register-task-definition-privileged.json',
      'cloudtrail-create-service-assign-public-ip.json',
      'cloudtrail-run-task-public-ip-with-overrides.json',
      'cloudtrail-create-task-set-assign-public-ip.json',
    ]) {
      const viaEventBridge = await evaluateOne(fixture(name));
      const viaTrail = await evaluateOne(recordToEvent(recordOf(name)));
      expect(ruleIds(viaTrail.findings), name).toEqual(ruleIds(viaEventBridge.findings));
      expect(viaTrail.findings.map((f) => f.findingId), name).toEqual(viaEventBridge.findings.map((f) => f.findingId));
      expect(viaTrail.findings.length, name).toBeGreaterThan(0);
    }
  });

  it('the account falls back to userIdentity.accountId without recipientAccountId', () => {
    const record = recordOf('cloudtrail-create-service-assign-public-ip.json');
    delete record.recipientAccountId;
    expect((recordToEvent(record) as { account: string }).account).toBe('111122223333');
    expect(normalize(parseEvent(recordToEvent(record))).account).toBe('111122223333');
  });

  it('a record missing what the envelope needs is passed through so the parser names the field', () => {
    const noId = recordOf('cloudtrail-create-service-assign-public-ip.json');
    delete noId.eventID;
    expect(() => parseEvent(recordToEvent(noId))).toThrow(InvalidEventError);
    expect(() => parseEvent(recordToEvent(noId))).toThrow(/^id: is required/);

    const noSource = recordOf('cloudtrail-create-service-assign-public-ip.json');
    delete noSource.eventSource;
    expect(() => parseEvent(recordToEvent(noSource))).toThrow(/^source: is required/);

    const noAccount = recordOf('cloudtrail-create-service-assign-public-ip.json');
    delete noAccount.recipientAccountId;
    delete noAccount.userIdentity;
    expect(() => parseEvent(recordToEvent(noAccount))).toThrow(/^account: is required/);

    const badTime = recordOf('cloudtrail-create-service-assign-public-ip.json');
    badTime.eventTime = 'Mar 2, 2026 8:05:02 AM';
    expect(() => parseEvent(recordToEvent(badTime))).toThrow(/^time: must be an ISO-8601 time/);
  });

  it('a non-object record is returned as is, and rejected by the parser', () => {
    for (const x of [null, 'text', 3, []]) {
      expect(recordToEvent(x)).toBe(x);
      expect(() => parseEvent(recordToEvent(x))).toThrow(/^not an event/);
    }
  });

  it('a log file of throttled calls feeds throttle-api-calls', async () => {
    const base = recordOf('cloudtrail-throttling-exception.json');
    const log = {
      Records: Array.from({ length: 10 }, (_, i) => ({
        ...base,
        eventID: `trail-record-${i}`,
        eventTime: `2026-03-09T12:00:${String(i * 5).padStart(2, '0')}Z`,
      })),
    };
    expect(isCloudTrailLog(log)).toBe(true);
    const findings = await engine().runAll(log.Records.map(recordToEvent));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'throttle-api-calls',
      resource: { arn: 'arn:aws:iam::111122223333:role/github-actions-deploy' },
      aggregate: { count: 10, crossed: true },
    });
  });
});

describe('parseRecord: a bare or partial record, nothing invented', () => {
  const base = { eventSource: 'ecs.amazonaws.com', eventName: 'CreateCluster' };

  it('identity: eventID, else a content hash that changes with the content', () => {
    expect(parseRecord({ ...base, eventID: 'e-1' }).envelope.id).toBe('e-1');
    const a = parseRecord(base).envelope.id;
    expect(a).toBe(contentId(base));
    expect(parseRecord({ ...base, requestParameters: { clusterName: 'x' } }).envelope.id).not.toBe(a);
  });

  it('region and account: the record’s own first, then an ARN naming both, never an ARN without them', () => {
    const own = parseRecord({
      ...base,
      awsRegion: 'eu-west-1',
      recipientAccountId: '111122223333',
      responseElements: { cluster: { clusterArn: 'arn:aws:ecs:us-east-1:444455556666:cluster/x' } },
    });
    expect([own.envelope.region, own.envelope.account]).toEqual(['eu-west-1', '111122223333']);
    const fromArn = parseRecord({
      ...base,
      requestParameters: { bucket: 'arn:aws:s3:::no-region-no-account' },
      responseElements: { cluster: { clusterArn: 'arn:aws-cn:ecs:cn-north-1:444455556666:cluster/x' } },
    });
    expect([fromArn.envelope.region, fromArn.envelope.account]).toEqual(['cn-north-1', '444455556666']);
    const none = parseRecord({ ...base, requestParameters: { bucket: 'arn:aws:s3:::b' } });
    expect([none.envelope.region, none.envelope.account, none.envelope.time]).toEqual(['', '', '']);
  });

  it('an endlessly nested record is scanned within a bound, never a stack overflow', () => {
    let deep: unknown = 'arn:aws:ecs:us-west-2:111122223333:cluster/deep';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(scopeFromArns(deep)).toEqual({});
  });

  it('a field of the wrong JSON type: an InvalidEventError naming the record’s field under detail.', () => {
    expect(() => parseRecord({ ...base, eventID: 7 })).toThrow(InvalidEventError);
    expect(() => parseRecord({ ...base, eventID: 7 })).toThrow('detail.eventID: expected string, got number');
  });
});
