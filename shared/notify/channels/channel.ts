/**
 * The one interface every notification channel implements (shared/notify/channels/<name>/index.ts),
 * registered by one line in ./index.ts, with its declaration (policy section, environment, IAM) in
 * shared/plugins/channels/<name>.ts, which the policy loader reads. The notifier and the docs read channels
 * only through this interface; the delivery guarantees (ledger claim before send, exactly once per target, deadlines,
 * Retry-After, holds, partial batch failures, DLQ) stay in the notifier and apply to every channel.
 */
import { SEVERITY_RANK, type Finding, type Severity } from '../../model/finding';
import type { ChannelSection, ChannelSpec } from '../../plugins/channel';
import type { DeliveryFailure, Notification } from '../types';

export type { ChannelEnvVar, ChannelSection, SectionInput } from '../../plugins/channel';

/** One delivery target: where one notification goes on one channel (Slack: per webhook route). */
export interface Target {
  /** Unique per notification: the delivery ledger's key, e.g. `sns`, `slack:team:payments`. */
  readonly key: string;
  /** The channel's name. */
  readonly channel: string;
}

/** What `deliver` gets besides the items. */
export interface DeliveryContext<T extends Target = Target> {
  /** Epoch ms: nothing new starts after it (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
  readonly now: () => number;
  /**
   * Report one item's outcome (undefined: delivered), exactly once per item, as soon as it is known: the
   * notifier completes, releases or holds the item's ledger claim there and then.
   */
  done(item: DeliveryItem<T>, outcome: Outcome): Promise<void>;
}

export interface DeliveryItem<T extends Target = Target> {
  readonly n: Notification;
  readonly target: T;
}

/** Undefined: delivered. */
export type Outcome = DeliveryFailure | undefined;

/** A channel opened for one notifier: its clients and caches, created lazily on first delivery. */
export interface ChannelSession<T extends Target = Target> {
  /** Delivers the items, reporting each through `ctx.done`; never throws for a delivery failure. */
  deliver(items: readonly DeliveryItem<T>[], ctx: DeliveryContext<T>): Promise<void>;
  /** Secrets this channel has read (webhook URLs): scrubbed from everything logged. */
  knownSecrets?(): readonly string[];
}

/** A channel: its declaration (shared/plugins/channels/<name>.ts, spread in) plus routing and delivery. */
export interface Channel<
  S extends ChannelSection = ChannelSection,
  D = unknown,
  T extends Target = Target,
> extends ChannelSpec<S> {
  /**
   * True when a delivery sent but not answered may be sent again safely (the service dedupes, e.g.
   * Security Hub by finding Id); false: the claim is held so it is not sent twice (ledger.ts).
   */
  readonly idempotent: boolean;
  /** Routing: the targets a finding goes to (severity minimum, team tag, ...); [] when none. */
  targets(finding: Finding, section: S, deps: D | undefined): T[];
  open(deps: D | undefined): ChannelSession<T>;
}

export const atLeast = (s: Severity, min: Severity): boolean => SEVERITY_RANK[s] >= SEVERITY_RANK[min];

/** Type-checks a channel against the interface (section, dependencies and target types inferred). */
export function defineChannel<S extends ChannelSection, D, T extends Target>(
  c: Channel<S, D, T>,
): Channel<S, D, T> {
  return c;
}
