/**
 * The CLI's streamed, bounded input reader on hostile inputs: broken lines anywhere, lines over the
 * cap, gzip bombs, FIFOs and devices, symbolic links (followed, loops and dangling ones reported),
 * input split at every possible chunk boundary.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS, readInputs, type InputItem, type InputLimits } from '../../../cli/inputs';
import { fixturePath, FORMATS_DIR } from '../../helpers/fixtures';
import { inputErrors, jsonLines, run } from './memory-io';

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function dirOf(files: Record<string, string | Buffer>): string {
  const dir = join(tmp, `d${++n}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const PRIVILEGED = fixturePath('cloudtrail-register-task-definition-privileged.json');
const SERVICE = fixturePath('cloudtrail-create-service-assign-public-ip.json');
const JSONL = join(FORMATS_DIR, 'events.jsonl');
const ARRAY = join(FORMATS_DIR, 'events-array.json');
const TRAIL = join(FORMATS_DIR, 'cloudtrail-log.json');
const compact = (file: string): string => JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
const rules = (stdout: string): string[] => [...new Set(jsonLines(stdout).map((f) => f.ruleId))].sort();

async function collect(
  paths: readonly string[],
  stdin: Buffer | AsyncIterable<Uint8Array | string> = Buffer.alloc(0),
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readInputs(paths, () => stdin, limits)) items.push(item);
  return items;
}

describe('JSON Lines: every bad line named, every good one evaluated, wherever the bad one sits', () => {
  const good = compact(PRIVILEGED);
  const other = compact(SERVICE);
  it.each([
    ['a broken (truncated) first line', [good.slice(0, 300), good, other], 1],
    ['a broken line in the middle', [good, '{"version": "0", "id": ', other], 2],
    ['a broken last line', [good, other, other.slice(0, 40)], 3],
    ['text that is not JSON first', ['hello, world', good, other], 1],
  ])('%s', async (_label, lines, badLine) => {
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: lines.join('\n') + '\n' });
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^guardrail: stdin:${badLine}: not valid JSON`)),
    ]);
    expect(r.stderr).toContain('over 2 event(s)');
    expect(rules(r.stdout)).toContain('td-privileged');
    expect(rules(r.stdout)).toContain('svc-public-ip');
    expect(r.stderr).not.toContain('AROA'); // never a value
  });

  it('a line over the 1 MiB cap is named and skipped, the lines after it evaluated', async () => {
    const huge = JSON.stringify({
      ...JSON.parse(good),
      padding: 'x'.repeat(DEFAULT_INPUT_LIMITS.maxEventChars),
    });
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: [good, huge, other].join('\n') });
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual(['guardrail: stdin:2: larger than the limit of 1 MiB per event']);
    expect(r.stderr).toContain('over 2 event(s)');
  });

  it('a document over the cap is named; a CloudTrail record over the cap too, the other records evaluated', async () => {
    const items = await collect(
      ['-'],
      Buffer.from(
        `{"Records": [${compact(TRAIL).slice(12, -2)}, {"pad": "${'y'.repeat(5000)}"}, {"eventID": 1}]}`,
      ),
      {
        ...DEFAULT_INPUT_LIMITS,
        maxEventChars: 4096,
      },
    );
    const errors = items.filter((i) => 'error' in i);
    expect(errors).toEqual([
      {
        label: expect.stringMatching(/^stdin:Records\[\d+\]$/),
        error: 'larger than the limit of 4,096 characters per event',
      },
    ]);
    expect(items.at(-1)).toEqual({
      label: expect.stringMatching(/^stdin:Records\[\d+\]$/),
      record: { eventID: 1 },
      form: 'CloudTrail record',
      prefix: 'detail',
    });
    expect(items.filter((i) => 'record' in i).length).toBeGreaterThan(2);
  });
});

describe('documents read as a stream', () => {
  it('a truncated pretty-printed array: the complete elements are evaluated, the cut is named once', async () => {
    const text = readFileSync(ARRAY, 'utf8');
    const cut = text.lastIndexOf('"detail-type"'); // inside the last element
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: text.slice(0, cut) });
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      expect.stringMatching(
        /^guardrail: stdin: not valid JSON \(unexpected end: truncated\? at line \d+ column \d+\)$/,
      ),
    ]);
    expect(r.stderr).toContain('over 2 event(s)');
  });

  it('concatenated pretty-printed documents (as jq prints them), each named by its first line', async () => {
    const a = readFileSync(PRIVILEGED, 'utf8');
    const b = readFileSync(SERVICE, 'utf8');
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: `${a}\n${b}\n{"no": "detail"}\n` });
    expect(r.code).toBe(2);
    const line = `${a}\n${b}\n`.split('\n').length; // where {"no": ...} starts
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: stdin:${line}: not an event: no form recognised (expected an EventBridge event, a CloudTrail record or log file, lookup-events output, a task definition, a create-service input, a CloudFormation template or a Terraform plan)`,
    ]);
    expect(rules(r.stdout)).toEqual(expect.arrayContaining(['td-privileged', 'svc-public-ip']));
  });

  it('the same items whatever the chunk boundaries (stdin delivered in random pieces)', async () => {
    const texts = [
      readFileSync(JSONL, 'utf8'),
      readFileSync(ARRAY, 'utf8'),
      compact(TRAIL),
      readFileSync(TRAIL, 'utf8').slice(0, 2000),
      `x\n${compact(SERVICE)}\n{"a":\n`,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...texts),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (text, cuts) => {
          const whole = await collect(['-'], Buffer.from(text));
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
          const pieces = [0, ...points, text.length]
            .slice(1)
            .map((end, i, ends) => text.slice(i === 0 ? 0 : ends[i - 1], end));
          const chunked = await collect(['-'], Readable.from(pieces.map((p) => Buffer.from(p))));
          expect(chunked).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('one byte at a time, a multi-byte character split across chunks decodes the same', async () => {
    const text = compact(SERVICE).replace('checkout-api', 'checkout-äpi-日本');
    const bytes = Buffer.from(text);
    const oneByOne = await collect(['-'], Readable.from(Array.from(bytes, (b) => Buffer.from([b]))));
    expect(oneByOne).toEqual(await collect(['-'], bytes));
  });
});

describe('gzip', () => {
  /** `[` and then only spaces: a valid start that never ends, so the inflation cap is what stops it. */
  function bomb(inflatedMiB: number): Buffer {
    const mib = Buffer.alloc(1 << 20, 0x20);
    const first = gzipSync(Buffer.concat([Buffer.from('['), mib.subarray(1)]));
    const next = gzipSync(mib);
    return Buffer.concat([first, ...Array.from({ length: inflatedMiB - 1 }, () => next)]);
  }

  it('a bomb over the cap fails clearly, naming the input and the cap', async () => {
    const gz = bomb(64);
    expect(gz.length).toBeLessThan(200_000);
    const items = await collect(['-'], gz, { ...DEFAULT_INPUT_LIMITS, maxInflatedBytes: 8 * 1024 * 1024 });
    expect(items).toEqual([
      { label: 'stdin', error: 'gzip inflates past the limit of 8 MiB: refused (a gzip bomb?)' },
    ]);
  });

  it('through the CLI with the default cap (256 MiB): exit 2, the file named, memory stays bounded', async () => {
    const file = join(dirOf({ 'bomb.json.gz': bomb(300) }), 'bomb.json.gz');
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const r = await run(['evaluate', file, SERVICE]);
    clearInterval(sampler);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${file}: gzip inflates past the limit of 256 MiB: refused (a gzip bomb?)`,
    ]);
    expect(r.stdout).toContain('svc-public-ip'); // the next input is still evaluated
    expect(peak - before).toBeLessThan(150 * 1024 * 1024); // reading it whole would take 300 MiB and more
  }, 30_000);

  it('a gzipped JSON Lines file with a broken first line is read line by line too', async () => {
    const dir = dirOf({ 'x.jsonl.gz': gzipSync(`{"broken\n${compact(PRIVILEGED)}\n`) });
    const r = await run(['evaluate', '--format', 'json', dir]);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${join(dir, 'x.jsonl.gz')}:1: not valid JSON (Unterminated string at line 1 column 9)`,
    ]);
    expect(rules(r.stdout)).toContain('td-privileged');
  });
});

describe('files that are not regular files are refused, never hung on', () => {
  it('a FIFO given as PATH and one inside a directory (nobody writes to them)', async () => {
    const dir = dirOf({});
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    copyFileSync(SERVICE, join(dir, 'service.json'));
    const r = await run(['evaluate', join(dir, 'pipe.json'), dir]);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${join(dir, 'pipe.json')}: not a regular file (a FIFO): refused`,
      `guardrail: ${join(dir, 'pipe.json')}: not a regular file (a FIFO): refused`,
    ]);
    expect(r.stdout).toContain('svc-public-ip');
  }, 10_000);

  it('/dev/zero (a character device) as PATH', async () => {
    const r = await run(['evaluate', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('guardrail: /dev/zero: not a regular file (a character device): refused');
  }, 10_000);

  it('an endless stream of zero bytes on stdin is refused at its first byte', async () => {
    const zeros = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(65536);
      })(),
    );
    const items = await collect(['-'], zeros);
    expect(items).toEqual([
      { label: 'stdin', error: 'not valid JSON (expected an object or an array at line 1 column 1)' },
    ]);
  }, 10_000);
});

describe('symbolic links inside a directory', () => {
  it('a linked file and a linked folder are followed', async () => {
    const outside = dirOf({ 'td.json': readFileSync(PRIVILEGED) });
    const dir = dirOf({});
    symlinkSync(SERVICE, join(dir, 'service.json'));
    symlinkSync(outside, join(dir, 'more'));
    const r = await run(['evaluate', '--format', 'json', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('over 2 event(s)');
    expect(rules(r.stdout)).toEqual(expect.arrayContaining(['td-privileged', 'svc-public-ip']));
  });

  it('a link back to an ancestor is reported, not followed forever; a self-link too', async () => {
    const dir = dirOf({ 'td.json': readFileSync(PRIVILEGED) });
    mkdirSync(join(dir, 'sub'));
    symlinkSync(dir, join(dir, 'sub', 'up'));
    symlinkSync(join(dir, 'self.json'), join(dir, 'self.json'));
    const r = await run(['evaluate', '--format', 'json', dir]);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${join(dir, 'self.json')}: symbolic link loop (ELOOP)`,
      `guardrail: ${join(dir, 'sub', 'up')}: symbolic link loop (links to a directory that contains it): not followed`,
    ]);
    expect(rules(r.stdout)).toContain('td-privileged');
  });

  it('a dangling link is reported, inside a directory and as PATH', async () => {
    const dir = dirOf({});
    symlinkSync(join(dir, 'gone.json'), join(dir, 'dangling.json'));
    const r = await run(['evaluate', dir, join(dir, 'dangling.json')]);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${join(dir, 'dangling.json')}: dangling symbolic link (ENOENT)`,
      `guardrail: ${join(dir, 'dangling.json')}: dangling symbolic link (ENOENT)`,
    ]);
  });
});

describe('exit codes and counts', () => {
  it('every refusal is counted: the summary counts one invalid input per message', async () => {
    const dir = dirOf({ 'a.jsonl': `{"x\n${compact(SERVICE)}\n[1,\n` });
    symlinkSync(join(dir, 'nope'), join(dir, 'b.json'));
    const r = await run(['evaluate', dir, '/dev/null']);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toHaveLength(4);
    expect(r.stdout).toContain('over 1 event(s)');
    expect(r.stdout).toContain('4 invalid input(s)');
  });
});
