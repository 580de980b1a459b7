/**
 * CLI inputs -> a stream of raw JSON values with a label each (`file`, `file[3]`, `file:12`), or a
 * per-input error. Formats: one event, a JSON array of events, JSON Lines, a CloudTrail log file
 * (`{"Records": [...]}`, optionally gzipped), a directory (recursive) or `-` for stdin.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isCloudTrailLog, recordToEvent } from '../shared/events/cloudtrail-record';

export type InputItem =
  | { readonly label: string; readonly value: unknown; readonly size: number }
  | { readonly label: string; readonly error: string };

const EVENT_FILE = /\.(json|jsonl|ndjson|json\.gz|jsonl\.gz|gz)$/i;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile() && EVENT_FILE.test(entry.name)) out.push(p);
  }
  return out;
}

function decode(buf: Buffer): string {
  // gzip magic bytes: CloudTrail delivers `.json.gz`; detect by content, not only by name.
  return (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
}

function* itemsOfText(text: string, label: string): Generator<InputItem> {
  const trimmed = text.trim();
  if (trimmed === '') {
    yield { label, error: 'empty input' };
    return;
  }
  let whole: unknown;
  let parsedWhole = false;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      whole = JSON.parse(trimmed);
      parsedWhole = true;
    } catch {
      // Not one JSON document: maybe JSON Lines (below).
    }
  }
  if (parsedWhole) {
    if (Array.isArray(whole)) {
      for (let i = 0; i < whole.length; i++) yield { label: `${label}[${i}]`, value: whole[i], size: 0 };
    } else if (isCloudTrailLog(whole)) {
      const records = whole.Records;
      for (let i = 0; i < records.length; i++)
        yield { label: `${label}:Records[${i}]`, value: recordToEvent(records[i]), size: 0 };
    } else {
      yield { label, value: whole, size: trimmed.length };
    }
    return;
  }
  const lines = text.split('\n');
  let sawLine = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    sawLine = true;
    try {
      yield { label: `${label}:${i + 1}`, value: JSON.parse(line), size: line.length };
    } catch (err) {
      yield { label: `${label}:${i + 1}`, error: `not valid JSON (${(err as Error).message})` };
    }
  }
  if (!sawLine) yield { label, error: 'empty input' };
}

export function* readInputs(paths: readonly string[], readStdin: () => Buffer): Generator<InputItem> {
  for (const path of paths) {
    if (path === '-') {
      yield* itemsOfText(decode(readStdin()), 'stdin');
      continue;
    }
    let files: string[];
    try {
      files = statSync(path).isDirectory() ? listFiles(path) : [path];
    } catch (err) {
      yield { label: path, error: `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = decode(readFileSync(file));
      } catch (err) {
        yield {
          label: file,
          error: `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        };
        continue;
      }
      yield* itemsOfText(text, file);
    }
  }
}
