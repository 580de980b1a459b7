/**
 * The compiled acceptance check (shared/events/fast-check.ts) must never accept what valibot rejects: `validate`
 * returns the input itself when the check passes. Compared with valibot on every schema of shared/events/schemas.ts
 * over the real events of the corpus, their sub-objects, generated JSON, and generated mutations of real events
 * (a field replaced by another JSON type, removed, or set to null). Also: the real events take the fast path, and a
 * schema the compiler does not handle falls back to valibot.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { compileCheck } from '../../../shared/events/fast-check';
import * as schemas from '../../../shared/events/schemas';
import { validate } from '../../../shared/events/validate';
import { InvalidEventError } from '../../../shared/events/errors';
import { readInputs } from '../../../cli/inputs';
import { recordToEvent } from '../../../shared/events/cloudtrail-record';
import { corpusFiles } from '../../golden/corpus';

const SCHEMAS = (Object.entries(schemas) as [string, unknown][]).filter(
  (e): e is [string, v.GenericSchema] => typeof e[1] === 'object' && e[1] !== null && '~run' in e[1],
);

async function corpusValues(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const file of corpusFiles())
    for await (const item of readInputs([file], () => Buffer.alloc(0))) {
        if ('value' in item) out.push(item.value);
        else if ('record' in item) out.push(recordToEvent(item.record));
      }
  return out;
}

/** Every object and array inside a value (the sub-shapes the schemas of API shapes are applied to). */
function subValues(x: unknown, out: unknown[] = []): unknown[] {
  out.push(x);
  if (x && typeof x === 'object') for (const c of Object.values(x)) subValues(c, out);
  return out;
}

function agrees(schema: v.GenericSchema, x: unknown): boolean {
  const fast = compileCheck(schema)!;
  return !fast(x) || v.safeParse(schema, x).success;
}

describe('the compiled check of every event schema', () => {
  it('compiles every schema of shared/events/schemas.ts (else it would run valibot, slowly but correctly)', () => {
    expect(SCHEMAS.length).toBeGreaterThan(10);
    for (const [name, s] of SCHEMAS) expect(compileCheck(s), name).toBeTypeOf('function');
  });

  it('accepts nothing valibot rejects, on every real event and every part of one', async () => {
    const values = (await corpusValues()).flatMap((x) => subValues(x));
    expect(values.length).toBeGreaterThan(1000);
    let accepted = 0;
    for (const [name, s] of SCHEMAS)
      for (const x of values) {
        expect(agrees(s, x), name).toBe(true);
        if (compileCheck(s)!(x)) accepted++;
      }
    // Real shapes take the fast path (the point of it).
    expect(accepted).toBeGreaterThan(values.length / 10);
    // Every schema x every part of the corpus: about 5 s on a loaded 2-core machine, and it grows with
    // each schema added (the running inventory's four), so it gets more than the default 5 s.
  }, 30_000);

  it('accepts nothing valibot rejects, on generated JSON and on mutations of real events', async () => {
    const values = (await corpusValues()).flatMap((x) => subValues(x)).filter((x) => x && typeof x === 'object');
    const mutation = fc
      .tuple(fc.constantFrom(...values), fc.nat(), fc.oneof(fc.jsonValue(), fc.constant(undefined)))
      .map(([base, pick, replacement]) => {
        const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
        const targets = subValues(copy).filter((t): t is Record<string, unknown> => !!t && typeof t === 'object');
        const t = targets[pick % targets.length]!;
        const keys = Object.keys(t);
        if (keys.length) {
          const k = keys[pick % keys.length]!;
          if (replacement === undefined) delete t[k];
          else t[k] = replacement;
        }
        return copy;
      });
    for (const [name, s] of SCHEMAS) {
      fc.assert(fc.property(fc.jsonValue(), (x) => agrees(s, x)), { numRuns: 300 });
      fc.assert(fc.property(mutation, (x) => agrees(s, x)), { numRuns: 400 });
      expect(name).toBeTruthy();
    }
  });

  it('validate returns the input itself on the fast path, and valibot names the problem otherwise', () => {
    const td = { family: 'web', containerDefinitions: [{ name: 'app', privileged: false, extra: 1 }] };
    expect(validate(schemas.TaskDefinitionShape, td, 'detail.requestParameters')).toBe(td);
    const bad = { family: 'web', containerDefinitions: [{ name: 'app', privileged: 'false' }] };
    expect(() => validate(schemas.TaskDefinitionShape, bad, 'detail.requestParameters')).toThrow(InvalidEventError);
    expect(() => validate(schemas.TaskDefinitionShape, bad, 'detail.requestParameters')).toThrow(
      /containerDefinitions\.0\.privileged: expected boolean, got string/,
    );
    // A field nobody reads (`unread`) never rejects, on either path.
    const env = { id: 'x', 'detail-type': 't', source: 's', account: '111122223333', time: '2026-01-01T00:00:00Z', region: 'r', detail: {}, version: 7 };
    expect(validate(schemas.EnvelopeSchema, env, '')).toBe(env);
  });

  it('a schema it does not handle is not compiled: valibot runs as before', () => {
    expect(compileCheck(v.pipe(v.string(), v.transform((s) => s.length)))).toBeUndefined();
    expect(compileCheck(v.object({ a: v.optional(v.string(), 'x') }))).toBeUndefined();
    expect(compileCheck(v.union([v.string(), v.number()]))).toBeUndefined();
    const s = v.pipe(v.string(), v.transform((x) => x.length));
    expect(validate(s, 'abc', '')).toBe(3);
  });
});
