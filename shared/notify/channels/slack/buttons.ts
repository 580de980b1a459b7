/**
 * The interactive part of a finding message (docs/slack-app.md): the buttons, and the line that replaces
 * them once someone acted. Every button carries the finding id as its value (32 hex characters) and an
 * action id `guardrail:<action>[:<arg>]`; the interactivity function reads nothing else from the message,
 * so a forged or edited message cannot point an approval at another finding's text.
 */
import { AWAITING_APPROVAL, type Finding } from '../../../model/finding';
import type { SlackAction } from '../../../plugins/channels/slack';
import { inert, oneLine, SLACK_LIMITS, truncate } from './message';

export const ACTION_ID_PREFIX = 'guardrail:';
export const SNOOZE_DAYS = [1, 7] as const;

/** What a button press asks for: the action and, for snooze, how many days. */
export interface ButtonPress {
  readonly action: SlackAction;
  readonly days?: number;
}

/** `guardrail:snooze:7` -> { action: 'snooze', days: 7 }; undefined for anything else. */
export function parseActionId(actionId: string): ButtonPress | undefined {
  const m = /^guardrail:(approve|snooze|exempt|acknowledge)(?::(\d{1,2}))?$/.exec(actionId);
  if (!m) return undefined;
  const action = m[1] as SlackAction;
  if (action === 'snooze') {
    const days = Number(m[2]);
    return (SNOOZE_DAYS as readonly number[]).includes(days) ? { action, days } : undefined;
  }
  return m[2] === undefined ? { action } : undefined;
}

/** Whether the finding's action waits for an approval (rule in approve mode, the remediator planned it). */
export function awaitsApproval(f: Finding): boolean {
  return (
    f.mode === 'approve' &&
    f.action?.status === 'planned' &&
    (f.action.reason ?? '').startsWith(AWAITING_APPROVAL)
  );
}

function button(
  text: string,
  actionId: string,
  value: string,
  style?: 'primary' | 'danger',
): Record<string, unknown> {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export interface ButtonOptions {
  /** Exempt opens a modal (views.open), which needs the bot token. */
  readonly exempt: boolean;
}

/** The actions block of an opened or reminder message. */
export function findingButtons(f: Finding, options: ButtonOptions): Record<string, unknown> {
  const id = f.findingId;
  const elements: Record<string, unknown>[] = [];
  if (awaitsApproval(f)) {
    elements.push({
      ...button('Approve fix', `${ACTION_ID_PREFIX}approve`, id, 'primary'),
      confirm: {
        title: { type: 'plain_text', text: 'Approve the fix?' },
        text: {
          type: 'mrkdwn',
          text: truncate(
            `The guardrail will ${inert(f.action?.name ?? 'act')} after checking AWS's live state again.`,
            300,
          ),
          verbatim: true,
        },
        confirm: { type: 'plain_text', text: 'Approve' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  }
  for (const days of SNOOZE_DAYS)
    elements.push(
      button(`Snooze ${days} day${days > 1 ? 's' : ''}`, `${ACTION_ID_PREFIX}snooze:${days}`, id),
    );
  if (options.exempt) elements.push(button('Exempt…', `${ACTION_ID_PREFIX}exempt`, id));
  elements.push(button('Acknowledge', `${ACTION_ID_PREFIX}acknowledge`, id));
  return { type: 'actions', block_id: 'guardrail:finding', elements };
}

/** The context line that records what someone did (replaces the buttons when the message is updated). */
export function outcomeBlock(text: string): Record<string, unknown> {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(oneLine(text), SLACK_LIMITS.context), verbatim: true }],
  };
}
