/** The one glob dialect of the policy: `*` matches any run of characters (`/` and `:` included), nothing else is special. */

const cache = new Map<string, RegExp>();

/**
 * The anchored RegExp of a glob. Image allow-lists compare case-insensitively (registries lower-case
 * names); ARNs compare exactly.
 */
export function globToRegExp(glob: string, opts: { readonly ignoreCase?: boolean } = {}): RegExp {
  const flags = opts.ignoreCase ? 'i' : '';
  const key = `${flags}\n${glob}`;
  let re = cache.get(key);
  if (!re) {
    const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    cache.set(key, (re = new RegExp(`^${escaped}$`, flags)));
  }
  return re;
}

export function globMatches(
  glob: string,
  value: string,
  opts: { readonly ignoreCase?: boolean } = {},
): boolean {
  return globToRegExp(glob, opts).test(value);
}
