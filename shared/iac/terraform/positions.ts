/**
 * Lines of values in a JSON document, for findings that name the line of a property. One pass over the
 * text (already checked by JSON.parse) tracking the path of each value; only the paths `want` selects are
 * kept, so a plan of tens of MB costs a scan and a small map, not a syntax tree.
 */
export type JsonPath = readonly (string | number)[];

const SP = 32;
const TAB = 9;
const CR = 13;
const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

const keyOf = (path: JsonPath): string => path.join('\u0000');

export class LineIndex {
  private constructor(private readonly lines: ReadonlyMap<string, number>) {}

  /** Index `text` (valid JSON), keeping the line of each value whose path `want` accepts. */
  static of(text: string, want: (path: JsonPath) => boolean): LineIndex {
    const lines = new Map<string, number>();
    const path: (string | number)[] = [];
    const frames: boolean[] = []; // true: an object, false: an array
    const n = text.length;
    let i = 0;
    let line = 1;
    const ws = (): void => {
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === NL) line++;
        else if (c !== SP && c !== TAB && c !== CR) return;
      }
    };
    const str = (): string => {
      const start = ++i;
      let escaped = false;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) {
          escaped = true;
          i += 2;
        } else if (c === QUOTE) break;
        else i++;
      }
      const raw = text.slice(start, i++);
      return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
    };
    const member = (): void => {
      ws();
      path.push(str());
      ws();
      i++; // the colon
    };
    for (;;) {
      ws();
      if (i >= n) break;
      if (want(path)) lines.set(keyOf(path), line);
      const c = text.charCodeAt(i);
      if (c === LBRACE || c === LBRACKET) {
        i++;
        ws();
        const close = text.charCodeAt(i);
        if (close !== RBRACE && close !== RBRACKET) {
          frames.push(c === LBRACE);
          if (c === LBRACE) member();
          else path.push(0);
          continue; // the first member or element
        }
        i++; // an empty object or array
      } else if (c === QUOTE) str();
      else
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === COMMA || d === RBRACE || d === RBRACKET || d === SP || d === NL || d === CR || d === TAB)
            break;
          i++;
        }
      // After a value: close what ends here, then move to the next member or element.
      for (;;) {
        ws();
        if (frames.length === 0 || i >= n) return new LineIndex(lines);
        if (text.charCodeAt(i) === COMMA) {
          i++;
          if (frames[frames.length - 1]) {
            path.pop();
            member();
          } else path[path.length - 1] = (path[path.length - 1] as number) + 1;
          break;
        }
        i++; // } or ]
        frames.pop();
        path.pop();
      }
    }
    return new LineIndex(lines);
  }

  /** The 1-based line where the value at `path` starts (an object's or array's opening bracket). */
  lineAt(path: JsonPath): number | undefined {
    return this.lines.get(keyOf(path));
  }
}
