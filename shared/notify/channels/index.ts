/**
 * Every notification channel, in routing order (the order a notification's targets are reported in).
 * A new channel is one folder beside these (its `Channel`, ./channel.ts), its line here (in `Registered`
 * and `REGISTRY`: the name, its section and dependency types, the channel), and its
 * infrastructure (infra/iam.yml NotifierRole permissions, serverless.yml environment).
 */
import type { Channel, ChannelSection, Target } from './channel';
import { securityHubChannel, type SecurityHubDeps } from './securityhub';
import { slackChannel, type SlackDeps, type SlackSection } from './slack';
import { snsChannel, type SnsDeps } from './sns';

/** Each channel by its name: its policy section's type and its dependencies' type. */
interface Registered {
  readonly sns: { readonly section: ChannelSection; readonly deps: SnsDeps };
  readonly slack: { readonly section: SlackSection; readonly deps: SlackDeps };
  readonly securityHub: { readonly section: ChannelSection; readonly deps: SecurityHubDeps };
}

const REGISTRY: {
  readonly [N in keyof Registered]: Channel<Registered[N]['section'], Registered[N]['deps'], Target>;
} = {
  sns: snsChannel,
  slack: slackChannel,
  securityHub: securityHubChannel,
};

/** The policy's `notifications.<channel>` sections, defaults applied. */
export type ChannelSections = { readonly [N in keyof Registered]: Registered[N]['section'] };
/** The notifier's per-channel dependencies (clients, secrets, options), each optional. */
export type ChannelDeps = { readonly [N in keyof Registered]?: Registered[N]['deps'] };

/** The registry (types erased: the notifier and the policy loader loop over it). */
export const CHANNELS: readonly Channel<ChannelSection, unknown, Target>[] = Object.values(
  REGISTRY,
) as readonly Channel<ChannelSection, unknown, Target>[];

/** Every IAM action a channel needs (sorted, unique): what the notifier's role grants for delivery. */
export function channelIamPermissions(): string[] {
  return [...new Set(CHANNELS.flatMap((c) => c.iamPermissions))].sort();
}
