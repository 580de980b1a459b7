/**
 * A fast acceptance check compiled from a valibot schema: true when valibot would accept the input, without
 * building valibot's output (a copy of every object and array of the event: most of the engine's time and
 * garbage on large task definitions). `validate` (./validate.ts) returns the input itself when this check
 * passes and runs valibot when it does not, so every rejection and its message still come from valibot.
 *
 * The check may be too strict (valibot then decides) but must never accept what valibot rejects:
 * test/unit/events/fast-check.test.ts compares both on the corpus and on generated mutations of it. A schema
 * using anything not handled here (transforms, defaults, async, unions of objects, ...) is not compiled:
 * `compileCheck` returns undefined and valibot runs as before.
 *
 * Returning the input instead of valibot's output is safe because the event's readers read only the fields
 * the schemas declare: the input may carry more keys, and an `unread(...)` field keeps a value of the wrong
 * type where valibot would have dropped it; nothing reads either.
 */
import type * as v from 'valibot';
import { GuardrailError } from '../base/errors';

export type Check = (input: unknown) => boolean;


/** The mark `notArray` (schemas.ts) leaves on a schema whose `~run` refuses arrays, for the compiler to do the same. */
export const NOT_ARRAY = '~notArray';

// The parts of valibot's schema and action objects this reads (their public properties).
interface Node {
  readonly kind?: string;
  readonly type?: string;
  readonly async?: boolean;
  readonly pipe?: readonly Node[];
  readonly entries?: Readonly<Record<string, Node>>;
  readonly wrapped?: Node;
  readonly item?: Node;
  readonly key?: Node;
  readonly value?: Node;
  readonly options?: readonly unknown[];
  readonly literal?: unknown;
  readonly check?: (x: unknown) => unknown;
  readonly requirement?: unknown;
  readonly default?: unknown;
  readonly fallback?: unknown;
  /** Set by schemas.ts's `notArray`: an object or record schema that refuses an array. */
  readonly [NOT_ARRAY]?: true;
}


/** A schema part the compiler does not handle (caught in compileCheck: valibot then runs as before). */
class Unsupported extends GuardrailError {
  override readonly name = 'UnsupportedSchemaError';
}

const isObjectLike = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object';
// valibot's record skips these keys (they cannot be set safely on a plain object).
const isValidRecordKey = (o: object, k: string): boolean =>
  Object.prototype.hasOwnProperty.call(o, k) && k !== '__proto__' && k !== 'prototype' && k !== 'constructor';

function action(a: Node): (x: unknown) => boolean {
  if (a.kind !== 'validation' || a.async) throw new Unsupported(`action ${a.type}`);
  const r = a.requirement;
  switch (a.type) {
    case 'check':
      return (x) => !!(r as (x: unknown) => unknown)(x);
    case 'regex': {
      const re = r as RegExp;
      return (x) => {
        re.lastIndex = 0;
        return re.test(x as string);
      };
    }
    case 'min_length':
      return (x) => (x as { length: number }).length >= (r as number);
    case 'max_length':
      return (x) => (x as { length: number }).length <= (r as number);
    case 'length':
      return (x) => (x as { length: number }).length === (r as number);
    case 'non_empty':
      return (x) => (x as { length: number }).length > 0;
    case 'integer':
      return (x) => Number.isInteger(x);
    case 'min_value':
      return (x) => (x as number) >= (r as number);
    case 'max_value':
      return (x) => (x as number) <= (r as number);
    default:
      throw new Unsupported(`action ${a.type}`);
  }
}

function compile(s: Node): Check {
  if (s.async) throw new Unsupported('async');
  // A fallback never fails: whatever the input, valibot accepts (and substitutes the fallback).
  if ('fallback' in s) return () => true;
  if (s.pipe) {
    const base = compile(s.pipe[0]!);
    const actions = s.pipe.slice(1).map(action);
    // Most pipes carry one action (a regex, a length): no loop for them.
    if (actions.length === 0) return base;
    if (actions.length === 1) {
      const only = actions[0]!;
      return (x) => base(x) && only(x);
    }
    return (x) => {
      if (!base(x)) return false;
      for (const a of actions) if (!a(x)) return false;
      return true;
    };
  }
  switch (s.type) {
    case 'string':
      return (x) => typeof x === 'string';
    case 'boolean':
      return (x) => typeof x === 'boolean';
    case 'number':
      return (x) => typeof x === 'number' && !Number.isNaN(x);
    case 'unknown':
    case 'any':
      return () => true;
    case 'null':
      return (x) => x === null;
    case 'literal': {
      const l = s.literal;
      return (x) => x === l;
    }
    case 'picklist': {
      const options = s.options ?? [];
      return (x) => options.includes(x);
    }
    case 'custom': {
      const c = s.check!;
      return (x) => !!c(x);
    }
    case 'optional':
    case 'nullish':
    case 'nullable': {
      if (s.default !== undefined) throw new Unsupported(`${s.type} with a default`);
      const inner = compile(s.wrapped!);
      if (s.type === 'optional') return (x) => x === undefined || inner(x);
      if (s.type === 'nullable') return (x) => x === null || inner(x);
      return (x) => x === undefined || x === null || inner(x);
    }
    case 'array': {
      const item = compile(s.item!);
      return (x) => {
        if (!Array.isArray(x)) return false;
        for (let i = 0; i < x.length; i++) if (!item(x[i])) return false;
        return true;
      };
    }
    case 'record': {
      if (s.key?.type !== 'string' || s.key.pipe) throw new Unsupported('record key');
      const value = compile(s.value!);
      const refusesArray = s[NOT_ARRAY] === true;
      return (x) => {
        if (!isObjectLike(x) || (refusesArray && Array.isArray(x))) return false;
        for (const k in x) if (isValidRecordKey(x, k) && !value(x[k])) return false;
        return true;
      };
    }
    case 'object':
    case 'loose_object':
    case 'strict_object': {
      const entries = Object.entries(s.entries ?? {}).map(([key, node]) => {
        const t = node.type;
        if ((t === 'optional' || t === 'nullish' || t === 'exact_optional') && node.default !== undefined)
          throw new Unsupported('default');
        const optional = t === 'optional' || t === 'nullish' || t === 'exact_optional' || 'fallback' in node;
        return { key, optional, check: compile(t === 'exact_optional' ? node.wrapped! : node) };
      });
      const strict = s.type === 'strict_object';
      const known = new Set(entries.map((e) => e.key));
      const refusesArray = s[NOT_ARRAY] === true;
      return (x) => {
        if (!isObjectLike(x) || (refusesArray && Array.isArray(x))) return false;
        for (const e of entries) {
          if (e.key in x) {
            if (!e.check(x[e.key])) return false;
          } else if (!e.optional) return false;
        }
        if (strict) for (const k in x) if (!known.has(k)) return false;
        return true;
      };
    }
    default:
      throw new Unsupported(`schema ${s.type}`);
  }
}

const cache = new WeakMap<object, Check | null>();

/** The compiled check of a schema (once per schema object), or undefined when it uses something unhandled. */
export function compileCheck(schema: v.GenericSchema): Check | undefined {
  let c = cache.get(schema);
  if (c === undefined) {
    try {
      c = compile(schema as unknown as Node);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      c = null;
    }
    cache.set(schema, c);
  }
  return c ?? undefined;
}
