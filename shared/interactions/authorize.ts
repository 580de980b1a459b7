/**
 * Who may press which button (notifications.slack.interactivity.workspaces, docs/slack-app.md): the
 * request's workspace must be listed, and the user must be on that workspace's list for the action,
 * directly (U..., W...) or through a user group (S..., read with usergroups.users.list and the bot token,
 * cached). Anything not listed is refused: an empty list allows nobody.
 */
import type { SlackAction, SlackInteractivity } from '../plugins/channels/slack';

export type Authorization = { readonly allowed: true } | { readonly allowed: false; readonly why: string };

/** The members of a Slack user group (ids). */
export type GroupMembers = (groupId: string) => Promise<readonly string[]>;

export async function authorize(
  interactivity: SlackInteractivity,
  team: string,
  user: string,
  action: SlackAction,
  members?: GroupMembers,
): Promise<Authorization> {
  if (!interactivity.enabled)
    return { allowed: false, why: 'Slack interactivity is not enabled in the policy' };
  const lists = Object.hasOwn(interactivity.workspaces, team) ? interactivity.workspaces[team] : undefined;
  if (!lists) return { allowed: false, why: `workspace ${team} is not allowed` };
  const allowList = lists[action];
  if (allowList.includes(user)) return { allowed: true };
  const groups = allowList.filter((id) => id.startsWith('S'));
  if (groups.length && members)
    for (const g of groups) {
      try {
        if ((await members(g)).includes(user)) return { allowed: true };
      } catch {
        // A group that cannot be read allows nobody (fail closed); the next group may still allow.
      }
    }
  return { allowed: false, why: `user ${user} is not allowed to ${action}` };
}

/** usergroups.users.list behind a per-container cache (default 5 minutes). */
export function cachedGroupMembers(
  read: GroupMembers,
  ttlMs = 300_000,
  now: () => number = Date.now,
): GroupMembers {
  const cache = new Map<string, { at: number; members: Promise<readonly string[]> }>();
  return (groupId) => {
    const hit = cache.get(groupId);
    if (hit && now() - hit.at < ttlMs) return hit.members;
    const members = read(groupId);
    cache.set(groupId, { at: now(), members });
    members.catch(() => cache.delete(groupId));
    return members;
  };
}
