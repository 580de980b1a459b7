/**
 * Splits a stream of JSON text into the pieces the CLI evaluates, one chunk at a time, so memory
 * depends on the largest piece (capped), never on the size of the input:
 *
 * - in a document, a top-level array is split into its elements (`file[3]`), and a top-level object
 *   whose first key is `"Records"` with an array value (a CloudTrail log file, as CloudTrail writes
 *   it) into its records (`file:Records[3]`), and one whose first key is `"Events"` (`aws cloudtrail
 *   lookup-events` output) into its events (`file:Events[3]`); any other top-level value is one piece;
 * - in JSON Lines, each line is one piece (`file:12`).
 *
 * It tracks only structure (strings, escapes, bracket depth); each piece is then checked by
 * JSON.parse. Two modes:
 * - `lines` (JSON Lines): a line is a piece, found with indexOf (no per-character work); a broken or
 *   over-long line is one bad piece (`file:12`) and reading resumes on the next line.
 * - `document` (one value over many lines, e.g. pretty-printed, or several concatenated like `jq`
 *   prints them): newlines are whitespace; a syntax error ends the input (the rest cannot be trusted),
 *   after the pieces before it.
 * A piece over `maxPieceChars` is reported (never buffered past the cap) and skipped.
 */

export type SplitMode = 'lines' | 'document';

export type Piece =
  | {
      readonly label: string;
      readonly text: string;
      /** A CloudTrail log record (to be wrapped as the EventBridge event it would have been). */
      readonly record: boolean;
      /** An element of `lookup-events` output's `Events` (its `CloudTrailEvent` string is a record). */
      readonly lookupEvent?: true;
      /** A whole top-level value (not an element of an array or of a log's Records). */
      readonly top: boolean;
      /** 1-based line and column where the piece starts, to place a JSON.parse error. */
      readonly line: number;
      readonly column: number;
    }
  | { readonly label: string; readonly problem: string };

export interface SplitterOptions {
  /** The input's name: `file.json`, `stdin`. */
  readonly label: string;
  readonly mode: SplitMode;
  readonly maxPieceChars: number;
}

const enum S {
  Top,
  Raw,
  Piece,
  ElemExpect,
  ElemAfter,
  ObjTail,
  Done,
}

const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

const isWs = (c: number): boolean => c === SP || c === NL || c === CR || c === TAB;

export function sizeLimitProblem(maxChars: number): string {
  const mib = maxChars / (1024 * 1024);
  const human = Number.isInteger(mib) ? `${mib} MiB` : `${maxChars.toLocaleString('en-US')} characters`;
  return `larger than the limit of ${human} per event`;
}

export class JsonSplitter {
  private state = S.Top;
  private out: Piece[] = [];
  /** Absolute offset of the start of the current chunk, of the current line; current line number. */
  private base = 0;
  private lineStart = 0;
  private line = 1;
  private values = 0;

  // The current top-level value.
  private topLabel = '';

  // The piece being captured.
  private kind: 'nested' | 'string' | 'scalar' = 'nested';
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: string[] = [];
  private size = 0;
  private oversize = false;
  /** Index in the current chunk where the uncaptured part of the piece starts. */
  private from = 0;
  private pieceLabel = '';
  private pieceRecord = false;
  private pieceLookupEvent = false;
  private pieceIsTop = false;
  private pieceLine = 0;
  private pieceColumn = 0;
  /** Watching the head of a top-level object for `{"Records": [` or `{"Events": [` (-1: not any more). */
  private head = -1;
  private headKey = '';

  // The container (top-level array or Records array) being split.
  private container: 'array' | 'records' | 'events' = 'array';
  private index = 0;
  private afterComma = false;

  constructor(private readonly opts: SplitterOptions) {}

  /** Feed one chunk; returns the pieces it completed. */
  push(chunk: string): Piece[] {
    this.out = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case S.Done:
          return this.take();
        case S.Top:
          if (c === NL) this.newline(i);
          else if (!isWs(c)) this.startTop(i, c);
          i++; // the first character of a piece is captured from `from`
          continue;
        case S.Raw: {
          const nl = chunk.indexOf('\n', i);
          const end = nl === -1 ? n : nl;
          if (nl === -1) {
            i = n; // captured after the loop
            continue;
          }
          this.endPiece(chunk, end);
          this.newline(end);
          this.state = S.Top;
          i = end + 1;
          continue;
        }
        case S.Piece:
          i = this.scanPiece(chunk, i);
          continue;
        case S.ElemExpect:
          if (isWs(c)) {
            if (c === NL) this.newline(i);
            i++;
            continue;
          }
          if (c === RBRACKET && !this.afterComma) {
            this.closeContainer();
            i++;
            continue;
          }
          if (c === COMMA || c === RBRACKET || c === RBRACE || c === COLON) {
            this.syntaxError(i, 'unexpected character');
            continue; // Done
          }
          this.startElement(i, c);
          if (this.kind !== 'scalar') i++;
          continue;
        case S.ElemAfter:
          if (c === NL) this.newline(i);
          else if (isWs(c)) {
            // between elements
          } else if (c === COMMA) {
            this.afterComma = true;
            this.state = S.ElemExpect;
          } else if (c === RBRACKET) {
            this.closeContainer();
          } else {
            this.syntaxError(i, 'unexpected character');
            continue;
          }
          i++;
          continue;
        case S.ObjTail:
          if (c === NL) this.newline(i);
          else if (this.inString) {
            if (this.escape) this.escape = false;
            else if (c === BACKSLASH) this.escape = true;
            else if (c === QUOTE) this.inString = false;
          } else if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) this.depth++;
          else if ((c === RBRACE || c === RBRACKET) && --this.depth === 0) this.endTop();
          i++;
          continue;
      }
    }
    if (this.state === S.Piece || this.state === S.Raw) this.capture(chunk, n);
    this.base += n;
    return this.take();
  }

  /** The input ended: flush what is complete, name what is not. */
  end(): Piece[] {
    this.out = [];
    switch (this.state) {
      case S.Top:
        if (this.values === 0) this.out.push({ label: this.opts.label, problem: 'empty input' });
        break;
      case S.Raw:
        this.endPiece('', 0);
        break;
      case S.Done:
        break;
      default: // inside a document (a line of JSON Lines is always complete: it ends here)
        this.out.push({
          label: this.topLabel,
          problem: `not valid JSON (unexpected end: truncated? at line ${this.line} column ${this.column(0)})`,
        });
    }
    this.state = S.Done;
    return this.take();
  }

  /** True once a document-mode syntax error ended the input: stop reading it. */
  get done(): boolean {
    return this.state === S.Done;
  }

  private take(): Piece[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private column(i: number): number {
    return this.base + i - this.lineStart + 1;
  }

  private newline(i: number): void {
    this.line++;
    this.lineStart = this.base + i + 1;
  }

  private lineLabel(): string {
    return `${this.opts.label}:${this.line}`;
  }

  /** A document's structure is broken: one error, and the rest of the input is not read. */
  private syntaxError(i: number, what: string): void {
    this.out.push({
      label: this.topLabel,
      problem: `not valid JSON (${what} at line ${this.line} column ${this.column(i)})`,
    });
    this.state = S.Done;
  }

  private startTop(i: number, c: number): void {
    this.values++;
    if (this.opts.mode === 'lines') {
      this.topLabel = this.lineLabel();
      this.startPiece(i, 'scalar', this.topLabel, false, true);
      this.state = S.Raw;
      return;
    }
    this.topLabel = this.values === 1 ? this.opts.label : `${this.opts.label}:${this.line}`;
    if (c === LBRACKET) {
      this.openContainer('array');
      return;
    }
    if (c === LBRACE) {
      this.startPiece(i, 'nested', this.topLabel, false, true);
      this.head = 0;
      this.headKey = '';
      return;
    }
    this.syntaxError(i, 'expected an object or an array');
  }

  private openContainer(kind: 'array' | 'records' | 'events'): void {
    this.container = kind;
    this.index = 0;
    this.afterComma = false;
    this.state = S.ElemExpect;
  }

  private closeContainer(): void {
    if (this.container !== 'array') {
      // The rest of the log object (CloudTrail writes nothing else): skipped, structure only.
      this.depth = 1;
      this.inString = false;
      this.escape = false;
      this.state = S.ObjTail;
    } else this.endTop();
  }

  private endTop(): void {
    this.state = S.Top;
  }

  private startElement(i: number, c: number): void {
    const label =
      this.container === 'records'
        ? `${this.topLabel}:Records[${this.index}]`
        : this.container === 'events'
          ? `${this.topLabel}:Events[${this.index}]`
          : `${this.topLabel}[${this.index}]`;
    this.index++;
    this.afterComma = false;
    const kind = c === LBRACE || c === LBRACKET ? 'nested' : c === QUOTE ? 'string' : 'scalar';
    this.startPiece(i, kind, label, this.container === 'records', false);
    this.pieceLookupEvent = this.container === 'events';
  }

  private startPiece(
    i: number,
    kind: 'nested' | 'string' | 'scalar',
    label: string,
    record: boolean,
    top: boolean,
  ): void {
    this.kind = kind;
    this.depth = kind === 'nested' ? 1 : 0;
    this.inString = kind === 'string';
    this.escape = false;
    this.parts = [];
    this.size = 0;
    this.oversize = false;
    this.from = i;
    this.pieceLabel = label;
    this.pieceRecord = record;
    this.pieceLookupEvent = false;
    this.pieceIsTop = top;
    this.pieceLine = this.line;
    this.pieceColumn = this.column(i);
    this.head = -1;
    this.state = S.Piece;
  }

  /** Keep chunk[from, end) of the current piece, unless it is already over the cap. */
  private capture(chunk: string, end: number): void {
    this.size += end - this.from;
    if (this.size > this.opts.maxPieceChars) {
      this.oversize = true;
      this.parts = [];
    } else if (!this.oversize && end > this.from) this.parts.push(chunk.slice(this.from, end));
    this.from = 0;
  }

  private endPiece(chunk: string, end: number): void {
    this.capture(chunk, end);
    const piece: Piece = this.oversize
      ? { label: this.pieceLabel, problem: sizeLimitProblem(this.opts.maxPieceChars) }
      : {
          label: this.pieceLabel,
          text: this.parts.join(''),
          record: this.pieceRecord,
          ...(this.pieceLookupEvent ? { lookupEvent: true as const } : {}),
          top: this.pieceIsTop,
          line: this.pieceLine,
          column: this.pieceColumn,
        };
    this.parts = [];
    this.out.push(piece);
  }

  /** Scan the current piece from i; returns where to continue. */
  private scanPiece(chunk: string, i: number): number {
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.head >= 0 && !this.watchHead(c)) return i + 1;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.kind === 'string') return this.finishPiece(chunk, i + 1);
        } else if (c === NL) {
          this.newline(i);
        }
        continue;
      }
      switch (c) {
        case QUOTE:
          if (this.kind === 'scalar') return this.finishPiece(chunk, i);
          this.inString = true;
          break;
        case LBRACE:
        case LBRACKET:
          if (this.kind === 'scalar') return this.finishPiece(chunk, i);
          this.depth++;
          break;
        case RBRACE:
        case RBRACKET:
          if (this.kind === 'scalar') return this.finishPiece(chunk, i);
          if (--this.depth === 0) return this.finishPiece(chunk, i + 1);
          break;
        case COMMA:
        case SP:
        case TAB:
        case CR:
          if (this.kind === 'scalar') return this.finishPiece(chunk, i);
          break;
        case NL:
          if (this.kind === 'scalar') return this.finishPiece(chunk, i);
          this.newline(i);
          break;
      }
    }
    return n;
  }

  /** The piece ended before `end` (exclusive); the caller continues at `end`. */
  private finishPiece(chunk: string, end: number): number {
    const top = this.pieceIsTop;
    this.endPiece(chunk, end);
    if (top) this.endTop();
    else this.state = S.ElemAfter;
    return end;
  }

  /**
   * Watch `{ "Records" : [` at the head of a top-level object. Returns false when it switched to
   * splitting the records (the caller continues after `[`).
   */
  private watchHead(c: number): boolean {
    switch (this.head) {
      case 0: // after `{`
        if (isWs(c)) return true;
        this.head = c === QUOTE ? 1 : -1;
        return true;
      case 1: // in the key
        if (c === QUOTE) this.head = 2;
        else if (c === BACKSLASH || this.headKey.length > 8) this.head = -1;
        else this.headKey += String.fromCharCode(c);
        return true;
      case 2: // after the key
        if (isWs(c)) return true;
        this.head = c === COLON && (this.headKey === 'Records' || this.headKey === 'Events') ? 3 : -1;
        return true;
      case 3: // after the colon
        if (isWs(c)) return true;
        this.head = -1;
        if (c !== LBRACKET) return true;
        this.parts = [];
        this.openContainer(this.headKey === 'Records' ? 'records' : 'events');
        return false;
    }
    return true;
  }
}
