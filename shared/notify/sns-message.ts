/**
 * A finding as an SNS message: the body is the finding JSON; attributes let subscribers filter
 * (e.g. `{"severity": ["critical", "high"]}`).
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Finding } from '../model/finding';
import type { MessageKind } from './slack-message';

export interface SnsMessage {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
}

const str = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });

export function snsMessage(f: Finding, kind: MessageKind = 'opened'): SnsMessage {
  // SNS subjects: ASCII printable, at most 100 characters.
  const subject = `[${kind === 'resolved' ? 'RESOLVED' : f.severity.toUpperCase()}] ${f.title}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
  return {
    Subject: subject,
    Message: JSON.stringify(kind === 'resolved' ? { ...f, status: 'resolved' } : { ...f, status: 'open' }),
    MessageAttributes: {
      severity: str(f.severity),
      ruleId: str(f.ruleId),
      account: str(f.account),
      region: str(f.region),
      mode: str(f.mode),
      status: str(kind === 'resolved' ? 'resolved' : 'open'),
    },
  };
}
