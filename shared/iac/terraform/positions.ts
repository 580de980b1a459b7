/**
 * Lines of values in a JSON document: the `yaml` package parses JSON (a subset of YAML 1.2) with source
 * ranges, so a finding can name the line of the property in the file. Values come from JSON.parse; this
 * index only answers "which line is the value at this path on". A document it cannot index has no lines.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

export type JsonPath = readonly (string | number)[];

export class LineIndex {
  private constructor(
    private readonly doc: Document | undefined,
    private readonly counter: LineCounter,
  ) {}

  static of(text: string): LineIndex {
    const counter = new LineCounter();
    try {
      const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: false, uniqueKeys: false });
      return new LineIndex(doc.errors.length ? undefined : doc, counter);
    } catch {
      return new LineIndex(undefined, counter);
    }
  }

  /** The 1-based line where the value at `path` starts (an object's or array's opening bracket). */
  lineAt(path: JsonPath): number | undefined {
    const node = this.doc?.getIn(path, true);
    if (!isNode(node) || !node.range) return undefined;
    return this.counter.linePos(node.range[0]).line;
  }
}
