/**
 * Slack: incoming webhooks whose URLs are SSM SecureString parameters (./secrets.ts), never in the
 * policy or the environment. Routing: the resource tag `slack.teamTag` (default `guardrail:team`) picks
 * a team route from `slack.teams`; a finding without the tag, or with a team the policy does not list,
 * goes to the default webhook (`slack.webhookParameter`, else env GUARDRAIL_SLACK_WEBHOOK_PARAMETER). A
 * team route replaces the default and its `minSeverity` defaults to `slack.minSeverity`. No webhook
 * parameter at all: no Slack. Posts run one at a time per webhook (./webhook.ts, ./message.ts).
 */
import { slackSpec, type SlackSection } from '../../../plugins/channels/slack';
import { type Finding, type Severity } from '../../../model/finding';
import type { DeliveryFailure, Notification } from '../../types';
import { atLeast, defineChannel, type Outcome, type Target } from '../channel';
import { contextOf, failureFrom, notAttempted } from '../delivery';
import type { SlackInteractionStore } from '../../../store/slack-interactions';
import { SlackAppSecrets } from './app-secrets';
import { postWithBot } from './bot';
import { findingButtons } from './buttons';
import { slackMessage, type MessageOptions } from './message';
import { SsmSecretSource, type SecretSource } from './secrets';
import { SlackWebApi } from './web-api';
import { postToSlack, type SlackWebhookOptions } from './webhook';

export type { SlackSection, SlackTeamRoute } from '../../../plugins/channels/slack';

export interface SlackDeps {
  /** Where webhook URLs are read (default: SSM SecureString parameters, cached 5 min). */
  readonly secrets?: SecretSource;
  /** Default webhook parameter when the policy names none (env GUARDRAIL_SLACK_WEBHOOK_PARAMETER). */
  readonly defaultWebhookParameter?: string;
  readonly post?: SlackWebhookOptions;
  /** The bot token's reader (default: SSM / Secrets Manager, cached 5 min). */
  readonly appSecrets?: SlackAppSecrets;
  /** The Web API client (tests: a loopback base URL). */
  readonly api?: SlackWebApi;
  /** Where the bot's first messages are recorded (their threads); absent: no threads, no updates. */
  readonly messages?: SlackInteractionStore;
}

/** With the bot token: the token's parameter and the Slack channel id to post to. */
export interface SlackBotRoute {
  readonly tokenParameter: string;
  readonly channel: string;
}

export interface SlackTarget extends Target {
  /** SSM parameter holding the webhook URL (webhook delivery). */
  readonly webhookParameter?: string;
  /** Bot delivery (chat.postMessage), chosen over the webhook when the policy gives a token and channel. */
  readonly bot?: SlackBotRoute;
  /** The team route (tag value), absent for the default webhook. */
  readonly team?: string;
  /** Buttons on the message (notifications.slack.interactivity); Exempt only with the bot token. */
  readonly buttons?: { readonly exempt: boolean };
}

export function slackTarget(
  webhookParameter: string | undefined,
  team?: string,
  bot?: SlackBotRoute,
): SlackTarget {
  return {
    key: `slack:${team === undefined ? 'default' : `team:${team}`}`,
    channel: 'slack',
    ...(bot ? { bot } : webhookParameter ? { webhookParameter } : {}),
    ...(team !== undefined ? { team } : {}),
  };
}

/**
 * The Slack route of a finding: its team's, else the default; undefined when none applies. A route with a
 * channel id goes through the bot when the policy names a bot token, else through its webhook.
 */
export function slackRoute(
  finding: Finding,
  section: SlackSection,
  deps: SlackDeps | undefined,
): { target: SlackTarget; minSeverity: Severity } | undefined {
  const bot = (channel: string | undefined): SlackBotRoute | undefined =>
    section.botTokenParameter && channel ? { tokenParameter: section.botTokenParameter, channel } : undefined;
  const team = finding.tags?.[section.teamTag];
  const route = team !== undefined && Object.hasOwn(section.teams, team) ? section.teams[team] : undefined;
  if (route) {
    const viaBot = bot(route.channel);
    if (!viaBot && !route.webhookParameter) return undefined;
    return {
      target: slackTarget(route.webhookParameter, team, viaBot),
      minSeverity: route.minSeverity ?? section.minSeverity,
    };
  }
  const viaBot = bot(section.channel);
  const parameter = section.webhookParameter ?? deps?.defaultWebhookParameter;
  return viaBot || parameter
    ? { target: slackTarget(parameter, undefined, viaBot), minSeverity: section.minSeverity }
    : undefined;
}

/** The message options of a target: its buttons, when the section's interactivity is on. */
export function messageOptions(target: SlackTarget): MessageOptions {
  const buttons = target.buttons;
  return buttons ? { buttons: (f) => findingButtons(f, buttons) } : {};
}

export interface SlackItem {
  readonly n: Notification;
  readonly target: string;
}

export interface SlackDeliveryOptions {
  readonly secrets: SecretSource;
  readonly post?: SlackWebhookOptions;
  /** Epoch ms: nothing new starts after it (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
  readonly now?: () => number;
  readonly message?: MessageOptions;
}

/**
 * One webhook's items, in order, one at a time (Slack allows about one message a second per channel).
 * The run stops at the first item that Slack rate limits beyond the inline wait (429), that gets no
 * answer in time (unconfirmed), or that no longer fits before the deadline: the remaining items are
 * handed back `attempted: false` (with the Retry-After when there is one), without posting. So a slow or
 * hanging webhook costs one request timeout per invocation, not one per message, and the messages behind
 * it are returned to the queue untried instead of burning their receives.
 */
export async function deliverSlackRun(
  webhookParameter: string,
  items: readonly SlackItem[],
  opts: SlackDeliveryOptions,
): Promise<Outcome[]> {
  const now = opts.now ?? Date.now;
  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  const out: Outcome[] = [];
  let url: string;
  try {
    url = await opts.secrets.get(webhookParameter);
  } catch (err) {
    const f = (target: string): DeliveryFailure => failureFrom(target, err, opts.secrets.known());
    return items.map((i) => f(i.target));
  }
  let stop: { why: string; retryAfterMs?: number } | undefined;
  for (const item of items) {
    if (!stop && now() >= deadline) stop = { why: 'the invocation is about to time out' };
    if (stop) {
      out.push(notAttempted(item.target, stop.why, stop.retryAfterMs));
      continue;
    }
    try {
      await postToSlack(url, slackMessage(item.n.finding, item.n.kind, contextOf(item.n), opts.message), {
        ...opts.post,
        ...(opts.deadline !== undefined ? { deadline: opts.deadline, now } : {}),
      });
      out.push(undefined);
    } catch (err) {
      const f = failureFrom(item.target, err, [url, ...opts.secrets.known()]);
      out.push(f);
      if (f.status === 429)
        stop = {
          why: 'Slack rate limited this webhook',
          ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
        };
      else if (f.unconfirmed) stop = { why: 'this webhook did not answer in time' };
      else if (f.attempted === false) stop = { why: 'the invocation is about to time out' };
      // The webhook was revoked, its channel archived or the app removed: re-read SSM next time.
      if (!f.retryable && f.status !== undefined && f.status >= 400 && f.status < 500)
        opts.secrets.evict(webhookParameter);
    }
  }
  return out;
}

export const slackChannel = defineChannel<SlackSection, SlackDeps, SlackTarget>({
  ...slackSpec,
  idempotent: false,
  targets(finding, section, deps) {
    if (!section.enabled) return [];
    const slack = slackRoute(finding, section, deps);
    if (!slack || !atLeast(finding.severity, slack.minSeverity)) return [];
    return [
      section.interactivity.enabled
        ? { ...slack.target, buttons: { exempt: section.botTokenParameter !== undefined } }
        : slack.target,
    ];
  },
  open(deps) {
    const secrets = deps?.secrets ?? new SsmSecretSource();
    const appSecrets = deps?.appSecrets ?? new SlackAppSecrets();
    const api = deps?.api ?? new SlackWebApi({ timeoutMs: deps?.post?.timeoutMs ?? 10_000 });
    return {
      knownSecrets: () => [...secrets.known(), ...appSecrets.known()],
      async deliver(items, ctx) {
        const byWebhook = new Map<string, (typeof items)[number][]>();
        const byBot: (typeof items)[number][] = [];
        for (const i of items) {
          const parameter = i.target.webhookParameter;
          if (i.target.bot) byBot.push(i);
          else if (parameter) byWebhook.set(parameter, [...(byWebhook.get(parameter) ?? []), i]);
        }
        // Bot posts one at a time (Slack: about one message a second per channel), in order.
        const botRun = (async () => {
          for (const i of byBot) {
            const bot = i.target.bot!;
            if (ctx.deadline !== undefined && ctx.now() >= ctx.deadline) {
              await ctx.done(i, notAttempted(i.target.key, 'the invocation is about to time out'));
              continue;
            }
            try {
              const token = await appSecrets.get(bot.tokenParameter, 'bot token');
              await postWithBot(i.n, {
                api,
                token,
                channel: bot.channel,
                ...(deps?.messages ? { messages: deps.messages } : {}),
                options: messageOptions(i.target),
              });
              await ctx.done(i, undefined);
            } catch (err) {
              const f = failureFrom(i.target.key, err, appSecrets.known());
              if (!f.retryable && f.status !== 429) appSecrets.evict(bot.tokenParameter);
              await ctx.done(i, f);
            }
          }
        })();
        await Promise.all([
          botRun,
          ...[...byWebhook].map(async ([parameter, run]) => {
            const outcomes = await deliverSlackRun(
              parameter,
              run.map((i) => ({ n: i.n, target: i.target.key })),
              {
                secrets,
                ...(deps?.post ? { post: deps.post } : {}),
                ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
                now: ctx.now,
                message: messageOptions(run[0]!.target),
              },
            );
            for (let i = 0; i < run.length; i++) await ctx.done(run[i]!, outcomes[i]);
          }),
        ]);
      },
    };
  },
});
