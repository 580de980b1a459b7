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

/**
 * JSON.parse's complaint without the excerpt of the input that V8 quotes in some messages
 * (`Unexpected token 'A', "...AKIA..." is not valid JSON`): the input may hold a secret.
 */
function jsonProblem(err: unknown, doc?: string): string {
  const m = err instanceof Error ? err.message : '';
  if (m.includes('Unexpected end of JSON input')) return 'not valid JSON (unexpected end: truncated?)';
  const at = / (?:in|after) JSON at position (\d+)/.exec(m);
  const what = at ? m.slice(0, at.index) : '';
  const safe =
    what && !what.startsWith('Unexpected token') && !what.includes('"') ? what : 'unexpected character';
  let where = '';
  if (at && doc) {
    const before = doc.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    where = ` at line ${line} column ${before.length - before.lastIndexOf('\n')}`;
  } else if (at) where = ` at position ${at[1]}`;
  return `not valid JSON (${safe}${where})`;
}

/** A line that is a whole record of JSON Lines, or meant to be one (`{...}`). */
function isRecordLine(line: string): boolean {
  if (/^\{.*\}$|^\[.*\]$/.test(line)) return true;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
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
    } catch (err) {
      // Not one JSON document: JSON Lines (below) when the first line is a record of its own; else one
      // broken (e.g. truncated, pretty-printed) document, reported once rather than once per line.
      const nl = trimmed.indexOf('\n');
      if (!isRecordLine((nl === -1 ? trimmed : trimmed.slice(0, nl)).trim())) {
        yield { label, error: jsonProblem(err, trimmed) };
        return;
      }
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
      yield { label: `${label}:${i + 1}`, error: jsonProblem(err) };
    }
  }
  if (!sawLine) yield { label, error: 'empty input' };
}

export function* readInputs(paths: readonly string[], readStdin: () => Buffer): Generator<InputItem> {
  for (const path of paths) {
    if (path === '-') {
      let stdin: string;
      try {
        stdin = decode(readStdin());
      } catch (err) {
        // e.g. a truncated gzip stream: a bad input, not a crash.
        yield { label: 'stdin', error: `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
        continue;
      }
      yield* itemsOfText(stdin, 'stdin');
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
