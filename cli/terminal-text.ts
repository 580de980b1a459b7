/**
 * Text from events (resource names, evidence, file names, JSON keys in error paths) made safe to print
 * on a terminal: control characters and Unicode direction overrides become visible escapes, so a
 * value cannot move the cursor, erase a row (`\r`, `\x1b[2K`, `\x1b[1A`) or reorder what a reviewer
 * reads (U+202E).
 */

/**
 * C0 (incl. ESC, CR, BS, TAB, LF), DEL and C1 (0x80-0x9f: U+009B is a CSI in some terminals); the
 * bidi embeddings/overrides U+202A-U+202E and isolates U+2066-U+2069, and the marks U+200E, U+200F,
 * U+061C.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

const hex = (c: string, width: number): string => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `\x1b`, `\x0d`, `\u202e`: what the character is, visibly, instead of what it does. */
export function escapeTerminal(s: string): string {
  return s.replace(UNSAFE, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** JSON that parses to the same value, with no raw DEL, C1 or bidi character (JSON.stringify escapes C0 only). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/g;

export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
