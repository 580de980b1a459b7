/** Findings and outbox records for the notification tests. */
import type { Finding, Severity } from '../../../shared/model/finding';
import type { EnqueueMeta } from '../../../shared/lifecycle/outbox';
import { encodeNotification, recordFromMessage, type OutboxRecord } from '../../../shared/notify/outbox';
import type { Notification } from '../../../shared/notify/types';
import { dedupeIdOf } from '../../../shared/notify/outbox';

let seq = 0;

export function finding(over: Partial<Finding> = {}): Finding {
  const n = over.findingId ?? `f${String(++seq).padStart(31, '0')}`;
  return {
    findingId: n,
    ruleId: 'svc-public-ip',
    severity: 'high',
    title: 'Service assigns public IPs to its tasks',
    resource: {
      type: 'AWS::ECS::Service',
      arn: `arn:aws:ecs:us-east-1:123456789012:service/prod/web-${n.slice(-6)}`,
      name: `web-${n.slice(-6)}`,
    },
    account: '123456789012',
    region: 'us-east-1',
    evidence: [
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'service assigns a public IP (assignPublicIp ENABLED)',
      },
    ],
    event: {
      id: `evt-${n.slice(-6)}`,
      source: 'aws.ecs',
      detailType: 'AWS API Call via CloudTrail',
      time: '2026-11-22T08:00:00Z',
      eventName: 'UpdateService',
      actor: { arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/jane', type: 'AssumedRole' },
    },
    controls: { securityHub: 'ECS.2' },
    mode: 'notify',
    advice: 'Run tasks in private subnets.',
    ...over,
  };
}

export function withSeverity(severity: Severity, over: Partial<Finding> = {}): Finding {
  return finding({ severity, ...over });
}

export function notification(f: Finding, kind: Notification['kind'] = 'opened', key = 'k1'): Notification {
  return { finding: f, kind, dedupeId: dedupeIdOf(f.findingId, kind, key) };
}

let msg = 0;

/** An outbox record as Lambda would hand it over. */
export function record(
  f: Finding,
  meta: EnqueueMeta = { kind: 'opened', dedupeKey: 'k1' },
  receiveCount = 1,
): OutboxRecord {
  const m = encodeNotification(f, meta);
  const id = `m-${++msg}`;
  return recordFromMessage({
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: m.MessageBody,
    Attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()) },
    MessageAttributes: m.MessageAttributes,
  });
}

/** A logger that keeps every line (as JSON) for secret checks. */
export function recordingLogger(): {
  lines: string[];
  logger: { debug: Log; info: Log; warn: Log; error: Log };
} {
  const lines: string[] = [];
  const log =
    (level: string): Log =>
    (message, ...extra) =>
      lines.push(
        JSON.stringify({ level, message, extra }, (_k, v) =>
          v instanceof Error ? { name: v.name, message: v.message } : v,
        ),
      );
  return {
    lines,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
}
type Log = (message: string, ...extra: Record<string, unknown>[]) => void;
