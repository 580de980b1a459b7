/**
 * A finding as an SNS message: the body is the finding JSON (plus `status`); attributes let subscribers
 * filter (e.g. `{"severity": ["critical", "high"]}`): severity, ruleId, account, region, mode, status
 * (open | resolved) and kind (opened | reminder | resolved). Seven attributes: SNS allows ten.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Finding } from '../../../model/finding';
import type { MessageContext, MessageKind } from '../slack/message';

export interface SnsMessage {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
}

export const TOO_LONG_FOR_SNS = "the finding exceeded SNS's message size limit";

/** SNS's refusal of a message over 256 KB: `InvalidParameter...` "Invalid parameter: Message too long". */
export function isSnsMessageTooLong(err: unknown): boolean {
  return err instanceof Error && /^InvalidParameter/.test(err.name) && /message too long/i.test(err.message);
}

const str = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });

/**
 * `ctx` (reminders and resolved messages) adds a `lifecycle` object to the body: firstSeen, count,
 * resolvedReason, as known.
 */
export function snsMessage(f: Finding, kind: MessageKind = 'opened', ctx: MessageContext = {}): SnsMessage {
  // SNS subjects: ASCII printable, at most 100 characters.
  const tag =
    kind === 'resolved'
      ? 'RESOLVED'
      : `${kind === 'reminder' ? 'STILL OPEN ' : ''}${f.severity.toUpperCase()}`;
  const subject = `[${tag}] ${f.title}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
  return {
    Subject: subject,
    Message: JSON.stringify({
      ...f,
      status: kind === 'resolved' ? 'resolved' : 'open',
      ...(ctx.firstSeen || ctx.count !== undefined || ctx.resolvedReason
        ? { lifecycle: { kind, ...ctx } }
        : {}),
    }),
    MessageAttributes: {
      severity: str(f.severity),
      ruleId: str(f.ruleId),
      account: str(f.account),
      region: str(f.region),
      mode: str(f.mode),
      status: str(kind === 'resolved' ? 'resolved' : 'open'),
      kind: str(kind),
    },
  };
}
