/**
 * How the HTTP and SES channels deliver: the items of one destination (a webhook, an integration key, a
 * Jira project, a recipient list) one at a time, in order, destinations concurrently. As for Slack
 * (./slack/index.ts `deliverSlackRun`), a destination's run stops at the first item rate limited beyond
 * the inline wait (429), not answered in time (unconfirmed), or not fitting before the deadline: the rest
 * is handed back `attempted: false` (with the Retry-After when there is one), without being sent. So a
 * slow or hanging endpoint costs one request timeout per invocation, not one per message.
 */
import type { DeliveryContext, DeliveryItem, Target } from './channel';
import { failureFrom, notAttempted } from './delivery';
import type { DeliveryFailure } from '../types';

export interface RunOptions<T extends Target> {
  /** The destination of an item: items with the same one run in order, one at a time. */
  readonly destination: (t: T) => string;
  /** Sends one item (throws on failure). */
  readonly send: (item: DeliveryItem<T>) => Promise<void>;
  /** Secret values read so far: scrubbed from every failure message. */
  readonly secrets: () => readonly string[];
  /** Called with a failure nothing but a configuration change fixes (e.g. evict a cached secret). */
  readonly onRejected?: (item: DeliveryItem<T>, failure: DeliveryFailure) => void;
  /** Human name of the destination's service, for the "not attempted" reasons. */
  readonly service: string;
}

export async function deliverInRuns<T extends Target>(
  items: readonly DeliveryItem<T>[],
  ctx: DeliveryContext<T>,
  o: RunOptions<T>,
): Promise<void> {
  const runs = new Map<string, DeliveryItem<T>[]>();
  for (const i of items) {
    const d = o.destination(i.target);
    runs.set(d, [...(runs.get(d) ?? []), i]);
  }
  const deadline = ctx.deadline ?? Number.POSITIVE_INFINITY;
  await Promise.all(
    [...runs.values()].map(async (run) => {
      let stop: { why: string; retryAfterMs?: number } | undefined;
      for (const item of run) {
        if (!stop && ctx.now() >= deadline) stop = { why: 'the invocation is about to time out' };
        if (stop) {
          await ctx.done(item, notAttempted(item.target.key, stop.why, stop.retryAfterMs));
          continue;
        }
        let failure: DeliveryFailure | undefined;
        try {
          await o.send(item);
        } catch (err) {
          failure = failureFrom(item.target.key, err, o.secrets());
          if (failure.status === 429)
            stop = {
              why: `${o.service} rate limited this destination`,
              ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
            };
          else if (failure.unconfirmed) stop = { why: `${o.service} did not answer in time` };
          else if (failure.attempted === false) stop = { why: 'the invocation is about to time out' };
          if (!failure.retryable) o.onRejected?.(item, failure);
        }
        await ctx.done(item, failure);
      }
    }),
  );
}
