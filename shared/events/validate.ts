import * as v from 'valibot';
import { fieldPath, InvalidEventError } from './errors';
import { compileCheck } from './fast-check';

function describeType(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  return typeof x;
}

/**
 * Parse `input` with `schema` or throw an InvalidEventError naming the field and the problem.
 * The message says what type was found, never the value, so a secret in a bad field cannot leak.
 * An input the schema's compiled check accepts is returned as it is (./fast-check.ts: the same acceptance
 * without valibot's copy of the event); anything else goes through valibot, which names the problem.
 */
export function validate<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  basePath: string,
): v.InferOutput<S> {
  const fast = compileCheck(schema);
  if (fast?.(input)) return input as v.InferOutput<S>;
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const sub = fieldPath(issue.path); // never quotes a map key: it may be a secret
  const path = sub ? (basePath ? `${basePath}.${sub}` : sub) : basePath || undefined;
  let problem: string;
  if (issue.kind === 'schema' && issue.type !== 'custom') {
    problem =
      issue.input === undefined
        ? `is required (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${describeType(issue.input)}`;
  } else {
    problem = issue.message;
  }
  throw new InvalidEventError(problem, path);
}
