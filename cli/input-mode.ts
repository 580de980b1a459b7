/**
 * JSON Lines or one document? Decided from the first two non-empty lines, so that a JSON Lines file
 * whose first line is broken is still read line by line, and a pretty-printed document is still one
 * document (a cut anywhere in it is one bad input, after the complete elements before the cut).
 */
import type { SplitMode } from '../shared/base/json-splitter';

interface SniffedLine {
  readonly text: string;
  /** Ended by a newline or by the end of the input. */
  readonly complete: boolean;
  readonly overCap: boolean;
}

function sniffLines(head: string, maxLineChars: number, eof: boolean): SniffedLine[] {
  const lines: SniffedLine[] = [];
  let pos = 0;
  while (lines.length < 2) {
    const nl = head.indexOf('\n', pos);
    const end = nl === -1 ? head.length : nl;
    if (end - pos > maxLineChars) {
      lines.push({ text: '', complete: false, overCap: true });
      break;
    }
    const text = head.slice(pos, end).trim();
    if (text !== '') lines.push({ text, complete: nl !== -1 || eof, overCap: false });
    if (nl === -1) break;
    pos = nl + 1;
  }
  return lines;
}

/** Enough of the head has been read to choose (or reading more would exceed the sniff budget). */
export function canChoose(head: string, maxLineChars: number, eof: boolean): boolean {
  if (eof || head.length > 2 * maxLineChars + 2) return true;
  const lines = sniffLines(head, maxLineChars, eof);
  return lines[0]?.overCap === true || (lines.length === 2 && (lines[1]!.complete || lines[1]!.overCap));
}

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const opensContainer = (text: string): boolean => text.startsWith('{') || text.startsWith('[');

export function chooseMode(head: string, maxLineChars: number, eof: boolean): SplitMode {
  const [first, second] = sniffLines(head, maxLineChars, eof);
  if (!first) return 'lines'; // nothing but whitespace (so far)
  if (first.overCap || !first.complete) return 'document'; // one long line: a compact log or array
  if (parses(first.text)) return second || !eof ? 'lines' : 'document';
  if (!opensContainer(first.text)) return 'lines'; // text, not JSON: each line reported
  if (first.text === '{' || first.text === '[') return 'document'; // pretty-printed
  if (!second) return eof ? 'document' : 'lines'; // one broken document
  if (second.overCap || !second.complete || parses(second.text)) return 'lines'; // a broken first line
  return 'document';
}

/**
 * The head is already known to be JSON Lines of values (two complete lines, each a JSON value): no
 * infrastructure-as-code document looks like that, so reading need not wait for more of a slow stream.
 */
export function isJsonLines(head: string, maxLineChars: number, eof: boolean): boolean {
  const [first, second] = sniffLines(head, maxLineChars, eof);
  return first?.complete === true && second?.complete === true && parses(first.text) && parses(second.text);
}
