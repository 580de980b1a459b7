/**
 * Delivery with the bot token (notifications.slack.botTokenParameter and a channel): an opened message is
 * posted with chat.postMessage and its (channel, ts) kept in the state table; a reminder and the
 * resolution are posted in that message's thread, and on resolution the first message is updated
 * (chat.update) to say it resolved, its buttons gone. Without a recorded first message (posted before the
 * bot was set up, or its record expired) a reminder or resolution is posted as a new message.
 */
import type { Finding } from '../../../model/finding';
import type { SlackInteractionStore } from '../../../store/slack-interactions';
import type { Notification } from '../../types';
import { contextOf } from '../delivery';
import { outcomeBlock } from './buttons';
import { slackMessage, type MessageOptions, type SlackPayload } from './message';
import type { SlackWebApi } from './web-api';

export interface BotPostDeps {
  readonly api: SlackWebApi;
  readonly token: string;
  readonly channel: string;
  /** Where first messages are recorded (absent: no threads, no updates). */
  readonly messages?: SlackInteractionStore;
  readonly options: MessageOptions;
}

/** The first message as it reads once its finding resolved: the opened message, buttons replaced. */
export function resolvedUpdate(f: Finding, reason: string | undefined): SlackPayload {
  const opened = slackMessage(f, 'opened');
  return {
    ...opened,
    text: `Resolved: ${opened.text}`,
    blocks: [
      ...opened.blocks.filter((b) => b.type !== 'actions' || b.block_id !== 'guardrail:finding'),
      outcomeBlock(`:white_check_mark: Resolved${reason ? `: ${reason}` : ''}`),
    ],
  };
}

export async function postWithBot(n: Notification, deps: BotPostDeps): Promise<void> {
  const { api, token, channel, messages } = deps;
  const f = n.finding;
  const payload = slackMessage(f, n.kind, contextOf(n), deps.options);
  if (n.kind === 'opened') {
    const answer = await api.call('chat.postMessage', token, { channel, ...payload });
    const ts = typeof answer.ts === 'string' ? answer.ts : undefined;
    const posted = typeof answer.channel === 'string' ? answer.channel : channel;
    if (ts && messages) await messages.saveMessage(f.findingId, { channel: posted, ts });
    return;
  }
  const first = messages ? await messages.getMessage(f.findingId) : undefined;
  await api.call('chat.postMessage', token, {
    channel: first?.channel ?? channel,
    ...payload,
    ...(first ? { thread_ts: first.ts } : {}),
  });
  if (n.kind === 'resolved' && first)
    await api.call('chat.update', token, {
      channel: first.channel,
      ts: first.ts,
      ...resolvedUpdate(f, n.resolvedReason),
    });
}
