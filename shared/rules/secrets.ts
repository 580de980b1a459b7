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
  if (FLAG_VALUES.has(v.toLowerCase())) return true;
  return REFERENCE.test(v);
}

/** The reason `name=value` looks like a secret, or undefined. Never returns any part of the value. */
export function secretReason(
  name: string,
  value: string | undefined,
  c: CompiledSecretPatterns,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  const format = valueFormat(value, c);
  if (format) return `value matches the ${format} format`;
  if (isBenignValue(value)) return undefined;
  const pattern = namePattern(name, c);
  if (pattern) return `name matches the credential pattern ${pattern}`;
  return undefined;
}
