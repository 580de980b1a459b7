/**
 * What every message of the PagerDuty, Jira, Microsoft Teams, email and webhook channels says about a
 * notification, as plain text, one fact per line: the channel escapes it for its own format (Adaptive
 * Card TextRuns, HTML, Atlassian Document Format text nodes, JSON). Every value coming from a resource,
 * an event or the outbox is made one line here (controls, bidi overrides and line separators shown as
 * U+FFFD or ↵: ./slack/message.ts `oneLine`) and bounded in length.
 */
import { controlIds, type Finding } from '../../model/finding';
import { consoleUrl } from '../console-url';
import type { Notification } from '../types';
import { oneLine, truncate } from './slack/message';

export interface MessageFacts {
  /** e.g. "HIGH: Task definition runs a privileged container", "Still open: ...", "Resolved: ...". */
  readonly headline: string;
  /** The first sentence under the headline (rule id, and for resolved messages why). */
  readonly lead: string;
  /** Label and value, in order. */
  readonly fields: readonly (readonly [string, string])[];
  readonly evidence: readonly string[];
  readonly advice?: string;
  /** The AWS console link, built from a validated region and ARN only. */
  readonly consoleUrl?: string;
  /** finding id, event id and time, Security Hub controls. */
  readonly footer: string;
}

/** One line of untrusted text, at most `max` characters. */
export function plain(s: unknown, max = 2000): string {
  return truncate(oneLine(String(s)), max);
}

function actor(f: Finding): string {
  const a = f.event.actor;
  return plain(a?.arn ?? a?.roleArn ?? a?.invokedBy ?? 'n/a (ECS event)');
}

function action(f: Finding): string {
  if (!f.action) return f.mode === 'remediate' ? 'none' : `none (mode ${plain(f.mode)})`;
  return plain(`${f.action.name} ${f.action.status}${f.action.reason ? `: ${f.action.reason}` : ''}`);
}

export function messageFacts(n: Notification): MessageFacts {
  const f = n.finding;
  const title = plain(f.title, 200);
  const headline =
    n.kind === 'resolved'
      ? `Resolved: ${title}`
      : `${n.kind === 'reminder' ? 'Still open: ' : ''}${f.severity.toUpperCase()}: ${title}`;
  const count = Number(n.count);
  const seen =
    n.kind !== 'opened' && (n.count !== undefined || n.firstSeen)
      ? ` Seen${n.count !== undefined && Number.isFinite(count) ? ` ${count} time(s)` : ''}${n.firstSeen ? ` since ${plain(n.firstSeen, 40)}` : ''}.`
      : '';
  const rule = `Rule ${plain(f.ruleId, 100)}`;
  const lead =
    n.kind === 'resolved'
      ? `${rule} is compliant again${n.resolvedReason ? ` (${plain(n.resolvedReason, 300)})` : ''}.${seen}`
      : `${rule}${f.aggregate ? `: ${Number(f.aggregate.count) || 0} event(s) between ${plain(f.aggregate.windowStart, 40)} and ${plain(f.aggregate.windowEnd, 40)}` : ''}.${seen}`;
  const resource = f.resource.name
    ? `${plain(f.resource.name, 300)} (${plain(f.resource.arn)})`
    : plain(f.resource.arn);
  const url = consoleUrl(f.resource.type, f.resource.arn, f.region);
  const controls = controlIds(f.controls.securityHub);
  return {
    headline,
    lead,
    fields: [
      ['Account', plain(f.account, 64)],
      ['Region', plain(f.region, 64)],
      ['Resource', resource],
      ['Actor', actor(f)],
      [
        f.action?.status === 'planned' && f.action.reason?.startsWith('dry-run')
          ? 'Would have done'
          : 'Action',
        action(f),
      ],
      ['Severity', f.severity],
    ],
    evidence: f.evidence.slice(0, 20).map((e) => plain(e.message, 1000)),
    ...(f.advice && n.kind !== 'resolved' ? { advice: plain(f.advice, 1000) } : {}),
    ...(url ? { consoleUrl: url } : {}),
    footer: `finding ${plain(f.findingId, 200)} · event ${plain(f.event.id, 200)} at ${plain(f.event.time, 40)}${controls.length ? ` · Security Hub ${plain(controls.join(', '), 200)}` : ''}`,
  };
}

/** The whole message as plain text (the email's text part, a Jira comment's fallback). */
export function factsAsText(m: MessageFacts): string {
  return [
    m.headline,
    '',
    m.lead,
    ...m.evidence.map((e) => `- ${e}`),
    '',
    ...m.fields.map(([k, v]) => `${k}: ${v}`),
    ...(m.advice ? ['', `Advice: ${m.advice}`] : []),
    ...(m.consoleUrl ? ['', `Open in AWS console: ${m.consoleUrl}`] : []),
    '',
    m.footer,
  ].join('\n');
}
