/**
 * The file an input label names, and the line when the label has one: `file`, `file:12` (a JSON Lines line or
 * the start line of a concatenated document), `file[3]`, `file:Records[0]`, `file:12[3]`. Used to point an
 * event finding at its file (SARIF). The file must exist as a regular file: stdin and labels that only look
 * like a path give nothing.
 */
import { statSync } from 'node:fs';

const ELEMENT = /(?::[A-Za-z]+)?\[\d+\]$/;
const LINE = /:(\d+)$/;

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

export function inputFileOf(label: string): { file: string; line?: number } | undefined {
  if (isFile(label)) return { file: label };
  let rest = label;
  while (ELEMENT.test(rest)) rest = rest.replace(ELEMENT, '');
  if (rest !== label && isFile(rest)) return { file: rest };
  const m = LINE.exec(rest);
  if (m) {
    const file = rest.slice(0, m.index);
    if (isFile(file)) return { file, line: Number(m[1]) };
  }
  return undefined;
}
