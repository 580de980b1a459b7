import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { loadStateFile, saveStateFile, StateFileError } from '../../../cli/state-file';

const f: Finding = {
  findingId: 'abc',
  ruleId: 'svc-public-ip',
  severity: 'high',
  title: 't',
  resource: { type: 'AWS::ECS::Service', arn: 'arn:aws:ecs:us-east-1:123456789012:service/c/s' },
  account: '123456789012',
  region: 'us-east-1',
  evidence: [],
  event: { id: 'e', source: 's', detailType: 'd', time: '2026-01-01T00:00:00Z' },
  controls: {},
  mode: 'notify',
};

describe('state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-state-'));

  it('round-trips the finding store and writes atomically (no temp file left)', async () => {
    const path = join(dir, 'state.json');
    expect(loadStateFile(path).records.size).toBe(0); // first scan: no file yet
    const store = new MemoryFindingStore();
    await store.record(f, '2026-01-01T00:00:00.000Z');
    await store.resolve('abc', 'fixed', '2026-01-02T00:00:00.000Z');
    saveStateFile(path, store, new Date('2026-01-02T00:00:00.000Z'));
    expect(readdirSync(dir)).toEqual(['state.json']);
    const again = loadStateFile(path);
    expect(await again.get('abc')).toEqual(await store.get('abc'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      version: 1,
      savedAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('refuses a file that is not a state file instead of overwriting it', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    expect(() => loadStateFile(bad)).toThrow(StateFileError);
    writeFileSync(bad, 'not json');
    expect(() => loadStateFile(bad)).toThrow(/not valid JSON/);
    writeFileSync(bad, JSON.stringify({ version: 1, records: [{ findingId: 'x' }] }));
    expect(() => loadStateFile(bad)).toThrow(/records\[0\]/);
  });
});
