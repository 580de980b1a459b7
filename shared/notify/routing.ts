/**
 * Routing (policy `notifications:`): which delivery targets a notification goes to. Each channel routes
 * its own findings (its `targets`: severity minimum, Slack's team tag; shared/notify/channels/<name>/),
 * in registry order. Reminders and resolved messages route exactly like the opened message (same finding,
 * same tags).
 */
import type { Finding } from '../model/finding';
import { DEFAULT_NOTIFICATIONS_POLICY } from '../policy/document';
import type { NotificationsPolicy, Policy } from '../policy/types';
import { CHANNELS, type ChannelDeps } from './channels';
import type { Target } from './channels/channel';

export function notificationsPolicy(policy: Policy): NotificationsPolicy {
  return policy.notifications ?? DEFAULT_NOTIFICATIONS_POLICY;
}

/** The targets of a finding on every channel; `deps` holds each configured channel's dependencies. */
export function route(finding: Finding, np: NotificationsPolicy, deps: ChannelDeps): Target[] {
  const sections = np as unknown as Readonly<
    Record<string, Parameters<(typeof CHANNELS)[number]['targets']>[1]>
  >;
  const given = deps as Readonly<Record<string, unknown>>;
  return CHANNELS.flatMap((c) => c.targets(finding, sections[c.name] ?? c.defaults, given[c.name]));
}
