/**
 * The backfill module's pure parts: the request and window checks, the streaming reader of one CloudTrail
 * log object, and the totals. The batch against S3 and the live pipeline: test/integration/backfill.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { recordsOfObject, type ObjectItem } from '../../../shared/backfill/cloudtrail-object';
import { evaluateBatch, parseBatchInput } from '../../../shared/backfill/batch';
import { addSummaries, emptySummary, MAX_REASONS, type BatchSummary } from '../../../shared/backfill/summary';
import { inWindow, parseBackfillRequest, parseWindow } from '../../../shared/backfill/window';

const NOW = new Date('2026-12-07T23:00:00Z');

async function collect(it: AsyncIterable<ObjectItem>): Promise<ObjectItem[]> {
  const out: ObjectItem[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('the request and its window', () => {
  it('normalizes dates to ISO UTC instants, [from, to)', () => {
    expect(parseWindow({ from: '2026-12-01', to: '2026-12-01T10:00+02:00' }, undefined, NOW)).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-01T08:00:00.000Z',
    });
    const w = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' };
    expect(inWindow('2026-12-01T00:00:00Z', w)).toBe(true);
    expect(inWindow('2026-12-02T00:00:00Z', w)).toBe(false);
    expect(inWindow('2026-11-30T23:59:59Z', w)).toBe(false);
    expect(inWindow(1733011200, w)).toBe('unreadable');
    expect(inWindow('soon', w)).toBe('unreadable');
  });

  it.each([
    [{ from: '2026-12-01' }, 'to: is required'],
    [{ from: 42, to: '2026-12-02' }, 'from: must be a date'],
    [{ from: '2026-12-01T10:00', to: '2026-12-02' }, 'from: not a date'],
    [{ from: '2026-04-31', to: '2026-12-02' }, 'from: not a calendar date'],
    [{ from: '2026-12-01T25:00Z', to: '2026-12-02' }, 'from: not a valid time'],
    [{ from: '2026-12-02', to: '2026-12-02' }, 'to: must be after from'],
  ])('refuses %j: %s', (input, message) => {
    expect(() => parseWindow(input, undefined, NOW)).toThrow(message);
  });

  it('the bucket and prefix follow S3 rules; errors name the field, never the value', () => {
    const ok = { from: '2026-12-01', to: '2026-12-02' };
    expect(
      parseBackfillRequest({ bucket: 'org.trail-1', prefix: 'AWSLogs/', ...ok }, undefined, NOW).prefix,
    ).toBe('AWSLogs/');
    expect(() => parseBackfillRequest({ bucket: 'a..b', ...ok }, undefined, NOW)).toThrow(
      'bucket: not an S3 bucket',
    );
    expect(() => parseBackfillRequest({ bucket: 'ab', ...ok }, undefined, NOW)).toThrow(
      'bucket: not an S3 bucket',
    );
    expect(() =>
      parseBackfillRequest({ bucket: 'ok-bucket', prefix: '/AWSLogs', ...ok }, undefined, NOW),
    ).toThrow('prefix: an S3 prefix does not start with "/"');
    expect(() =>
      parseBackfillRequest({ bucket: 'ok-bucket', prefix: 'é'.repeat(513), ...ok }, undefined, NOW),
    ).toThrow('prefix: longer than an S3 key');
  });

  it('a batch input names the field that is wrong', () => {
    expect(() => parseBatchInput({ Items: [{ Key: 5 }], BatchInput: { bucket: 'b-1' } })).toThrow(
      /^backfill batch Items\.0\.Key: /,
    );
    expect(() => parseBatchInput(null)).toThrow(/^backfill batch/);
    expect(() =>
      parseBatchInput({
        Items: Array.from({ length: 1001 }, () => ({ Key: 'k' })),
        BatchInput: { bucket: 'b-1', from: '2026-12-01', to: '2026-12-02' },
      }),
    ).toThrow(/^backfill batch Items: /);
    expect(
      parseBatchInput({
        Items: [{ Key: 'k', Size: 3 }],
        BatchInput: { bucket: 'b-1', from: '2026-12-01', to: '2026-12-02' },
      }),
    ).toEqual({
      bucket: 'b-1',
      keys: ['k'],
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
  });
});

describe('the records of one object', () => {
  it('yields each record of a gzip log as it arrives, split across any chunk boundary', async () => {
    const text = JSON.stringify({ Records: [{ eventID: 'a', s: '}{"\\' }, { eventID: 'b' }] });
    const gz = gzipSync(text);
    const parts = Array.from(gz).map((b) => Buffer.from([b])); // one byte at a time
    const items = await collect(recordsOfObject('k.json.gz', chunks(...parts)));
    expect(items).toEqual([
      { label: 'k.json.gz:Records[0]', record: { eventID: 'a', s: '}{"\\' } },
      { label: 'k.json.gz:Records[1]', record: { eventID: 'b' } },
    ]);
  });

  it('an endless object: the first records come out before the stream ends (nothing waits for the whole)', async () => {
    let sent = 0;
    async function* endless(): AsyncGenerator<string> {
      yield '{"Records": [';
      for (let i = 0; ; i++) {
        sent++;
        yield `${i ? ',' : ''}{"eventID": "e${i}"}`;
      }
    }
    const got: string[] = [];
    for await (const item of recordsOfObject('endless', endless())) {
      got.push((item as { record: { eventID: string } }).record.eventID);
      if (got.length === 3) break;
    }
    expect(got).toEqual(['e0', 'e1', 'e2']);
    expect(sent).toBeLessThan(10);
  });

  it('a record over the per-record limit is reported, not buffered, and the next one is read', async () => {
    const items = await collect(
      recordsOfObject('k', chunks(`{"Records": [{"big": "${'x'.repeat(5000)}"}, {"eventID": "after"}]}`), {
        maxRecordChars: 1000,
        maxInflatedBytes: 1 << 20,
      }),
    );
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      label: 'k:Records[0]',
      scope: 'record',
      problem: expect.stringContaining('larger than the limit'),
    });
    expect(items[1]).toEqual({ label: 'k:Records[1]', record: { eventID: 'after' } });
  });

  it('a gzip bomb is refused at the inflated cap', async () => {
    const bomb = gzipSync(Buffer.alloc(4 << 20, 0x20));
    const items = await collect(
      recordsOfObject('bomb', chunks(bomb), { maxRecordChars: 1000, maxInflatedBytes: 1 << 20 }),
    );
    expect(items).toEqual([
      { label: 'bomb', scope: 'object', problem: expect.stringContaining('gzip inflates past the limit') },
    ]);
  });

  it('a log whose Records is not the first key is still read; one that is not a log is named', async () => {
    const other = await collect(
      recordsOfObject('k', chunks(JSON.stringify({ v: 1, Records: [{ eventID: 'x' }] }))),
    );
    expect(other).toEqual(
      [{ label: 'k', record: { eventID: 'x' } }].map((x) => ({ ...x, label: 'k:Records[0]' })),
    );
    expect(await collect(recordsOfObject('k', chunks('[1, 2]')))).toEqual(
      [
        { label: 'k', problem: 'not a CloudTrail log file: Records must be an array', scope: 'object' },
        { label: 'k', problem: 'not a CloudTrail log file: Records must be an array', scope: 'object' },
      ].map((x, i) => ({ ...x, label: `k[${i}]` })),
    );
  });

  it('a stream that fails mid-way is one unreadable object, after the records before it', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield '{"Records": [{"eventID": "a"},';
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    const items = await collect(recordsOfObject('k', failing()));
    expect(items).toEqual([
      { label: 'k:Records[0]', record: { eventID: 'a' } },
      { label: 'k', scope: 'object', problem: 'cannot read (ECONNRESET)' },
    ]);
  });
});

describe('the totals', () => {
  it('adds every count and keeps at most MAX_REASONS reasons, the rest under "other"', () => {
    const a: BatchSummary = { ...emptySummary(), records: 2, invalid: 1, invalidReasons: { r0: 1 } };
    const many: BatchSummary = {
      ...emptySummary(),
      records: 40,
      invalid: 30,
      invalidReasons: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`r${i}`, 1])),
    };
    const t = addSummaries(a, many);
    expect(t.records).toBe(42);
    expect(t.invalid).toBe(31);
    expect(Object.keys(t.invalidReasons)).toHaveLength(MAX_REASONS + 1);
    expect(t.invalidReasons.r0).toBe(2);
    expect(Object.values(t.invalidReasons).reduce((x, y) => x + y, 0)).toBe(31);
    expect(t.invalidReasons.other).toBe(31 - 2 - (MAX_REASONS - 1));
  });
});

describe('a batch when AWS or the pipeline fails', () => {
  const window = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };
  const rec = (id: string) => ({
    eventID: id,
    eventTime: '2026-03-02T08:00:00Z',
    eventSource: 'ecs.amazonaws.com',
    eventName: 'CreateService',
    awsRegion: 'eu-west-1',
    recipientAccountId: '111122223333',
  });
  const patterns = [{ source: ['aws.ecs'], detail: { eventName: ['CreateService'] } }];
  const silent = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const summary = {
    eventId: 'x',
    kind: 'cloudTrail',
    findings: 0,
    new: 0,
    queued: 0,
    exempted: 0,
    remediations: 0,
    resolved: 0,
  };
  const body =
    (...ids: string[]) =>
    async () =>
      chunks(gzipSync(JSON.stringify({ Records: ids.map(rec) })));

  it('S3 throttled: the batch fails as BackfillRetryable (the state machine retries it)', async () => {
    const throttled = Object.assign(new Error('Please reduce your request rate.'), {
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    await expect(
      evaluateBatch(
        { bucket: 'b-1', keys: ['k'], ...window },
        {
          read: () => Promise.reject(throttled),
          evaluate: async () => ({ summary, duplicate: false }),
          patterns,
          logger: silent,
        },
      ),
    ).rejects.toMatchObject({
      name: 'BackfillRetryable',
      message: 'batch interrupted: SlowDown (retried by the state machine)',
    });
  });

  it('a record in progress elsewhere: BackfillRetryable; another error of one record: counted, the batch goes on', async () => {
    const inProgress = Object.assign(new Error('x'), { name: 'IdempotencyAlreadyInProgressError' });
    await expect(
      evaluateBatch(
        { bucket: 'b-1', keys: ['k'], ...window },
        { read: body('a'), evaluate: () => Promise.reject(inProgress), patterns, logger: silent },
      ),
    ).rejects.toMatchObject({ name: 'BackfillRetryable' });

    let n = 0;
    const s = await evaluateBatch(
      { bucket: 'b-1', keys: ['k'], ...window },
      {
        read: body('a', 'b', 'c'),
        evaluate: async () => {
          if (++n === 2) throw new TypeError('boom');
          return { summary: { ...summary, findings: 1, new: 1 }, duplicate: false };
        },
        patterns,
        logger: silent,
      },
    );
    expect(s).toMatchObject({
      records: 3,
      evaluated: 2,
      failed: 1,
      failedReasons: { TypeError: 1 },
      findings: 2,
      new: 2,
    });
  });

  it('access denied on an object: that object is counted unreadable, the next one is read', async () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const s = await evaluateBatch(
      { bucket: 'b-1', keys: ['k1', 'k2'], ...window },
      {
        read: async (_b, k) => (k === 'k1' ? Promise.reject(denied) : body('a')()),
        evaluate: async () => ({ summary, duplicate: true }),
        patterns,
        logger: silent,
      },
    );
    expect(s).toMatchObject({
      objects: 2,
      invalidObjects: 1,
      evaluated: 1,
      duplicates: 1,
      invalidReasons: { 'object: cannot be read (AccessDenied)': 1 },
    });
  });
});
