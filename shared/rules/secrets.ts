/**
 * Credential detection for environment variables and log options. Returns WHY something looks like a
 * secret (a pattern name), never the value or any part of it.
 */

const NAME_FRAGMENTS = [
  'PASSWORD',
  'PASSWD',
  'SECRET',
  'TOKEN',
  'API_KEY',
  'APIKEY',
  'ACCESS_KEY',
  'PRIVATE_KEY',
  'CREDENTIAL',
];
const EXACT_NAMES = new Set([
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SESSION_TOKEN',
  'ECS_ENGINE_AUTH_DATA',
]);

export const VALUE_FORMATS: readonly { readonly name: string; readonly re: RegExp }[] = [
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { name: 'PEM private key', re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/ },
  { name: 'Slack token', re: /\bxox[a-z]-[A-Za-z0-9-]{8,}/ }, // `xox?-` (xoxb, xoxp, xoxe, ...)
  { name: 'GitHub token', re: /\b(?:ghp_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { name: 'Slack webhook URL', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/ },
  { name: 'JWT', re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/ },
];

/** Matches whenever one of VALUE_FORMATS does: one scan rules out all of them for most values. */
const ANY_BUILT_IN_FORMAT = new RegExp(VALUE_FORMATS.map((f) => `(?:${f.re.source})`).join('|'));
const BUILT_IN_FORMATS: ReadonlySet<object> = new Set(VALUE_FORMATS);
const SEPARATORS = /[-.\s]/g;
const HAS_SEPARATOR = /[-.\s]/;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const FLAG_VALUES = new Set([
  'yes',
  'no',
  'true',
  'false',
  '0',
  '1',
  'on',
  'off',
  'enabled',
  'disabled',
  'none',
  'null',
]);
const LONGEST_FLAG = Math.max(...[...FLAG_VALUES].map((f) => f.length));
const REFERENCE = /^(?:arn:|ssm:|secretsmanager:|\{\{resolve:)/i;

export interface SecretPatterns {
  /** Extra name fragments (matched case-insensitively, `-`/`.` treated as `_`). */
  readonly extraNames: readonly string[];
  /** Extra value regexes (source strings), each with a label. */
  readonly extraValues: readonly { readonly name: string; readonly pattern: string }[];
  /** Variable names never flagged by name (values are still checked for formats). */
  readonly allowNames: readonly string[];
}

export interface CompiledSecretPatterns {
  readonly names: readonly string[];
  readonly values: readonly { readonly name: string; readonly re: RegExp }[];
  readonly allow: ReadonlySet<string>;
  /** Matches when some entry of `names` is a substring (a prefilter: one scan instead of one per name). */
  readonly anyName?: RegExp;
  /** Verdicts on variable names already judged with these patterns (see `nameVerdict`). */
  readonly nameVerdicts?: Map<string, NameVerdict>;
}

const compiledCache = new WeakMap<SecretPatterns, CompiledSecretPatterns>();

export function compileSecretPatterns(p: SecretPatterns): CompiledSecretPatterns {
  let c = compiledCache.get(p);
  if (!c) {
    const names = [...NAME_FRAGMENTS, ...p.extraNames.map((n) => n.toUpperCase().replace(/[-.\s]/g, '_'))];
    c = {
      names,
      values: [...VALUE_FORMATS, ...p.extraValues.map((x) => ({ name: x.name, re: new RegExp(x.pattern) }))],
      allow: new Set(p.allowNames.map((n) => n.toUpperCase())),
      anyName: new RegExp(names.map(escapeRegExp).join('|')),
      nameVerdicts: new Map(),
    };
    compiledCache.set(p, c);
  }
  return c;
}

/** Which value format the value matches, if any. */
export function valueFormat(value: string, c: CompiledSecretPatterns): string | undefined {
  const builtInPossible = ANY_BUILT_IN_FORMAT.test(value);
  for (const f of c.values) {
    if (!builtInPossible && BUILT_IN_FORMATS.has(f)) continue;
    if (f.re.test(value)) return f.name;
  }
  // A value redacted before it was stored (the sweep's cache) keeps the verdict of its format.
  if (value.includes(REDACTED_FORMAT_PREFIX))
    for (const f of VALUE_FORMATS) if (value.includes(redactedFormat(f.name))) return f.name;
  return undefined;
}

/** Every built-in format is at least this long (a Slack token, `xoxb-` and 8 characters). */
const SHORTEST_FORMAT = 13;

/** Which built-in format occurs in `text` (a name), if any: cheap for the short names most are. */
function builtInFormatIn(text: string): string | undefined {
  if (text.length < SHORTEST_FORMAT) return undefined;
  if (ANY_BUILT_IN_FORMAT.test(text)) return VALUE_FORMATS.find((f) => f.re.test(text))?.name;
  // A name stored redacted (the sweep's cache) keeps the verdict of its format.
  if (text.includes(REDACTED_FORMAT_PREFIX))
    return VALUE_FORMATS.find((f) => text.includes(redactedFormat(f.name)))?.name;
  return undefined;
}

/** Which name pattern makes `name` look like a credential, if any. */
export function namePattern(name: string, c: CompiledSecretPatterns): string | undefined {
  const upper = name.toUpperCase();
  const n = HAS_SEPARATOR.test(upper) ? upper.replace(SEPARATORS, '_') : upper;
  if (c.allow.has(n)) return undefined;
  if (EXACT_NAMES.has(n)) return n;
  if (c.anyName && !c.anyName.test(n)) return undefined;
  for (const f of c.names) if (n.includes(f)) return f;
  return undefined;
}

/** A value that cannot be a credential whatever its name: flags, references, short values. */
export function isBenignValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 8) return true; // also the empty string; the cheapest test first
  // No flag is longer than 8 characters: longer values are not lower-cased (a copy) for nothing.
  if (v.length <= LONGEST_FLAG && FLAG_VALUES.has(v.toLowerCase())) return true;
  return REFERENCE.test(v);
}

/** The reason `name=value` looks like a secret, or undefined. Never returns any part of the value. */
export function secretReason(
  name: string,
  value: string | undefined,
  c: CompiledSecretPatterns,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  const verdict = nameVerdict(name, c);
  // A value pasted into the name (`CONFIG=AKIA...`) is a credential in plain text too.
  if (verdict.inName) return `name contains a value in the ${verdict.inName} format`;
  const format = valueFormat(value, c);
  if (format) return `value matches the ${format} format`;
  // Most names match no pattern: then the value's format was all there was to check.
  if (!verdict.pattern || isBenignValue(value)) return undefined;
  return `name matches the credential pattern ${verdict.pattern}`;
}

interface NameVerdict {
  readonly inName?: string;
  readonly pattern?: string;
}

/** Verdicts on names, kept per detector: an estate reuses few variable names across thousands of definitions. */
const MAX_NAME_VERDICTS = 4096;

function nameVerdict(name: string, c: CompiledSecretPatterns): NameVerdict {
  const byName = c.nameVerdicts;
  let v = byName?.get(name);
  if (v) return v;
  const inName = builtInFormatIn(name);
  // A name that carries a value (`AWS_SECRET_ACCESS_KEY=...`) is judged by the name before the value too.
  const head = name.split(NAME_VALUE_SEPARATOR, 1)[0]!;
  const pattern = namePattern(name, c) ?? (head !== name ? namePattern(head, c) : undefined);
  v = { ...(inName ? { inName } : {}), ...(pattern ? { pattern } : {}) };
  // A name holding a value is not kept (it may be a credential); a full map starts over (bounded memory).
  if (byName && !inName && head === name) {
    if (byName.size >= MAX_NAME_VERDICTS) byName.clear();
    byName.set(name, v);
  }
  return v;
}

// ------------------------------------------------------------------ redaction
//
// The same detector decides what is shown: a name or key that carries a value (`NAME=value`,
// `NAME:value`), a value format anywhere in a text, the value of a credential-named key. What is
// removed is replaced by a visible marker naming the reason, never by a part of the value.

export const REDACTED = '[redacted]';
const REDACTED_FORMAT_PREFIX = '[redacted: ';
const redactedFormat = (format: string): string => `${REDACTED_FORMAT_PREFIX}${format}]`;

/** The patterns without policy additions: for callers that have no policy (and as the fallback). */
export const DEFAULT_SECRET_PATTERNS: SecretPatterns = Object.freeze({
  extraNames: [],
  extraValues: [],
  allowNames: [],
});

/** In a text, a PEM key is redacted with its body, up to its END line (or the end of the text). */
const PEM_BLOCK =
  /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$(?![\s\S]))/g;
const PEM = VALUE_FORMATS.find((f) => f.name === 'PEM private key')!;

const globalCache = new WeakMap<RegExp, RegExp>();
const globalOf = (re: RegExp): RegExp => {
  if (re === PEM.re) return PEM_BLOCK;
  let g = globalCache.get(re);
  if (!g)
    globalCache.set(re, (g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)));
  return g;
};

/** `text` with every match of a value format replaced by `[redacted: <format>]`. */
export function redactValueFormats(text: string, c: CompiledSecretPatterns): string {
  // One scan rules out every built-in format for most texts (as in valueFormat).
  const builtInPossible = ANY_BUILT_IN_FORMAT.test(text);
  if (!builtInPossible && c.values.length === VALUE_FORMATS.length) return text;
  let out = text;
  for (const f of c.values) {
    if (!builtInPossible && BUILT_IN_FORMATS.has(f)) continue;
    const g = globalOf(f.re);
    g.lastIndex = 0;
    if (!g.test(out)) continue;
    g.lastIndex = 0;
    out = out.replace(g, (m) => (m.length === 0 ? m : redactedFormat(f.name)));
  }
  return out;
}

/** A credential-like NAME followed by `=` or `:` (optionally quoted, as in JSON): what follows is a value. */
// The lookbehind starts a NAME only where a run of name characters starts: without it a long run not
// followed by a separator is rescanned from each of its characters (quadratic time on hostile text).
const NAME_BEFORE_SEPARATOR = /(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[=:]\s*/g;

/** One line with everything after the first `NAME=` / `NAME:` whose NAME looks like a credential redacted. */
function redactAssignments(line: string, c: CompiledSecretPatterns): string {
  NAME_BEFORE_SEPARATOR.lastIndex = 0;
  for (let m = NAME_BEFORE_SEPARATOR.exec(line); m; m = NAME_BEFORE_SEPARATOR.exec(line)) {
    const end = m.index + m[0].length;
    // In free text nobody knows where a value ends (it may hold spaces): the rest of the line goes.
    if (end < line.length && !line.startsWith('[redacted', end) && namePattern(m[1]!, c))
      return `${line.slice(0, end)}${REDACTED}`;
  }
  return line;
}

/**
 * Free text from the outside (ECS reason texts, tag values): value formats redacted, and after any
 * `NAME=value` / `NAME: value` whose NAME looks like a credential, the rest of the line.
 */
export function redactText(text: string, c: CompiledSecretPatterns): string {
  const formatsGone = redactValueFormats(text, c);
  if (!/[=:]/.test(formatsGone)) return formatsGone;
  return formatsGone
    .split(/(\r?\n)/)
    .map((part) => (part === '\n' || part === '\r\n' ? part : redactAssignments(part, c)))
    .join('');
}

const NAME_VALUE_SEPARATOR = /[=:]/;
/** Tag keys use `:` as a namespace separator (`aws:`, `guardrail:protect`): only `=` carries a value. */
const TAG_KEY_VALUE_SEPARATOR = /=/;

/**
 * A name or key as it may be shown: when it carries a value (`DB_PASSWORD=hunter2`, `token:abc`)
 * everything after the first `=` or `:` (`separator`) is replaced, and value formats inside it are
 * redacted.
 */
export function redactName(
  name: string,
  c: CompiledSecretPatterns,
  separator: RegExp = NAME_VALUE_SEPARATOR,
): string {
  const sep = separator.exec(name);
  const head = sep ? name.slice(0, sep.index) : name;
  const shown = redactValueFormats(head, c);
  if (!sep) return shown;
  if (sep.index === name.length - 1) return `${shown}${sep[0]}`; // nothing follows: no value to hide
  const format = valueFormat(name.slice(sep.index + 1), c);
  return `${shown}${sep[0]}${format ? redactedFormat(format) : REDACTED}`;
}

/**
 * What may be stored of an environment or log-option value (the sweep's task definition cache): never
 * the value, only what `secretReason` needs to reach the same verdict. A value of a known format becomes
 * `[redacted: <format>]`, a benign one (flag, reference, short) the empty string, any other
 * `[redacted]` (judged by its name, as the value would be). Policy `extraValues` patterns cannot be
 * applied to a stored value.
 */
export function storableValue(value: string | undefined, c: CompiledSecretPatterns): string | undefined {
  if (value === undefined || value === '') return value;
  const format = valueFormat(value, c);
  if (format && BUILT_IN_FORMATS.has(VALUE_FORMATS.find((f) => f.name === format) ?? {}))
    return redactedFormat(format);
  return isBenignValue(value) ? '' : REDACTED;
}

/** A tag's value as it may be shown: redacted when the key names a secret or the value looks like one. */
export function redactTagValue(key: string, value: string, c: CompiledSecretPatterns): string {
  if (!isBenignValue(value) && namePattern(key, c)) return REDACTED;
  return redactText(value, c);
}

/** Tags as they may be shown in a finding: keys via `redactName`, values via `redactTagValue`. */
export function redactTags(
  tags: Readonly<Record<string, string>>,
  c: CompiledSecretPatterns,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  let changed = false;
  for (const [k, v] of Object.entries(tags)) {
    const key = redactName(k, c, TAG_KEY_VALUE_SEPARATOR);
    const value = redactTagValue(k, v, c);
    if (key !== k || value !== v) changed = true;
    out[key] = value;
  }
  return changed ? out : tags; // the same object when nothing was redacted (no copy per finding)
}
