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
import { slackMessage } from './message';
import { SsmSecretSource, type SecretSource } from './secrets';
import { postToSlack, type SlackWebhookOptions } from './webhook';

export type { SlackSection, SlackTeamRoute } from '../../../plugins/channels/slack';

export interface SlackDeps {
  /** Where webhook URLs are read (default: SSM SecureString parameters, cached 5 min). */
  readonly secrets?: SecretSource;
  /** Default webhook parameter when the policy names none (env GUARDRAIL_SLACK_WEBHOOK_PARAMETER). */
  readonly defaultWebhookParameter?: string;
  readonly post?: SlackWebhookOptions;
}

export interface SlackTarget extends Target {
  /** SSM parameter holding the webhook URL. */
  readonly webhookParameter: string;
  /** The team route (tag value), absent for the default webhook. */
  readonly team?: string;
}

export function slackTarget(webhookParameter: string, team?: string): SlackTarget {
  return {
    key: `slack:${team === undefined ? 'default' : `team:${team}`}`,
    channel: 'slack',
    webhookParameter,
    ...(team !== undefined ? { team } : {}),
  };
}

/** The Slack route of a finding: its team's webhook, else the default; undefined when none applies. */
export function slackRoute(
  finding: Finding,
  section: SlackSection,
  deps: SlackDeps | undefined,
): { target: SlackTarget; minSeverity: Severity } | undefined {
  const team = finding.tags?.[section.teamTag];
  const route = team !== undefined && Object.hasOwn(section.teams, team) ? section.teams[team] : undefined;
  if (route)
    return {
      target: slackTarget(route.webhookParameter, team),
      minSeverity: route.minSeverity ?? section.minSeverity,
    };
  const parameter = section.webhookParameter ?? deps?.defaultWebhookParameter;
  return parameter ? { target: slackTarget(parameter), minSeverity: section.minSeverity } : undefined;
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
      await postToSlack(url, slackMessage(item.n.finding, item.n.kind, contextOf(item.n)), {
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
    return slack && atLeast(finding.severity, slack.minSeverity) ? [slack.target] : [];
  },
  open(deps) {
    const secrets = deps?.secrets ?? new SsmSecretSource();
    return {
      knownSecrets: () => secrets.known(),
      async deliver(items, ctx) {
        const byWebhook = new Map<string, (typeof items)[number][]>();
        for (const i of items)
          byWebhook.set(i.target.webhookParameter, [...(byWebhook.get(i.target.webhookParameter) ?? []), i]);
        await Promise.all(
          [...byWebhook].map(async ([parameter, run]) => {
            const outcomes = await deliverSlackRun(
              parameter,
              run.map((i) => ({ n: i.n, target: i.target.key })),
              {
                secrets,
                ...(deps?.post ? { post: deps.post } : {}),
                ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
                now: ctx.now,
              },
            );
            for (let i = 0; i < run.length; i++) await ctx.done(run[i]!, outcomes[i]);
          }),
        );
      },
    };
  },
});
