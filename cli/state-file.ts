/**
 * `guardrail scan --state FILE`: the CLI's finding store between runs, as one JSON document
 * `{version: 1, savedAt, records: FindingRecord[]}`. Written atomically (temp file + rename) so an
 * interrupted scan never leaves half a file. Findings hold no secret values (evidence names, never values), so neither does
 * the file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { GuardrailError } from '../shared/base/errors';
import { MemoryFindingStore } from '../shared/store/memory-store';
import type { FindingRecord } from '../shared/store/types';

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

/** A missing file is an empty store (the first scan); a malformed one is an error, never overwritten. */
export function loadStateFile(path: string): MemoryFindingStore {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new MemoryFindingStore();
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
  const d = doc as { version?: unknown; records?: unknown };
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
  return new MemoryFindingStore(d.records as FindingRecord[]);
}

export function saveStateFile(path: string, store: MemoryFindingStore, now: Date = new Date()): void {
  const records = [...store.records.values()].sort((a, b) => a.findingId.localeCompare(b.findingId));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify({ version: STATE_FILE_VERSION, savedAt: now.toISOString(), records }, null, 1)}\n`,
  );
  renameSync(tmp, path);
}
