/**
 * The Exempt modal (views.open on the button's trigger_id): reason, expiry date and, for a task
 * definition finding with containers in its evidence, the container. Its submission is checked here
 * (reason 3-500 characters, a real date from tomorrow up to a year ahead, a container of the finding)
 * and answered with Slack's `response_action: errors` naming the field when wrong.
 */
import type { Finding } from '../model/finding';
import { isCalendarDate } from '../policy/exemptions';
import type { ViewSubmission } from './payload';

export const EXEMPT_CALLBACK_ID = 'guardrail:exempt';
export const MAX_EXEMPTION_DAYS = 365;
const DAY_MS = 86_400_000;
const ALL_CONTAINERS = '*';

/** What the modal carries through Slack (private_metadata): the finding, the message's response_url. */
export interface ExemptModalMetadata {
  readonly findingId: string;
  readonly responseUrl?: string;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function plain(text: string, max: number): { type: 'plain_text'; text: string } {
  // plain_text is never parsed by Slack; still one line and within the limit.
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return { type: 'plain_text', text: line.length > max ? `${line.slice(0, max - 1)}…` : line };
}

/** The containers a finding's evidence names (task definitions), in order, unique. */
export function containersOf(f: Finding): string[] {
  return [...new Set(f.evidence.flatMap((e) => (e.container ? [e.container] : [])))];
}

export function exemptModal(f: Finding, metadata: ExemptModalMetadata, now: Date): Record<string, unknown> {
  const containers = f.resource.type === 'AWS::ECS::TaskDefinition' ? containersOf(f).slice(0, 99) : [];
  const blocks: Record<string, unknown>[] = [
    {
      type: 'section',
      text: plain(`${f.ruleId} on ${f.resource.name ?? f.resource.arn}`, 3000),
    },
    {
      type: 'input',
      block_id: 'reason',
      label: plain('Reason', 2000),
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        min_length: 3,
        max_length: 500,
        placeholder: plain('e.g. SEC-123: accepted until the migration', 150),
      },
    },
    {
      type: 'input',
      block_id: 'until',
      label: plain('Exempt until (last day, UTC)', 2000),
      element: { type: 'datepicker', action_id: 'value', initial_date: day(now.getTime() + 30 * DAY_MS) },
    },
  ];
  if (containers.length)
    blocks.push({
      type: 'input',
      block_id: 'container',
      label: plain('Container', 2000),
      element: {
        type: 'static_select',
        action_id: 'value',
        initial_option: { text: plain('All containers', 75), value: ALL_CONTAINERS },
        options: [
          { text: plain('All containers', 75), value: ALL_CONTAINERS },
          ...containers.map((c) => ({ text: plain(c, 75), value: c.slice(0, 150) })),
        ],
      },
    });
  return {
    type: 'modal',
    callback_id: EXEMPT_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: plain('Exempt finding', 24),
    submit: plain('Exempt', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

export interface ExemptChoice {
  readonly reason: string;
  readonly until: string;
  readonly container?: string;
}

export type ExemptSubmission =
  | { readonly ok: true; readonly metadata: ExemptModalMetadata; readonly choice: ExemptChoice }
  | { readonly ok: false; readonly errors: Record<string, string> };

export function readExemptSubmission(view: ViewSubmission['view'], now: Date): ExemptSubmission {
  let metadata: ExemptModalMetadata | undefined;
  try {
    const m = JSON.parse(view.private_metadata ?? '') as Partial<ExemptModalMetadata>;
    if (typeof m.findingId === 'string' && /^[0-9a-f]{32}$/.test(m.findingId))
      metadata = {
        findingId: m.findingId,
        ...(typeof m.responseUrl === 'string' && /^https:\/\//.test(m.responseUrl)
          ? { responseUrl: m.responseUrl }
          : {}),
      };
  } catch {
    metadata = undefined;
  }
  const values = view.state.values;
  const reason = values.reason?.value?.value?.trim() ?? '';
  const until = values.until?.value?.selected_date ?? '';
  const container = values.container?.value?.selected_option?.value;
  const errors: Record<string, string> = {};
  if (!metadata) errors.reason = 'This form does not name a finding: open it again from the message.';
  if (reason.length < 3 || reason.length > 500) errors.reason = 'Give a reason of 3 to 500 characters.';
  const today = day(now.getTime());
  const latest = day(now.getTime() + MAX_EXEMPTION_DAYS * DAY_MS);
  if (!isCalendarDate(until) || until <= today || until > latest)
    errors.until = `Pick a date after today and at most ${MAX_EXEMPTION_DAYS} days ahead.`;
  if (Object.keys(errors).length || !metadata) return { ok: false, errors };
  return {
    ok: true,
    metadata,
    choice: { reason, until, ...(container && container !== ALL_CONTAINERS ? { container } : {}) },
  };
}
