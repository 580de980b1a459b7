/**
 * Exemptions: the `guardrail:exempt` resource tag and the policy's list.
 * Tag format (docs/policy.md): `td-root-user@log_router;until=2027-01-31;reason=SEC-123`, entries separated
 * by spaces: a rule id, optionally one container, optionally an expiry date (inclusive) and a reason.
 */
import type { Evidence, Exemption } from '../model/finding';
import { globMatches } from '../base/glob';
import { EXEMPT_TAG } from '../model/tags';
import type { PolicyExemption } from './types';

export { EXEMPT_TAG, PROTECT_TAG } from '../model/tags';

export interface ExemptionEntry {
  readonly rule: string;
  readonly container?: string;
  readonly until?: string;
  readonly reason?: string;
  readonly source: 'tag' | 'policy';
}

/** Parse the tag value; malformed entries are skipped (a bad tag must not break evaluation). */
export function parseExemptTag(value: string): ExemptionEntry[] {
  const out: ExemptionEntry[] = [];
  for (const token of value.trim().split(/\s+/)) {
    if (!token) continue;
    const [head = '', ...attrs] = token.split(';');
    const [rule = '', container] = head.split('@');
    if (!/^[a-z][a-z0-9-]*$/.test(rule) && rule !== '*') continue;
    let until: string | undefined;
    let reason: string | undefined;
    let malformed = false;
    for (const a of attrs) {
      const eq = a.indexOf('=');
      const k = eq === -1 ? a : a.slice(0, eq);
      const val = eq === -1 ? '' : a.slice(eq + 1);
      // A bad expiry must not turn a temporary exemption into a permanent one: skip the entry.
      if (k === 'until') {
        if (isCalendarDate(val)) until = val;
        else malformed = true;
      } else if (k === 'reason' && val) reason = val;
    }
    if (malformed) continue;
    out.push({
      rule,
      source: 'tag',
      ...(container ? { container } : {}),
      ...(until ? { until } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  return out;
}

/** `YYYY-MM-DD` naming a real day (`2027-02-30` matches the pattern but would never expire). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** The exemption holds through the whole `until` day (UTC). */
export function isExpired(until: string | undefined, now: Date): boolean {
  if (!until) return false;
  return now.getTime() >= Date.parse(`${until}T00:00:00Z`) + 86_400_000;
}

function arnMatches(glob: string, arn: string): boolean {
  return globMatches(glob, arn, { ignoreCase: true });
}

export function applicableExemptions(
  ruleId: string,
  arn: string,
  tags: Readonly<Record<string, string>> | undefined,
  policyList: readonly PolicyExemption[],
): ExemptionEntry[] {
  const out: ExemptionEntry[] = [];
  const tag = tags?.[EXEMPT_TAG];
  if (tag) for (const e of parseExemptTag(tag)) if (e.rule === ruleId || e.rule === '*') out.push(e);
  for (const p of policyList)
    if ((p.rule === ruleId || p.rule === '*') && arnMatches(p.arn, arn)) out.push({ ...p, source: 'policy' });
  return out;
}

export interface ExemptionOutcome {
  /** Evidence left after container-scoped exemptions. */
  readonly evidence: readonly Evidence[];
  /** Set when the whole finding is exempted, or when the exemption that would apply has expired. */
  readonly exemption?: Exemption;
}

export function applyExemptions(
  evidence: readonly Evidence[],
  entries: readonly ExemptionEntry[],
  now: Date,
): ExemptionOutcome {
  if (entries.length === 0) return { evidence };
  let remaining = evidence;
  let expired: ExemptionEntry | undefined;
  const exemptedContainers: string[] = [];
  for (const e of entries) {
    if (isExpired(e.until, now)) {
      expired ??= e;
      continue;
    }
    if (!e.container) {
      return { evidence, exemption: toExemption(e, false) };
    }
    const before = remaining.length;
    remaining = remaining.filter((ev) => ev.container !== e.container);
    if (remaining.length !== before) exemptedContainers.push(e.container);
  }
  const active = entries.find((e) => e.container && !isExpired(e.until, now));
  if (remaining.length === 0 && active)
    return { evidence, exemption: { ...toExemption(active, false), containers: exemptedContainers } };
  if (expired && remaining.length) return { evidence: remaining, exemption: toExemption(expired, true) };
  return { evidence: remaining };
}

function toExemption(e: ExemptionEntry, expired: boolean): Exemption {
  return {
    source: e.source,
    expired,
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.until ? { until: e.until } : {}),
    ...(e.container ? { containers: [e.container] } : {}),
  };
}
