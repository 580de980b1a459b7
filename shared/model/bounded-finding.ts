/**
 * Bounded findings: whatever the input, a finding's JSON stays far below SNS's 256 KB message limit,
 * SQS's 256 KB and DynamoDB's 400 KB item limit, so a big finding is never refused and lost.
 *
 * - evidence: at most MAX_EVIDENCE entries; a longer list keeps its first MAX_EVIDENCE - 1 entries and
 *   ends with one entry saying how many more there were;
 * - every string that comes from the input (messages, paths, container and resource names, ARNs, tags,
 *   event fields, reasons) is cut at a fixed size in BYTES OF ITS JSON ENCODING (so multi-byte UTF-8
 *   and characters JSON escapes as `\u00XX` count for what they cost), ending with CUT_MARKER;
 * - tags: at most MAX_TAGS entries (AWS allows 50), the protect tag always kept, plus one entry counting
 *   the rest.
 * The result is at most MAX_FINDING_BYTES of JSON (test/unit/model/bounded-finding.test.ts proves it
 * over the worst case). `boundFinding` is idempotent, so every layer may apply it again.
 */
import { PROTECT_TAG } from './tags';
import type { Evidence, Finding } from './finding';

/** Appended to a string that was cut: visible in every channel, 8 bytes of JSON. */
export const CUT_MARKER = '…[cut]';
/** Evidence entries kept, the "… and N more" entry included. */
export const MAX_EVIDENCE = 25;
/** Tags kept besides the one counting the rest. */
export const MAX_TAGS = 50;

/** Limits in bytes of a string's JSON encoding, without its quotes. */
export const LIMITS = {
  message: 1024,
  path: 256,
  container: 256,
  resourceName: 512,
  arn: 2048,
  aggregateKey: 4096,
  /** Short identifiers: account, region, ids, rule ids, event names, times. */
  short: 256,
  text: 1024,
  tagKey: 128,
  tagValue: 256,
} as const;

/** The largest JSON a bounded finding can have (proven in the test over the worst case). */
export const MAX_FINDING_BYTES = 96 * 1024;

/** Bytes the JSON encoding of the code point at `i` takes (its quotes excluded). */
function jsonBytesAt(s: string, i: number): { bytes: number; units: number } {
  const cp = s.codePointAt(i)!;
  if (cp > 0xffff) return { bytes: 4, units: 2 };
  if (cp === 0x22 || cp === 0x5c) return { bytes: 2, units: 1 }; // \" and \\
  if (cp < 0x20)
    return { bytes: cp === 8 || cp === 9 || cp === 10 || cp === 12 || cp === 13 ? 2 : 6, units: 1 };
  if (cp < 0x80) return { bytes: 1, units: 1 };
  if (cp < 0x800) return { bytes: 2, units: 1 };
  if (cp >= 0xd800 && cp <= 0xdfff) return { bytes: 6, units: 1 }; // a lone surrogate: \udXXX
  return { bytes: 3, units: 1 };
}

/** Bytes of `JSON.stringify(s)` without its two quotes. */
export function jsonBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s)) - 2;
}

const MARKER_BYTES = jsonBytes(CUT_MARKER);
/** Characters JSON may encode in more than 3 bytes per UTF-16 unit (`\u00XX`, lone surrogates). */
// eslint-disable-next-line no-control-regex
const RISKY = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * `s` if its JSON encoding fits `maxBytes`, else its longest prefix (never half a surrogate pair) that
 * fits together with CUT_MARKER, followed by CUT_MARKER.
 */
export function cutToBytes(s: string, maxBytes: number): string {
  if (s.length * 6 <= maxBytes) return s; // no character costs more than 6 bytes of JSON
  // Without control characters and surrogates, no UTF-16 unit costs more than 3 bytes of JSON.
  if (s.length * 3 <= maxBytes && !RISKY.test(s)) return s;
  if (jsonBytes(s) <= maxBytes) return s;
  const budget = maxBytes - MARKER_BYTES;
  let used = 0;
  let i = 0;
  while (i < s.length) {
    const { bytes, units } = jsonBytesAt(s, i);
    if (used + bytes > budget) break;
    used += bytes;
    i += units;
  }
  return `${s.slice(0, i)}${CUT_MARKER}`;
}

const cutOpt = (s: string | undefined, max: number): string | undefined =>
  s === undefined ? undefined : cutToBytes(s, max);

function boundEvidence(e: Evidence): Evidence {
  return {
    path: cutToBytes(e.path, LIMITS.path),
    message: cutToBytes(e.message, LIMITS.message),
    ...(e.container !== undefined ? { container: cutToBytes(e.container, LIMITS.container) } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
  };
}

/** The entry that replaces evidence beyond the first `kept`: says how many there were in all. */
export function moreEvidence(kept: number, total: number): Evidence {
  const n = (x: number): string => x.toLocaleString('en-US');
  return { path: 'evidence', message: `… and ${n(total - kept)} more (${n(total)} in all)` };
}

function boundEvidenceList(list: readonly Evidence[]): Evidence[] {
  if (list.length <= MAX_EVIDENCE) return list.map(boundEvidence);
  const kept = MAX_EVIDENCE - 1;
  return [...list.slice(0, kept).map(boundEvidence), moreEvidence(kept, list.length)];
}

function boundTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(tags);
  const out: Record<string, string> = {};
  const put = ([k, v]: [string, string]): void => {
    out[cutToBytes(k, LIMITS.tagKey)] = cutToBytes(v, LIMITS.tagValue);
  };
  if (entries.length <= MAX_TAGS + 1) {
    entries.forEach(put);
    return out;
  }
  const protect = entries.find(([k]) => k === PROTECT_TAG);
  const kept = entries.filter(([k]) => k !== PROTECT_TAG).slice(0, protect ? MAX_TAGS - 1 : MAX_TAGS);
  if (protect) kept.push(protect);
  kept.forEach(put);
  out[CUT_MARKER] = `${entries.length - kept.length} more tags`;
  return out;
}

/** Whether `s` fits `maxBytes` of JSON (cheap for the short strings most are). */
function fits(s: string | undefined, maxBytes: number): boolean {
  if (s === undefined || s.length * 6 <= maxBytes) return true;
  if (s.length * 3 <= maxBytes && !RISKY.test(s)) return true;
  return jsonBytes(s) <= maxBytes;
}

/** True when boundFinding would change nothing (the common case: checked without allocating). */
function withinLimits(f: Finding): boolean {
  const { short, text, arn } = LIMITS;
  if (f.evidence.length > MAX_EVIDENCE) return false;
  for (const e of f.evidence)
    if (
      !fits(e.path, LIMITS.path) ||
      !fits(e.message, LIMITS.message) ||
      !fits(e.container, LIMITS.container)
    )
      return false;
  const ev = f.event;
  const a = ev.actor;
  if (
    !fits(f.findingId, short) ||
    !fits(f.ruleId, short) ||
    !fits(f.title, text) ||
    !fits(f.resource.type, short) ||
    !fits(f.resource.arn, arn) ||
    !fits(f.resource.name, LIMITS.resourceName) ||
    !fits(f.account, short) ||
    !fits(f.region, short) ||
    !fits(ev.id, short) ||
    !fits(ev.source, short) ||
    !fits(ev.detailType, short) ||
    !fits(ev.time, short) ||
    !fits(ev.eventName, short) ||
    !fits(a?.arn, arn) ||
    !fits(a?.type, short) ||
    !fits(a?.roleArn, arn) ||
    !fits(a?.invokedBy, short) ||
    !fits(f.advice, text)
  )
    return false;
  if (f.action && (!fits(f.action.name, short) || !fits(f.action.reason, text))) return false;
  const x = f.exemption;
  if (x && (!fits(x.reason, text) || !fits(x.until, short))) return false;
  if (
    x?.containers &&
    (x.containers.length > MAX_EVIDENCE || !x.containers.every((c) => fits(c, LIMITS.container)))
  )
    return false;
  const g = f.aggregate;
  if (g && (!fits(g.key, LIMITS.aggregateKey) || !fits(g.windowStart, short) || !fits(g.windowEnd, short)))
    return false;
  if (f.tags) {
    const entries = Object.entries(f.tags);
    if (entries.length > MAX_TAGS + 1) return false;
    for (const [k, v] of entries) if (!fits(k, LIMITS.tagKey) || !fits(v, LIMITS.tagValue)) return false;
  }
  return true;
}

/** `f` with every input-derived string and list within the limits above. Idempotent. */
export function boundFinding(f: Finding): Finding {
  if (withinLimits(f)) return f;
  return cutFinding(f);
}

function cutFinding(f: Finding): Finding {
  const { short, text, arn } = LIMITS;
  const actor = f.event.actor;
  return {
    ...f,
    findingId: cutToBytes(f.findingId, short),
    ruleId: cutToBytes(f.ruleId, short),
    title: cutToBytes(f.title, text),
    resource: {
      type: cutToBytes(f.resource.type, short),
      arn: cutToBytes(f.resource.arn, arn),
      ...(f.resource.name !== undefined ? { name: cutToBytes(f.resource.name, LIMITS.resourceName) } : {}),
    },
    account: cutToBytes(f.account, short),
    region: cutToBytes(f.region, short),
    evidence: boundEvidenceList(f.evidence),
    event: {
      ...f.event,
      id: cutToBytes(f.event.id, short),
      source: cutToBytes(f.event.source, short),
      detailType: cutToBytes(f.event.detailType, short),
      time: cutToBytes(f.event.time, short),
      ...(f.event.eventName !== undefined ? { eventName: cutToBytes(f.event.eventName, short) } : {}),
      ...(actor
        ? {
            actor: {
              ...(actor.arn !== undefined ? { arn: cutToBytes(actor.arn, arn) } : {}),
              ...(actor.type !== undefined ? { type: cutToBytes(actor.type, short) } : {}),
              ...(actor.roleArn !== undefined ? { roleArn: cutToBytes(actor.roleArn, arn) } : {}),
              ...(actor.invokedBy !== undefined ? { invokedBy: cutToBytes(actor.invokedBy, short) } : {}),
            },
          }
        : {}),
    },
    ...(f.action
      ? {
          action: {
            name: cutToBytes(f.action.name, short),
            status: f.action.status,
            ...(f.action.reason !== undefined ? { reason: cutToBytes(f.action.reason, text) } : {}),
          },
        }
      : {}),
    ...(f.exemption
      ? {
          exemption: {
            source: f.exemption.source,
            expired: f.exemption.expired,
            ...(f.exemption.reason !== undefined ? { reason: cutOpt(f.exemption.reason, text) } : {}),
            ...(f.exemption.until !== undefined ? { until: cutOpt(f.exemption.until, short) } : {}),
            ...(f.exemption.containers ? { containers: boundContainers(f.exemption.containers) } : {}),
          },
        }
      : {}),
    ...(f.aggregate
      ? {
          aggregate: {
            ...f.aggregate,
            key: cutToBytes(f.aggregate.key, LIMITS.aggregateKey),
            windowStart: cutToBytes(f.aggregate.windowStart, short),
            windowEnd: cutToBytes(f.aggregate.windowEnd, short),
          },
        }
      : {}),
    ...(f.advice !== undefined ? { advice: cutToBytes(f.advice, text) } : {}),
    ...(f.tags ? { tags: boundTags(f.tags) } : {}),
  };
}

/** Exempted container names: at most MAX_EVIDENCE, the last one counting the rest when cut. */
function boundContainers(list: readonly string[]): string[] {
  if (list.length <= MAX_EVIDENCE) return list.map((c) => cutToBytes(c, LIMITS.container));
  const kept = MAX_EVIDENCE - 1;
  return [
    ...list.slice(0, kept).map((c) => cutToBytes(c, LIMITS.container)),
    `${CUT_MARKER} ${list.length - kept} more`,
  ];
}

const TOTAL = /\((\d[\d,]*) in all\)$/;

/** How many evidence entries the finding stood for (the "… and N more" entry counts the cut ones). */
export function evidenceTotal(f: Finding): number {
  const last = f.evidence[f.evidence.length - 1];
  const m = last?.path === 'evidence' ? TOTAL.exec(last.message) : null;
  return m ? Number(m[1]!.replace(/,/g, '')) : f.evidence.length;
}

/**
 * The last resort when a store or channel still refuses a finding as too large: the first evidence
 * entry and a count of the rest (the finding is recorded and notified, never dropped).
 */
export function reducedFinding(f: Finding, why: string): Finding {
  const first = f.evidence[0];
  const omitted = evidenceTotal(f) - (first ? 1 : 0);
  return boundFinding({
    ...f,
    evidence: [
      ...(first ? [first] : []),
      {
        path: 'evidence',
        message: `${omitted.toLocaleString('en-US')} more evidence entries omitted: ${why}`,
      },
    ],
  });
}
