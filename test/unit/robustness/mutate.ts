/** Mutation fuzzing of the sample events: paths into a JSON value, and arbitraries that break them. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { InvalidEventError } from '../../../shared/events/errors';
import { evaluateRaw } from '../../../shared/engine/run';
import { SEVERITIES } from '../../../shared/model/finding';
import { deps, type Json } from '../engine/builders';
import { fixtureNames, fixturePath } from '../../helpers/fixtures';

export type Path = readonly (string | number)[];

export interface Sample {
  readonly name: string;
  readonly text: string;
  readonly value: Json;
  /** Every node, the root (`[]`) included. */
  readonly paths: readonly Path[];
}

export function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

export const SAMPLES: readonly Sample[] = fixtureNames().map((name) => {
  const text = readFileSync(fixturePath(name), 'utf8');
  const value = JSON.parse(text) as Json;
  return { name, text, value, paths: pathsOf(value) };
});

export function getAt(root: Json, path: Path): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

/** Replace (or with `undefined`, delete) the node at `path`; returns the new root. Missing parents: no-op. */
export function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const parent = getAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object' || parent === undefined) return root;
  const key = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (value === undefined) parent.splice(key, 1);
    else parent[key] = value;
  } else {
    const obj = parent as Record<string, Json>;
    if (value === undefined) delete obj[key];
    else obj[key] = value;
  }
  return root;
}

/** `depth` levels of arrays (or objects) around `inner`, built without recursion. */
export function deep(depth: number, kind: 'array' | 'object', inner: Json = 1): Json {
  let v: Json = inner;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Values that make the engine take other branches: known event names, ARNs, edge times. */
const MEANINGFUL = [
  '',
  ' ',
  'true',
  '0',
  'root',
  'host',
  'ENABLED',
  'latest',
  'null',
  '__proto__',
  'constructor',
  'RegisterTaskDefinition',
  'RunTask',
  'StartTask',
  'CreateService',
  'UpdateService',
  'CreateTaskSet',
  'CreateCluster',
  'UpdateClusterSettings',
  'ecs.amazonaws.com',
  'ThrottlingException',
  'Client.RequestLimitExceeded',
  'ECS_OPERATION_THROTTLED',
  'SERVICE_TASK_PLACEMENT_FAILURE',
  'SERVICE_DEPLOYMENT_FAILED',
  'ECS Task State Change',
  'ECS Service Action',
  'AWS API Call via CloudTrail',
  'ECS Container Instance State Change',
  'ECS Deployment State Change',
  'arn:aws:ecs:us-west-2:111122223333:service/prod/web',
  'arn:aws:ecs:us-west-2:111122223333:task-definition/web:1',
  'arn:',
  '2026-03-02T08:00:00Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '111122223333',
  'guardrail:exempt',
  '* td-root-user@x;until=2027-02-30',
  '\u0000',
  '\ud800',
  '🛡️‮evil',
];

export const replacement: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...MEANINGFUL),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, {
    maxKeys: 5,
  }),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
);

export type Mutation =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'huge'; readonly at: number }
  | { readonly kind: 'deep'; readonly at: number; readonly shape: 'array' | 'object' }
  | { readonly kind: 'truncate'; readonly at: number; readonly keep: number }
  | { readonly kind: 'wrap'; readonly at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: replacement }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      at: fc.nat(),
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), keep: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at: fc.nat() }) },
);

/** Apply mutations to a fresh copy of the sample (paths chosen among the ORIGINAL nodes). */
export function mutate(sample: Sample, mutations: readonly Mutation[]): Json {
  let root = structuredClone(sample.value);
  for (const m of mutations) {
    const path = sample.paths[m.at % sample.paths.length]!;
    const node = getAt(root, path);
    switch (m.kind) {
      case 'delete':
        root = setAt(root, path, undefined);
        break;
      case 'replace':
        root = setAt(root, path, m.value);
        break;
      case 'huge':
        // 10,000 copies of the node (containers, attachments, tasks, ... when it is an array element).
        root = setAt(
          root,
          path,
          Array.from({ length: 10_000 }, () => node ?? null),
        );
        break;
      case 'deep':
        root = setAt(root, path, deep(5_000, m.shape, node ?? null));
        break;
      case 'truncate':
        if (typeof node === 'string') root = setAt(root, path, node.slice(0, m.keep % (node.length + 1)));
        else if (Array.isArray(node)) root = setAt(root, path, node.slice(0, m.keep % (node.length + 1)));
        break;
      case 'wrap':
        root = setAt(root, path, [node ?? null]);
        break;
    }
  }
  return root;
}

export const mutatedSample = fc
  .tuple(fc.nat({ max: SAMPLES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([i, mutations]) => ({ sample: SAMPLES[i]!.name, mutations, event: mutate(SAMPLES[i]!, mutations) }));

export type Outcome =
  { readonly ok: true; readonly json: string } | { readonly ok: false; readonly error: InvalidEventError };

/**
 * Evaluate one raw value: either findings that keep the finding contract, or an InvalidEventError.
 * Any other exception propagates (and fails the property).
 */
export async function evaluateOrReject(raw: unknown): Promise<Outcome> {
  try {
    const result = await evaluateRaw(raw, deps());
    for (const f of result.findings) {
      if (typeof f.findingId !== 'string' || !/^[0-9a-f]{32}$/.test(f.findingId))
        throw new Error('bad findingId');
      if (!SEVERITIES.includes(f.severity)) throw new Error(`bad severity ${String(f.severity)}`);
      if (typeof f.resource.arn !== 'string' || !f.resource.arn)
        throw new Error('finding without resource ARN');
      if (!Array.isArray(f.evidence)) throw new Error('finding without evidence list');
    }
    return { ok: true, json: JSON.stringify(result) };
  } catch (err) {
    if (err instanceof InvalidEventError) {
      if (!err.problem) throw new Error('InvalidEventError without a problem');
      return { ok: false, error: err };
    }
    throw err;
  }
}
