/**
 * A finding as a Slack incoming-webhook payload in Block Kit, within Slack's limits (50 blocks,
 * 3000 characters a section, 2000 a field, 150 a header) and with `&`, `<`, `>` escaped in every text
 * that comes from a resource or an event, so a task definition named `<!channel>` pings nobody.
 */
import type { Finding, Severity } from '../model/finding';
import { consoleUrl } from './console-url';

/** What a notification says about its finding: it opened, it is still open (reminder), it resolved. */
export type MessageKind = 'opened' | 'resolved' | 'reminder';

/** Lifecycle facts a reminder or resolved message can show (from the finding store). */
export interface MessageContext {
  readonly firstSeen?: string;
  readonly count?: number;
  /** Why a resolved finding resolved (e.g. "remediation succeeded", "sweep: the resource is now compliant"). */
  readonly resolvedReason?: string;
}

export interface SlackPayload {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

export const SLACK_LIMITS = { blocks: 50, section: 3000, field: 2000, header: 150, context: 2000 } as const;
const TRUNCATED = '…(truncated)';

export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Truncate to `max` characters with a marker (never cutting an escape sequence in half). */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - TRUNCATED.length);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}${TRUNCATED}`;
}

const MARKER: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

function actorText(f: Finding): string {
  const a = f.event.actor;
  return a?.arn ?? a?.roleArn ?? a?.invokedBy ?? 'n/a (ECS event)';
}

function actionText(f: Finding): string {
  if (!f.action) return f.mode === 'remediate' ? 'none' : `none (mode ${f.mode})`;
  const reason = f.action.reason ? `: ${f.action.reason}` : '';
  return `${f.action.name} ${f.action.status}${reason}`;
}

function field(label: string, value: string): Record<string, unknown> {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${slackEscape(value)}`, SLACK_LIMITS.field) };
}

function seenText(ctx: MessageContext): string {
  const times = ctx.count !== undefined ? ` ${ctx.count} time(s)` : '';
  const since = ctx.firstSeen ? ` since ${ctx.firstSeen}` : '';
  return times || since ? `\nSeen${times}${since}.` : '';
}

export function slackMessage(
  f: Finding,
  kind: MessageKind = 'opened',
  ctx: MessageContext = {},
): SlackPayload {
  const resolved = kind === 'resolved';
  const reminder = kind === 'reminder';
  const marker = resolved
    ? ':white_check_mark: Resolved:'
    : `${reminder ? ':bell: Still open: ' : ''}${MARKER[f.severity]} ${f.severity.toUpperCase()}`;
  const headerText = truncate(`${marker} ${slackEscape(f.title)}`, SLACK_LIMITS.header);
  const resource = f.resource.name ? `${f.resource.name} (${f.resource.arn})` : f.resource.arn;
  const evidence = f.evidence.map((e) => `• ${slackEscape(e.message)}`).join('\n');
  const aggregate = f.aggregate
    ? `\n${f.aggregate.count} event(s) between ${f.aggregate.windowStart} and ${f.aggregate.windowEnd}`
    : '';
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: headerText, emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `*${slackEscape(f.ruleId)}*${resolved ? ` is compliant again${ctx.resolvedReason ? ` (${slackEscape(ctx.resolvedReason)})` : ''}. It was:` : ''}\n${evidence}${slackEscape(aggregate)}${slackEscape(reminder || resolved ? seenText(ctx) : '')}`,
          SLACK_LIMITS.section,
        ),
      },
    },
    {
      type: 'section',
      fields: [
        field('Account', f.account),
        field('Region', f.region),
        field('Resource', resource),
        field('Actor', actorText(f)),
        field(
          f.action?.status === 'planned' && f.action.reason?.startsWith('dry-run')
            ? 'Would have done'
            : 'Action',
          actionText(f),
        ),
        field('Severity', f.severity),
      ],
    },
  ];
  if (f.advice && !resolved)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`*Advice:* ${slackEscape(f.advice)}`, SLACK_LIMITS.section) },
    });
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open in AWS console' },
        url: consoleUrl(f.resource.type, f.resource.arn, f.region),
      },
    ],
  });
  const controls = f.controls.securityHub ? ` · Security Hub ${f.controls.securityHub}` : '';
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(
          `finding ${f.findingId} · event ${slackEscape(f.event.id)} at ${slackEscape(f.event.time)}${controls}`,
          SLACK_LIMITS.context,
        ),
      },
    ],
  });
  const text = truncate(
    `${resolved ? 'Resolved' : `${reminder ? 'Still open: ' : ''}${f.severity.toUpperCase()}`}: ${slackEscape(f.title)} on ${slackEscape(resource)} in ${f.account}/${f.region}`,
    SLACK_LIMITS.section,
  );
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
