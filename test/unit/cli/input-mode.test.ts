/** JSON Lines or one document: chooseMode on the head of an input (the first two non-empty lines). */
import { describe, expect, it } from 'vitest';
import { canChoose, chooseMode } from '../../../cli/input-mode';

const MAX = 1024;

describe('chooseMode', () => {
  it.each([
    ['JSON Lines', '{"a":1}\n{"b":2}\n', 'lines'],
    ['JSON Lines, the first line broken', '{"a":\n{"b":2}\n', 'lines'],
    ['JSON Lines, the first line broken and over the cap', `{"a":"${'x'.repeat(MAX)}`, 'document'],
    ['text, not JSON', 'hello\nworld\n', 'lines'],
    ['one compact document', '{"a":1}\n', 'document'],
    ['one compact document, more to come', '{"a":1}\n', 'lines', false],
    ['pretty-printed: a lone {', '{\n  "a": 1\n}\n', 'document'],
    ['pretty-printed: a lone [', '[\n  {"a": 1}\n]\n', 'document'],
    ['pretty-printed CloudTrail log', '{"Records": [\n  {\n', 'document'],
    ['one broken document on one line', '{"a": tru', 'document'],
    ['one long line (a compact CloudTrail log)', `{"Records":[${'{},'.repeat(MAX)}`, 'document'],
    ['whitespace only', '  \n\n', 'lines'],
  ])('%s -> %s', (_label, head, mode, eof = true) => {
    expect(chooseMode(head, MAX, eof as boolean)).toBe(mode);
  });
});

describe('canChoose', () => {
  it('waits for the second line, the end, or a first line over the cap', () => {
    expect(canChoose('{"a":1}\n{"b"', MAX, false)).toBe(false);
    expect(canChoose('{"a":1}\n{"b":2}\n', MAX, false)).toBe(true);
    expect(canChoose('{"a":1}', MAX, true)).toBe(true);
    expect(canChoose('x'.repeat(MAX + 1), MAX, false)).toBe(true);
    expect(canChoose(' '.repeat(3 * MAX), MAX, false)).toBe(true); // the sniff is bounded
  });
});
