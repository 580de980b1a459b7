/**
 * The subset of EventBridge event patterns the guardrail's rules use (infra/event-patterns.json): exact
 * values in arrays, `{ "exists": false }`, nested objects and `$or`. A backfill evaluates a CloudTrail
 * record only when one of the live rules would have routed its event, so the backfill sees what the
 * Lambdas see, read from the same file. Any other operator is refused when the patterns are loaded
 * (`assertSupported`), never silently treated as a match.
 */
import { BackfillInputError } from './errors';

export type EventPattern = { readonly [key: string]: unknown };

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const isExistsFalse = (m: unknown): boolean =>
  isObject(m) && Object.keys(m).length === 1 && m.exists === false;

/** Throws BackfillInputError naming the path of an operator this matcher does not implement. */
export function assertSupported(pattern: unknown, path = '$'): void {
  if (!isObject(pattern)) throw new BackfillInputError(`event pattern ${path}: must be an object`);
  for (const [key, value] of Object.entries(pattern)) {
    const at = `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(value)) throw new BackfillInputError(`event pattern ${at}: must be an array`);
      value.forEach((p, i) => assertSupported(p, `${at}[${i}]`));
    } else if (Array.isArray(value)) {
      for (const [i, m] of value.entries())
        if (!(typeof m === 'string' || typeof m === 'number' || isExistsFalse(m)))
          throw new BackfillInputError(`event pattern ${at}[${i}]: operator not supported by the backfill`);
    } else assertSupported(value, at);
  }
}

function matchesValue(matchers: readonly unknown[], present: boolean, value: unknown): boolean {
  return matchers.some((m) =>
    isExistsFalse(m) ? !present : present && (Array.isArray(value) ? value.includes(m) : value === m),
  );
}

/** Whether `event` matches `pattern`, as EventBridge would decide it for the supported subset. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const obj = isObject(event) ? event : {};
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as EventPattern[]).some((p) => matchesPattern(p, obj))) return false;
    } else if (Array.isArray(expected)) {
      // A field set to null is present (EventBridge matches null only with a `null` value).
      if (!matchesValue(expected, Object.hasOwn(obj, key), obj[key])) return false;
    } else if (!matchesPattern(expected as EventPattern, obj[key])) return false;
  }
  return true;
}
