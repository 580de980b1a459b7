/**
 * The CLI input reader on broken text: truncated documents, JSON Lines, CloudTrail logs, gzip, random
 * bytes. Every input becomes items (a value or an error message); nothing throws; a broken document
 * is ONE bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readInputs, type InputItem } from '../../../cli/inputs';
import { apiThrottle } from '../engine/builders';
import { FORMATS_DIR } from '../../helpers/fixtures';
import { inputErrors, run } from '../cli/memory-io';
import { evaluateOrReject, SAMPLES } from './mutate';

const RUNS = Number(process.env.GUARDRAIL_FUZZ_RUNS ?? 300);
const FC = { timeout: 5_000, interruptAfterTimeLimit: 20_000 } as const;

interface Text {
  readonly name: string;
  readonly text: string;
  /** One document spread over several lines (pretty-printed): any cut is one bad input. */
  readonly multiLineDocument: boolean;
}

const formats = (name: string): string => readFileSync(join(FORMATS_DIR, name), 'utf8');
const TEXTS: readonly Text[] = [
  ...SAMPLES.filter((s) => s.text.length < 20_000).map((s) => ({
    name: s.name,
    text: s.text,
    multiLineDocument: true,
  })),
  ...SAMPLES.slice(0, 8).map((s) => ({
    name: `${s.name} (compact)`,
    text: JSON.stringify(s.value),
    multiLineDocument: false,
  })),
  { name: 'events-array.json', text: formats('events-array.json'), multiLineDocument: true },
  { name: 'events.jsonl', text: formats('events.jsonl'), multiLineDocument: false },
  { name: 'cloudtrail-log.json', text: formats('cloudtrail-log.json'), multiLineDocument: false },
];

async function readStdin(data: Buffer | string): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readInputs(['-'], () => (typeof data === 'string' ? Buffer.from(data) : data)))
    items.push(item);
  return items;
}

/** (`[]` and `{"Records": []}` are valid inputs with no event in them: zero items.) */
function checkItems(items: readonly InputItem[]): void {
  for (const item of items) {
    expect(item.label).toMatch(/^stdin/);
    if ('error' in item) {
      expect(typeof item.error).toBe('string');
      expect(item.error.length).toBeGreaterThan(0);
    }
  }
}

describe('truncated text', () => {
  it('every cut of every format: items or error messages, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TEXTS), fc.nat(), async (t, cut) => {
        const text = t.text.slice(0, cut % (t.text.length + 1));
        const items = await readStdin(text);
        checkItems(items);
        for (const item of items) if ('value' in item) await evaluateOrReject(item.value);
        const complete = text.trim() === t.text.trim();
        if (t.multiLineDocument && !complete) {
          // A broken document is one bad input, not one per line: the elements complete before the cut
          // (read as a stream) and then one error.
          expect(items.filter((i) => 'error' in i)).toHaveLength(1);
          expect('error' in items.at(-1)!).toBe(true);
          for (const item of items.slice(0, -1))
            expect(item.label).toMatch(/^stdin(\[\d+\]|:Records\[\d+\])$/);
        }
      }),
      { numRuns: RUNS, ...FC },
    );
  });

  it('a JSON Lines file cut anywhere keeps every complete line', async () => {
    const text = formats('events.jsonl');
    const lines = text.split('\n').filter(Boolean);
    for (let cut = 0; cut <= text.length; cut += 7) {
      const items = await readStdin(text.slice(0, cut));
      const complete = text
        .slice(0, cut)
        .split('\n')
        .filter((l, i) => l === lines[i]).length;
      expect(items.filter((i) => 'value' in i).length).toBeGreaterThanOrEqual(complete);
      expect(items.filter((i) => 'error' in i).length).toBeLessThanOrEqual(1);
    }
  });

  it('through main(): exit 0 or 2, one stderr message per bad input, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TEXTS), fc.nat(), fc.boolean(), async (t, cut, gzip) => {
        const text = t.text.slice(0, cut % (t.text.length + 1));
        const stdin = gzip ? gzipSync(text) : Buffer.from(text);
        const r = await run(['evaluate', '--format', 'json', '-'], { stdin });
        expect([0, 2]).toContain(r.code);
        const invalid = Number(/(\d+) invalid input\(s\)/.exec(r.stderr)?.[1] ?? 0);
        expect(inputErrors(r.stderr)).toHaveLength(invalid);
        expect(r.code).toBe(invalid ? 2 : 0);
      }),
      { numRuns: Math.ceil(RUNS / 2), ...FC },
    );
  });
});

describe('other broken bytes', () => {
  it('gzip cut anywhere: an error item, never an exception', async () => {
    const gz = gzipSync(formats('cloudtrail-log.json'));
    for (let cut = 0; cut < gz.length; cut += Math.max(1, Math.floor(gz.length / 60))) {
      const items = await readStdin(gz.subarray(0, cut));
      checkItems(items);
      if (cut > 2) expect(items).toEqual([{ label: 'stdin', error: expect.stringMatching(/^cannot read/) }]);
    }
  });

  it('random bytes and random text: items or errors, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
          fc
            .array(
              fc.oneof(
                fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
                fc.string(),
              ),
              { maxLength: 8 },
            )
            .map((lines) => Buffer.from(lines.join('\n'))),
          fc
            .constantFrom(
              '{',
              '[',
              '{}',
              '[]',
              '[[',
              '{"Records": 1}',
              '{"Records": [1, null, {}]}',
              '\ufeff{}',
            )
            .map((s) => Buffer.from(s)),
        ),
        async (bytes) => {
          const items = await readStdin(bytes);
          checkItems(items);
          for (const item of items) if ('value' in item) await evaluateOrReject(item.value);
        },
      ),
      { numRuns: RUNS, ...FC },
    );
  });

  it('10,000 records in one CloudTrail log file, some of them broken', async () => {
    const record = (apiThrottle('2026-03-02T08:00:00Z') as { detail: Record<string, unknown> }).detail;
    const records = Array.from({ length: 10_000 }, (_, i) =>
      i % 1000 === 999 ? { ...record, eventID: 42 } : { ...record, eventID: `record-${i}` },
    );
    const r = await run(['evaluate', '--format', 'json', '-'], {
      stdin: JSON.stringify({ Records: records }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('over 9990 event(s)');
    expect(inputErrors(r.stderr)).toHaveLength(10);
    expect(inputErrors(r.stderr)[0]).toBe(
      'guardrail: stdin:Records[999]: CloudTrail record: invalid: eventID: expected string, got number',
    );
    const findings = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { aggregate: { count: number } });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.aggregate.count).toBe(9990);
  }, 30_000);
});
