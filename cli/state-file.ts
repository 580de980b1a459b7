/**
 * `guardrail scan --state FILE`: the CLI's finding store and task definition cache between runs, as one
 * JSON document `{version: 1, savedAt, records: FindingRecord[], taskDefinitions?: CachedTaskDefinition[]}`
 * (a file without `taskDefinitions`, from an earlier version, is read as an empty cache). Written
 * atomically (temp file + rename) so an interrupted scan never leaves half a file. Findings hold no
 * secret values (evidence names, never values), and cached revisions are kept as `storableDefinition`
 * makes them (no environment or log-option values), so neither does the file. A cached revision whose
 * tags were last checked more than 30 days ago (no scan used it since) is dropped when the file is saved.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { GuardrailError } from '../shared/base/errors';
import { MemoryFindingStore } from '../shared/store/memory-store';
import {
  MemoryTaskDefinitionCache,
  storableDefinition,
  type CachedTaskDefinition,
} from '../shared/store/td-cache';
import type { FindingRecord } from '../shared/store/types';

/** Cached revisions not used by a scan for this long are dropped on save. */
export const TD_CACHE_MAX_AGE_MS = 30 * 86_400_000;

export const STATE_FILE_VERSION = 1;

export class StateFileError extends GuardrailError {
  override readonly name = 'StateFileError';
}

function isRecord(x: unknown): x is FindingRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Partial<FindingRecord>;
  return (
    typeof r.findingId === 'string' &&
    (r.status === 'open' || r.status === 'resolved') &&
    typeof r.finding === 'object' &&
    r.finding !== null &&
    typeof r.finding.ruleId === 'string' &&
    typeof r.finding.account === 'string' &&
    typeof r.finding.region === 'string' &&
    typeof r.finding.resource?.arn === 'string' &&
    typeof r.firstSeen === 'string' &&
    typeof r.lastSeen === 'string' &&
    typeof r.count === 'number'
  );
}

function isCachedTaskDefinition(x: unknown): x is CachedTaskDefinition {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Partial<CachedTaskDefinition>;
  const d = e.definition as Partial<CachedTaskDefinition['definition']> | undefined;
  return (
    typeof e.arn === 'string' &&
    typeof e.describedAt === 'string' &&
    typeof e.tagsCheckedAt === 'string' &&
    !Number.isNaN(Date.parse(e.tagsCheckedAt)) &&
    typeof d === 'object' &&
    d !== null &&
    d.kind === 'TaskDefinition' &&
    d.arn === e.arn &&
    typeof d.family === 'string' &&
    Array.isArray(d.containers) &&
    d.containers.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        typeof c.name === 'string' &&
        Array.isArray(c.environment) &&
        Array.isArray(c.capabilitiesAdd),
    ) &&
    Array.isArray(d.volumes)
  );
}

export interface ScanState {
  readonly store: MemoryFindingStore;
  readonly cache: MemoryTaskDefinitionCache;
}

/** A missing file is an empty store (the first scan); a malformed one is an error, never overwritten. */
export function loadStateFile(path: string): MemoryFindingStore {
  return loadScanState(path).store;
}

/** The finding store and the task definition cache of a state file (both empty when there is no file). */
export function loadScanState(path: string): ScanState {
  const cache = new MemoryTaskDefinitionCache();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { store: new MemoryFindingStore(), cache };
    throw new StateFileError(
      `cannot read state file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new StateFileError(`state file ${path} is not valid JSON`);
  }
  const d = doc as { version?: unknown; records?: unknown; taskDefinitions?: unknown };
  if (
    typeof doc !== 'object' ||
    doc === null ||
    d.version !== STATE_FILE_VERSION ||
    !Array.isArray(d.records)
  )
    throw new StateFileError(
      `state file ${path} is not a guardrail state file (version ${STATE_FILE_VERSION})`,
    );
  const bad = d.records.findIndex((r) => !isRecord(r));
  if (bad !== -1) throw new StateFileError(`state file ${path}: records[${bad}] is not a finding record`);
  if (d.taskDefinitions !== undefined) {
    if (!Array.isArray(d.taskDefinitions))
      throw new StateFileError(`state file ${path}: taskDefinitions is not a list`);
    const badTd = d.taskDefinitions.findIndex((e) => !isCachedTaskDefinition(e));
    if (badTd !== -1)
      throw new StateFileError(
        `state file ${path}: taskDefinitions[${badTd}] is not a cached task definition`,
      );
    for (const e of d.taskDefinitions as CachedTaskDefinition[]) cache.entries.set(e.arn, e);
  }
  return { store: new MemoryFindingStore(d.records as FindingRecord[]), cache };
}

export function saveStateFile(
  path: string,
  store: MemoryFindingStore,
  now: Date = new Date(),
  cache?: MemoryTaskDefinitionCache,
): void {
  const records = [...store.records.values()].sort((a, b) => a.findingId.localeCompare(b.findingId));
  const oldest = now.getTime() - TD_CACHE_MAX_AGE_MS;
  const taskDefinitions = cache
    ? [...cache.entries.values()]
        .filter((e) => Date.parse(e.tagsCheckedAt) >= oldest)
        .sort((a, b) => a.arn.localeCompare(b.arn))
        .map((e) => ({ ...e, definition: storableDefinition(e.definition) }))
    : undefined;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify(
      {
        version: STATE_FILE_VERSION,
        savedAt: now.toISOString(),
        records,
        ...(taskDefinitions ? { taskDefinitions } : {}),
      },
      null,
      1,
    )}\n`,
  );
  renameSync(tmp, path);
}
