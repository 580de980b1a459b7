/**
 * Routing by team tag, as Slack routes (./slack/index.ts): the resource tag `teamTag` (default
 * `guardrail:team`) picks a route from the section's `teams`; a finding without the tag, or with a team
 * the policy does not list, takes the section's default route. A team route's `minSeverity` defaults to
 * the section's.
 */
import type { Finding, Severity } from '../../model/finding';
import type { ChannelSection } from './channel';
import { atLeast } from './channel';

export interface TeamRouted<R> extends ChannelSection {
  readonly teamTag: string;
  readonly teams: Readonly<Record<string, R>>;
}

/**
 * The route of a finding: `{team, route}` for a listed team, `{}` for the default; undefined when the
 * channel is off or the finding is below the route's minimum severity.
 */
export function teamRoute<R extends { readonly minSeverity?: Severity }>(
  finding: Finding,
  section: TeamRouted<R>,
): { team?: string; route?: R } | undefined {
  if (!section.enabled) return undefined;
  const team = finding.tags?.[section.teamTag];
  const route = team !== undefined && Object.hasOwn(section.teams, team) ? section.teams[team] : undefined;
  const min = route?.minSeverity ?? section.minSeverity;
  if (!atLeast(finding.severity, min)) return undefined;
  return route ? { team: team!, route } : {};
}

/** The ledger key of a channel's route: `<channel>:default` or `<channel>:team:<team>`. */
export function routeKey(channel: string, team: string | undefined): string {
  return `${channel}:${team === undefined ? 'default' : `team:${team}`}`;
}
