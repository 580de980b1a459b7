/**
 * A finding as a Slack incoming-webhook payload in Block Kit, within Slack's limits (50 blocks,
 * 3000 characters a section, 2000 a field, 150 a header). Every text that comes from a resource, an event
 * or the outbox message is made inert (`inert`): one line, no control characters, and when it holds
 * anything Slack would parse (`& < >`, `* _ ~ \``, `@`, `://`) it goes into an inline code span with
 * `& < >` escaped, so a task definition named `<!channel>` pings nobody, a tag cannot forge an
 * `*Action*:` line or a link, and a `>` cannot start a quote. mrkdwn objects are `verbatim` (no
 * auto-linking of URLs or channel names) and the payload asks Slack not to unfurl links.
 */
import { controlIds, type Finding, type Severity } from '../../../model/finding';
import { consoleUrl, isRegionName } from '../../console-url';

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
  readonly unfurl_links?: boolean;
  readonly unfurl_media?: boolean;
}

export const SLACK_LIMITS = { blocks: 50, section: 3000, field: 2000, header: 150, context: 2000 } as const;
const TRUNCATED = '…(truncated)';

export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** C0/C1 controls, bidi overrides and isolates, line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
/** What Slack's mrkdwn would act on: entities and links, formatting, mentions, bare URLs. */
const MARKUP = /[&<>*_~`@]|:\/\//;

/** One line: newlines shown as ↵, other control and bidi characters as U+FFFD. */
export function oneLine(s: string): string {
  return s.replace(/\r\n|[\n\r\u2028\u2029]/g, ' ↵ ').replace(CONTROL, '\uFFFD');
}

/**
 * Untrusted text as inert mrkdwn: as is when it holds nothing Slack would parse, else an inline code span
 * (Slack applies no formatting inside one) with backticks replaced by ˋ so it cannot be closed early.
 */
export function inert(s: string): string {
  const line = oneLine(s);
  if (!MARKUP.test(line)) return line;
  return `\`${slackEscape(line.replace(/`/g, 'ˋ'))}\``;
}

const ACCOUNT = /^\d{12}$/;

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
  const who = a?.arn ?? a?.roleArn ?? a?.invokedBy;
  return who ? inert(who) : 'n/a (ECS event)';
}

function actionText(f: Finding): string {
  if (!f.action) return f.mode === 'remediate' ? 'none' : `none (mode ${inert(f.mode)})`;
  const reason = f.action.reason ? `: ${f.action.reason}` : '';
  return inert(`${f.action.name} ${f.action.status}${reason}`);
}

/** A mrkdwn text object: verbatim, so Slack links no URL and no channel name by itself. */
function mrkdwn(text: string): Record<string, unknown> {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** A field: our label in bold, then a value already made inert. */
function field(label: string, value: string): Record<string, unknown> {
  return mrkdwn(truncate(`*${label}*\n${value}`, SLACK_LIMITS.field));
}

function seenText(ctx: MessageContext): string {
  const count = Number(ctx.count);
  const times = ctx.count !== undefined && Number.isFinite(count) ? ` ${count} time(s)` : '';
  const since = ctx.firstSeen ? ` since ${inert(ctx.firstSeen)}` : '';
  return times || since ? `\nSeen${times}${since}.` : '';
}

/** The account when it is an account id, else inert text. */
function accountText(account: string): string {
  return ACCOUNT.test(account) ? account : inert(account);
}

function regionText(region: string): string {
  return isRegionName(region) ? region : inert(region);
}

/** The interactive parts of a message (notifications.slack.interactivity, ./buttons.ts). */
export interface MessageOptions {
  /** The buttons block of opened and reminder messages (built by ./buttons.ts). */
  readonly buttons?: (f: Finding) => Record<string, unknown>;
}

export function slackMessage(
  f: Finding,
  kind: MessageKind = 'opened',
  ctx: MessageContext = {},
  options: MessageOptions = {},
): SlackPayload {
  const resolved = kind === 'resolved';
  const reminder = kind === 'reminder';
  const marker = resolved
    ? ':white_check_mark: Resolved:'
    : `${reminder ? ':bell: Still open: ' : ''}${MARKER[f.severity]} ${f.severity.toUpperCase()}`;
  // plain_text: Slack parses no markup there; controls and newlines are still taken out.
  const headerText = truncate(`${marker} ${slackEscape(oneLine(f.title))}`, SLACK_LIMITS.header);
  const resource = f.resource.name
    ? `${inert(f.resource.name)} (${inert(f.resource.arn)})`
    : inert(f.resource.arn);
  const evidence = f.evidence.map((e) => `• ${inert(e.message)}`).join('\n');
  const aggregate = f.aggregate
    ? `\n${inert(String(f.aggregate.count))} event(s) between ${inert(f.aggregate.windowStart)} and ${inert(f.aggregate.windowEnd)}`
    : '';
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: headerText, emoji: true } },
    {
      type: 'section',
      text: mrkdwn(
        truncate(
          `*${inert(f.ruleId)}*${resolved ? ` is compliant again${ctx.resolvedReason ? ` (${inert(ctx.resolvedReason)})` : ''}. It was:` : ''}\n${evidence}${aggregate}${reminder || resolved ? seenText(ctx) : ''}`,
          SLACK_LIMITS.section,
        ),
      ),
    },
    {
      type: 'section',
      fields: [
        field('Account', accountText(f.account)),
        field('Region', regionText(f.region)),
        field('Resource', resource),
        field('Actor', actorText(f)),
        field(
          f.action?.status === 'planned' && f.action.reason?.startsWith('dry-run')
            ? 'Would have done'
            : 'Action',
          actionText(f),
        ),
        field('Severity', inert(f.severity)),
      ],
    },
  ];
  if (f.advice && !resolved)
    blocks.push({
      type: 'section',
      text: mrkdwn(truncate(`*Advice:* ${inert(f.advice)}`, SLACK_LIMITS.section)),
    });
  // Only a URL built from a validated region and ARN partition; otherwise no button at all.
  const url = consoleUrl(f.resource.type, f.resource.arn, f.region);
  if (url)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in AWS console' }, url }],
    });
  if (options.buttons && !resolved) blocks.push(options.buttons(f));
  const securityHub = controlIds(f.controls.securityHub);
  const controls = securityHub.length ? ` · Security Hub ${inert(securityHub.join(', '))}` : '';
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        truncate(
          `finding ${inert(f.findingId)} · event ${inert(f.event.id)} at ${inert(f.event.time)}${controls}`,
          SLACK_LIMITS.context,
        ),
      ),
    ],
  });
  const text = truncate(
    `${resolved ? 'Resolved' : `${reminder ? 'Still open: ' : ''}${f.severity.toUpperCase()}`}: ${inert(f.title)} on ${resource} in ${accountText(f.account)}/${regionText(f.region)}`,
    SLACK_LIMITS.section,
  );
  return {
    text,
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
    // A URL in a finding never becomes a preview.
    unfurl_links: false,
    unfurl_media: false,
  };
}
