/**
 * SNS: every finding at or above `notifications.sns.minSeverity` goes to the topic GUARDRAIL_TOPIC_ARN
 * (absent: no SNS). Publish of `snsMessage` (body = finding JSON, filterable attributes), one attempt per
 * publish: the SDK would retry a timed-out Publish blindly (SNS has no idempotency key); the outbox
 * retries it instead, after holding the claim (ledger.ts).
 */
import { snsSpec } from '../../../plugins/channels/sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { reducedFinding } from '../../../model/bounded-finding';
import { callBudgetMs, notifyClientConfig, NOTIFY_HTTP_TIMEOUTS } from '../../clients';
import type { Notification } from '../../types';
import { atLeast, defineChannel, type ChannelSection, type Outcome, type Target } from '../channel';
import { contextOf, failureFrom, notAttempted } from '../delivery';
import { isSnsMessageTooLong, snsMessage, TOO_LONG_FOR_SNS, type SnsMessage } from './message';

export interface SnsDeps {
  readonly topicArn: string;
  /** Created on first use when not given. */
  readonly client?: SNSClient;
}

/** The SDK client of the channel (one function, so a shared client factory can take it over). */
export function createSnsClient(): Promise<SNSClient> {
  return import('@aws-sdk/client-sns').then(
    (m) => new m.SNSClient(notifyClientConfig(NOTIFY_HTTP_TIMEOUTS, { maxAttempts: 1 })),
  );
}

/**
 * Publish the notification's finding. Should SNS refuse the message as too long (over 256 KB; findings
 * leave the engine far smaller), the reduced finding is published instead: never dropped for its size.
 */
export async function publishSns(client: SNSClient, topicArn: string, n: Notification): Promise<void> {
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  const send = (m: SnsMessage) => client.send(new PublishCommand({ TopicArn: topicArn, ...m }));
  try {
    await send(snsMessage(n.finding, n.kind, contextOf(n)));
  } catch (err) {
    if (!isSnsMessageTooLong(err)) throw err;
    await send(snsMessage(reducedFinding(n.finding, TOO_LONG_FOR_SNS), n.kind, contextOf(n)));
  }
}

const SNS_TARGET: Target = { key: 'sns', channel: 'sns' };

/** Publishes running at once. */
const CONCURRENCY = 10;

export const snsChannel = defineChannel<ChannelSection, SnsDeps, Target>({
  ...snsSpec,
  idempotent: false,
  targets: (finding, section, deps) =>
    deps?.topicArn && section.enabled && atLeast(finding.severity, section.minSeverity) ? [SNS_TARGET] : [],
  open(deps) {
    let client: Promise<SNSClient> | undefined = deps?.client ? Promise.resolve(deps.client) : undefined;
    return {
      async deliver(items, ctx) {
        if (!deps) {
          for (const i of items) await ctx.done(i, notAttempted(i.target.key, 'no SNS topic configured'));
          return;
        }
        client ??= createSnsClient();
        const c = await client;
        const deadline = ctx.deadline ?? Number.POSITIVE_INFINITY;
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < items.length) {
            const i = next++;
            const item = items[i]!;
            if (ctx.now() + callBudgetMs() > deadline) {
              await ctx.done(item, notAttempted(item.target.key, 'the invocation is about to time out'));
              continue;
            }
            let outcome: Outcome;
            try {
              await publishSns(c, deps.topicArn, item.n);
            } catch (err) {
              outcome = failureFrom(item.target.key, err);
            }
            await ctx.done(item, outcome);
          }
        };
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
      },
    };
  },
});
