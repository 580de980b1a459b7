/**
 * CLI inputs -> a stream of raw JSON values with a label each (`file`, `file[3]`, `file:12`,
 * `file:Records[3]`), or a per-input error. Formats: one event, a JSON array of events, JSON Lines,
 * concatenated JSON documents, a CloudTrail log file (`{"Records": [...]}`, optionally gzipped), a
 * directory (recursive) or `-` for stdin. Everything is streamed: memory depends on the limits below,
 * never on the size of an input.
 *
 * Infrastructure-as-code documents (a CloudFormation template, JSON or YAML, a Terraform plan: the
 * readers of shared/iac/readers.ts) are recognised first, from the file name and the head of the text,
 * and read whole (capped): they are one item carrying the `IacDocument`, never split as JSON.
 */
import { isCloudTrailLog } from '../shared/events/cloudtrail-record';
import { formItems, lookupEventItem, type RecordInput } from './input-form';
import { canChoose, chooseMode, isJsonLines } from './input-mode';
import { sourcesOf, YAML_FILE, type StdinSource } from './input-source';
import { InputError, textOf } from '../shared/base/input-text';
import { JsonSplitter, type Piece } from '../shared/base/json-splitter';
import { IacInputError } from '../shared/iac/errors';
import { IAC_READERS } from '../shared/iac/readers';
import type { IacDocument, IacForm, IacReader } from '../shared/iac/types';

export type InputItem =
  /** An EventBridge event (as EventBridge delivers it). */
  | { readonly label: string; readonly value: unknown }
  /** A CloudTrail record, or the record of the API call a JSON input stands for (cli/input-form.ts). */
  | ({ readonly label: string } & RecordInput)
  /** A bad input; `missingPath`: a PATH argument that does not exist (the caller's usage error). */
  | { readonly label: string; readonly error: string; readonly missingPath?: true }
  /** An infrastructure-as-code document, already normalized by its reader (evaluateNormalized). */
  | { readonly label: string; readonly iac: IacDocument };

/** How messages name each infrastructure-as-code form. */
export const IAC_FORM_NAMES: Readonly<Record<IacForm, string>> = {
  cloudformation: 'CloudFormation template',
  cdk: 'CDK cloud assembly',
  'terraform-plan': 'Terraform plan',
};

export interface InputLimits {
  /**
   * The largest event (a line, an array element, a CloudTrail record or a document), in characters.
   * EventBridge caps an event at 256 KB; 1 MiB leaves room for pretty-printing.
   */
  readonly maxEventChars: number;
  /** The most a gzipped input may inflate to, in bytes (CloudTrail log files are far smaller). */
  readonly maxInflatedBytes: number;
  /**
   * The largest infrastructure-as-code document (read whole: its parts refer to each other), in
   * characters. CloudFormation caps a template at 1 MB (S3); a Terraform plan of a large estate is a few
   * MB: 32 MiB leaves room and bounds the memory a hostile file takes.
   */
  readonly maxDocumentChars: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxEventChars: 1024 * 1024,
  maxInflatedBytes: 256 * 1024 * 1024,
  maxDocumentChars: 32 * 1024 * 1024,
};

/** What an infrastructure-as-code reader's `detect` sees of an input: its first characters. */
const IAC_HEAD_CHARS = 64 * 1024;

const mib = (chars: number): string => `${Math.round((chars / (1024 * 1024)) * 10) / 10} MiB`;

/**
 * JSON.parse's complaint without the excerpt of the input that V8 quotes in some messages
 * (`Unexpected token 'A', "...AKIA..." is not valid JSON`): the input may hold a secret.
 */
function jsonProblem(err: unknown, piece: { text: string; line: number; column: number }): string {
  const m = err instanceof Error ? err.message : '';
  if (m.includes('Unexpected end of JSON input')) return 'not valid JSON (unexpected end: truncated?)';
  const at = / (?:in|after) JSON at position (\d+)/.exec(m);
  const what = at ? m.slice(0, at.index) : '';
  const safe =
    what && !what.startsWith('Unexpected token') && !what.includes('"') ? what : 'unexpected character';
  let where = '';
  if (at) {
    const before = piece.text.slice(0, Number(at[1]));
    const nl = before.lastIndexOf('\n');
    const line = piece.line + (before.split('\n').length - 1);
    const column = nl === -1 ? piece.column + before.length : before.length - nl;
    where = ` at line ${line} column ${column}`;
  }
  return `not valid JSON (${safe}${where})`;
}

function* itemsOfPiece(piece: Piece): Generator<InputItem> {
  if ('problem' in piece) {
    yield { label: piece.label, error: piece.problem };
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(piece.text);
  } catch (err) {
    yield { label: piece.label, error: jsonProblem(err, piece) };
    return;
  }
  const record = (label: string, r: unknown): InputItem =>
    typeof r === 'object' && r !== null && !Array.isArray(r)
      ? { label, record: r as Record<string, unknown>, form: 'CloudTrail record', prefix: 'detail' }
      : { label, error: 'CloudTrail record: not a JSON object' };
  if (piece.record) yield record(piece.label, value);
  else if (piece.lookupEvent) yield lookupEventItem(value, piece.label);
  else if (piece.top && isCloudTrailLog(value)) {
    // A log whose "Records" is not its first key: small enough to have been read whole.
    const records = value.Records;
    for (let i = 0; i < records.length; i++) yield record(`${piece.label}:Records[${i}]`, records[i]);
  } else yield* formItems(value, piece.label);
}

/** The rest of an input appended to `head`, or undefined once it passes `max` characters (not read further). */
async function readWhole(
  head: string,
  it: AsyncIterator<string>,
  eof: boolean,
  max: number,
): Promise<string | undefined> {
  const parts = [head];
  let total = head.length;
  while (!eof && total <= max) {
    const r = await it.next();
    if (r.done) break;
    parts.push(r.value);
    total += r.value.length;
  }
  return total > max ? undefined : parts.join('');
}

/** One infrastructure-as-code document through its reader: one item, the document or what is wrong. */
function itemOfDocument(reader: IacReader, text: string, label: string): InputItem {
  try {
    return { label, iac: reader.read(text, label) };
  } catch (err) {
    if (!(err instanceof IacInputError)) throw err;
    return {
      label: err.line !== undefined ? `${label}:${err.line}` : label,
      error: `${IAC_FORM_NAMES[reader.form]}: ${err.problem}`,
    };
  }
}

async function* itemsOfText(
  chunks: AsyncIterable<string>,
  label: string,
  limits: InputLimits,
  readers: readonly IacReader[],
  onlyIfRecognised: boolean,
): AsyncGenerator<InputItem> {
  const it = chunks[Symbol.asyncIterator]();
  try {
    let head = '';
    let eof = false;
    while (head.length < IAC_HEAD_CHARS && !eof && !isJsonLines(head, limits.maxEventChars, eof)) {
      const r = await it.next();
      if (r.done) eof = true;
      else head += r.value;
    }
    const reader = readers.find((r) => r.detect(label, head.slice(0, IAC_HEAD_CHARS)));
    if (reader) {
      const text = await readWhole(head, it, eof, limits.maxDocumentChars);
      yield text === undefined
        ? {
            label,
            error: `${IAC_FORM_NAMES[reader.form]}: larger than the limit of ${mib(limits.maxDocumentChars)} per document: refused`,
          }
        : itemOfDocument(reader, text, label);
      return;
    }
    if (onlyIfRecognised) return; // a YAML file in a directory that is not a template
    if (YAML_FILE.test(label)) {
      // YAML by its name: only a reader can read it (the JSON splitter would reject every line).
      yield {
        label,
        error: `not an event: YAML that is not a CloudFormation template (events, CloudTrail records and Terraform plans are JSON)`,
      };
      return;
    }
    while (!canChoose(head, limits.maxEventChars, eof)) {
      const r = await it.next();
      if (r.done) eof = true;
      else head += r.value;
    }
    const splitter = new JsonSplitter({
      label,
      mode: chooseMode(head, limits.maxEventChars, eof),
      maxPieceChars: limits.maxEventChars,
    });
    for (const piece of splitter.push(head)) yield* itemsOfPiece(piece);
    while (!eof && !splitter.done) {
      const r = await it.next();
      if (r.done) break;
      for (const piece of splitter.push(r.value)) yield* itemsOfPiece(piece);
    }
    for (const piece of splitter.end()) yield* itemsOfPiece(piece);
  } finally {
    await it.return?.();
  }
}

export async function* readInputs(
  paths: readonly string[],
  stdin: () => StdinSource,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
  readers: readonly IacReader[] = IAC_READERS,
): AsyncGenerator<InputItem> {
  for await (const source of sourcesOf(paths, stdin)) {
    if ('error' in source) {
      yield source;
      continue;
    }
    try {
      const bytes = await source.open();
      yield* itemsOfText(
        textOf(bytes, limits.maxInflatedBytes),
        source.label,
        limits,
        readers,
        source.onlyIfRecognised === true,
      );
    } catch (err) {
      if (!(err instanceof InputError) && !(err as NodeJS.ErrnoException).code) throw err;
      yield {
        label: source.label,
        error:
          err instanceof InputError ? err.message : `cannot read (${(err as NodeJS.ErrnoException).code})`,
      };
    }
  }
}
