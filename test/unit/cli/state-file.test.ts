import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { loadScanState, loadStateFile, saveStateFile, StateFileError } from '../../../cli/state-file';
import type { TaskDefinitionResource } from '../../../shared/model/resources';
import { MemoryTaskDefinitionCache } from '../../../shared/store/td-cache';

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

  const SECRET = 'Sup3r-S3cret-Passw0rd!';
  const tdArn = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/batch:3';
  const definition: TaskDefinitionResource = {
    kind: 'TaskDefinition',
    arn: tdArn,
    account: '123456789012',
    region: 'eu-west-1',
    family: 'batch',
    revision: 3,
    containers: [
      {
        name: 'job',
        image: 'nginx:latest',
        capabilitiesAdd: [],
        environment: [
          { name: 'DB_PASSWORD', value: SECRET },
          { name: 'LOG_LEVEL', value: 'debug' },
        ],
        logOptions: { 'awslogs-group': '/ecs/job', token: SECRET },
      },
    ],
    volumes: [],
  };

  it('keeps the task definition cache without environment or log-option values; an old file reads as an empty cache', async () => {
    const path = join(dir, 'td.json');
    const cache = new MemoryTaskDefinitionCache();
    await cache.putMany([
      {
        arn: tdArn,
        definition,
        describedAt: '2026-01-01T00:00:00.000Z',
        tagsCheckedAt: '2026-01-01T00:00:00.000Z',
      },
      {
        arn: `${tdArn.slice(0, -1)}1`,
        definition: { ...definition, arn: `${tdArn.slice(0, -1)}1` },
        describedAt: '2025-01-01T00:00:00.000Z',
        // Not used by any scan for over 30 days: dropped on save.
        tagsCheckedAt: '2025-11-01T00:00:00.000Z',
      },
    ]);
    saveStateFile(path, new MemoryFindingStore(), new Date('2026-01-02T00:00:00.000Z'), cache);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(SECRET);
    const again = loadScanState(path);
    expect([...again.cache.entries.keys()]).toEqual([tdArn]);
    const kept = again.cache.entries.get(tdArn)!.definition;
    expect(kept.containers[0]!.environment.map((e) => e.name)).toEqual(['DB_PASSWORD', 'LOG_LEVEL']);

    const old = join(dir, 'v1.json');
    writeFileSync(old, JSON.stringify({ version: 1, savedAt: 'x', records: [] }));
    expect(loadScanState(old).cache.entries.size).toBe(0);
  });

  it('refuses a malformed cached task definition by position', () => {
    const bad = join(dir, 'bad-td.json');
    const entry = { arn: tdArn, definition, describedAt: 'x', tagsCheckedAt: '2026-01-01T00:00:00Z' };
    for (const taskDefinitions of [
      [entry, { ...entry, definition: { ...definition, containers: 'lots' } }],
      [
        entry,
        {
          ...entry,
          definition: { ...definition, arn: 'arn:aws:ecs:eu-west-1:999999999999:task-definition/x:1' },
        },
      ],
      [entry, { ...entry, tagsCheckedAt: 'yesterday' }],
    ]) {
      writeFileSync(bad, JSON.stringify({ version: 1, records: [], taskDefinitions }));
      expect(() => loadScanState(bad)).toThrow(/taskDefinitions\[1\] is not a cached task definition/);
    }
    writeFileSync(bad, JSON.stringify({ version: 1, records: [], taskDefinitions: {} }));
    expect(() => loadScanState(bad)).toThrow('taskDefinitions is not a list');
  });
});
