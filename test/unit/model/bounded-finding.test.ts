/**
 * Bounded findings (issue 15): whatever the input, a finding's JSON is at most MAX_FINDING_BYTES, far
 * under SNS's and SQS's 256 KB and DynamoDB's 400 KB. Proven over the worst case: every input-derived
 * field at its limit, built from each kind of character (1-byte ASCII, 2-byte JSON escapes, 2-, 3- and
 * 4-byte UTF-8, 6-byte `\u00XX` escapes and lone surrogates), with 10,000 evidence entries and 1,000 tags.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundFinding,
  CUT_MARKER,
  cutToBytes,
  evidenceTotal,
  jsonBytes,
  LIMITS,
  MAX_EVIDENCE,
  MAX_FINDING_BYTES,
  MAX_TAGS,
  reducedFinding,
} from '../../../shared/model/bounded-finding';
import type { Finding } from '../../../shared/model/finding';
import { encodeNotification } from '../../../shared/notify/outbox';
import { snsMessage } from '../../../shared/notify/channels/sns/message';
import { RULES } from '../../../shared/rules/registry';

const SNS_LIMIT = 256 * 1024;
const DYNAMODB_ITEM_LIMIT = 400 * 1024;

/** Characters by the bytes their JSON encoding costs. */
const CHARS: Record<string, string> = {
  ascii: 'x',
  quote: '"',
  twoByte: 'é',
  threeByte: '€',
  fourByte: '😀',
  control: '\u0001',
  loneSurrogate: '\ud800',
};

/** Long enough to exceed every limit many times over. */
const huge = (ch: string): string => ch.repeat(20_000);

/** The largest controls of any rule (rule metadata is not input, but it is part of the JSON). */
const biggestControls = [...RULES].sort(
  (a, b) => JSON.stringify(b.controls).length - JSON.stringify(a.controls).length,
)[0]!.controls;

function worstCase(ch: string): Finding {
  const s = huge(ch);
  return {
    findingId: s,
    ruleId: s,
    severity: 'critical',
    title: s,
    resource: { type: s, arn: s, name: s },
    account: s,
    region: s,
    evidence: Array.from({ length: 10_000 }, () => ({ path: s, message: s, container: s })),
    event: {
      id: s,
      source: s,
      detailType: s,
      time: s,
      eventName: s,
      actor: { arn: s, type: s, roleArn: s, invokedBy: s },
    },
    controls: biggestControls,
    mode: 'remediate',
    action: { name: s, status: 'skipped', reason: s },
    exemption: {
      source: 'tag',
      reason: s,
      until: s,
      expired: true,
      containers: Array.from({ length: 1_000 }, () => s),
    },
    aggregate: { key: s, windowStart: s, windowEnd: s, count: Number.MAX_SAFE_INTEGER, crossed: true },
    advice: s,
    tags: Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`${i}${s}`, s])),
  };
}

describe('bounded findings', () => {
  it('the worst case of every character class stays within MAX_FINDING_BYTES, SNS, SQS and DynamoDB', () => {
    const sizes: Record<string, number> = {};
    for (const [name, ch] of Object.entries(CHARS)) {
      const f = boundFinding(worstCase(ch));
      const bytes = Buffer.byteLength(JSON.stringify(f));
      sizes[name] = bytes;
      expect(bytes, name).toBeLessThanOrEqual(MAX_FINDING_BYTES);
      expect(f.evidence).toHaveLength(MAX_EVIDENCE);
      expect(f.evidence[MAX_EVIDENCE - 1]!.message).toBe('… and 9,976 more (10,000 in all)');
      expect(Object.keys(f.tags!)).toHaveLength(MAX_TAGS + 1);
      // The channels that carry the whole finding: the SNS body with its lifecycle, the outbox body.
      const sns = snsMessage(f, 'reminder', {
        firstSeen: '2026-01-01T00:00:00.000Z',
        count: Number.MAX_SAFE_INTEGER,
        resolvedReason: huge(ch).slice(0, 1000),
      });
      expect(Buffer.byteLength(sns.Message), name).toBeLessThan(SNS_LIMIT - 8 * 1024);
      const sqs = encodeNotification(f, { kind: 'opened', dedupeKey: 'k' });
      expect(Buffer.byteLength(sqs.MessageBody), name).toBeLessThan(SNS_LIMIT - 8 * 1024);
      // The finding item stores the JSON once, plus a few short attributes (resourceArn up to 2 KB ARN).
      expect(bytes + 16 * 1024, name).toBeLessThan(DYNAMODB_ITEM_LIMIT);
    }
    // The bound is tight enough to mean something: the worst class gets near it.
    expect(Math.max(...Object.values(sizes))).toBeGreaterThan(MAX_FINDING_BYTES * 0.6);
    console.info(`worst-case bounded finding JSON bytes by character class: ${JSON.stringify(sizes)}`);
  }, 60_000);

  it('cutToBytes: never more than the limit, a prefix of the input, the marker exactly when cut, no half pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 600 }),
        fc.integer({ min: 16, max: 400 }),
        (s, max) => {
          const out = cutToBytes(s, max);
          expect(jsonBytes(out)).toBeLessThanOrEqual(max);
          if (jsonBytes(s) <= max) expect(out).toBe(s);
          else {
            expect(out.endsWith(CUT_MARKER)).toBe(true);
            const kept = out.slice(0, -CUT_MARKER.length);
            expect(s.startsWith(kept)).toBe(true);
            // A surrogate pair is never split: the kept part does not end in a high surrogate.
            expect(/[\ud800-\udbff]$/.test(kept) && /^[\udc00-\udfff]/.test(s.slice(kept.length))).toBe(
              false,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a string at its limit is kept whole; one byte more is cut to the limit with the marker', () => {
    const atLimit = 'é'.repeat(LIMITS.message / 2);
    expect(cutToBytes(atLimit, LIMITS.message)).toBe(atLimit);
    const over = `${atLimit}x`;
    const cut = cutToBytes(over, LIMITS.message);
    expect(cut.endsWith(CUT_MARKER)).toBe(true);
    expect(jsonBytes(cut)).toBeLessThanOrEqual(LIMITS.message);
    expect(jsonBytes(cut)).toBeGreaterThan(LIMITS.message - 4);
  });

  it('is idempotent, and leaves a finding within the limits unchanged', () => {
    for (const ch of Object.values(CHARS)) {
      const once = boundFinding(worstCase(ch));
      expect(boundFinding(once)).toEqual(once);
    }
    const small: Finding = {
      ...worstCase('x'),
      evidence: [{ path: 'p', message: 'm', container: 'c' }],
      tags: { 'guardrail:protect': 'true' },
      exemption: undefined,
    };
    const { exemption: _e, ...plain } = small;
    expect(boundFinding({ ...plain, ...boundFinding(plain) })).toEqual(boundFinding(plain));
    const exact = boundFinding(plain);
    expect(boundFinding(exact)).toEqual(exact);
  }, 60_000); // builds seven worst cases of 10,000 entries and 1,000 tags: slow on a loaded machine

  it('exactly MAX_EVIDENCE entries are all kept; one more keeps MAX_EVIDENCE - 1 and counts the rest', () => {
    const base = boundFinding(worstCase('x'));
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `p${i}`, message: `m${i}` }));
    expect(boundFinding({ ...base, evidence: entries(MAX_EVIDENCE) }).evidence).toEqual(
      entries(MAX_EVIDENCE),
    );
    const over = boundFinding({ ...base, evidence: entries(MAX_EVIDENCE + 1) });
    expect(over.evidence).toHaveLength(MAX_EVIDENCE);
    expect(over.evidence[MAX_EVIDENCE - 1]).toEqual({
      path: 'evidence',
      message: '… and 2 more (26 in all)',
    });
    expect(evidenceTotal(over)).toBe(MAX_EVIDENCE + 1);
  });

  it('the protect tag survives the tag cap (remediation reads it from the finding)', () => {
    const tags = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`t${i}`, 'v']));
    const f = boundFinding({ ...worstCase('x'), tags: { ...tags, 'guardrail:protect': 'true' } });
    expect(f.tags!['guardrail:protect']).toBe('true');
    expect(f.tags![CUT_MARKER]).toBe('151 more tags');
  });

  it('reducedFinding: the first entry and the count of all the others, tags kept', () => {
    const f = boundFinding(worstCase('x'));
    const r = reducedFinding(f, 'the item was too large for DynamoDB');
    expect(r.evidence).toEqual([
      f.evidence[0],
      {
        path: 'evidence',
        message: '9,999 more evidence entries omitted: the item was too large for DynamoDB',
      },
    ]);
    expect(r.tags).toEqual(f.tags);
    expect(r.severity).toBe('critical');
  });
});
