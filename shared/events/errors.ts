/** Typed errors for bad input: each names the problem and where it is, never the offending value. */
import { GuardrailError } from '../base/errors';

export class InvalidEventError extends GuardrailError {
  override readonly name = 'InvalidEventError';
  /** Dot path of the offending field, e.g. `detail.requestParameters.containerDefinitions[0].privileged`. */
  readonly path: string | undefined;
  readonly problem: string;

  constructor(problem: string, path?: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.problem = problem;
    this.path = path;
  }
}

/** One step of a validation issue's path (valibot's `issue.path` items). */
export interface PathStep {
  readonly key?: unknown;
  readonly input?: unknown;
}

/**
 * Fields of the event schemas (schemas.ts) whose keys are free-form: a key under them may itself be a
 * secret (`logConfiguration.options`). valibot reports a record's key like an object's field, so the
 * maps are named here.
 */
const FREE_FORM_MAPS: ReadonlySet<string> = new Set(['options', 'dockerLabels', 'tags']);

/**
 * The dot path of an issue for an error message. A key of a free-form map is never quoted: it is named
 * by its position, `logConfiguration.options.<key 2>` (the third key). Field names are shown as they are.
 */
export function fieldPath(steps: readonly PathStep[] | undefined): string | undefined {
  if (!steps?.length) return undefined;
  const parts: string[] = [];
  let inMap = false;
  for (const step of steps) {
    if (typeof step.key === 'number') parts.push(String(step.key));
    else if (typeof step.key !== 'string') return undefined;
    else if (inMap) {
      const keys = step.input && typeof step.input === 'object' ? Object.keys(step.input) : [];
      parts.push(`<key ${keys.indexOf(step.key)}>`);
    } else parts.push(step.key);
    inMap = typeof step.key === 'string' && !inMap && FREE_FORM_MAPS.has(step.key);
  }
  return parts.join('.');
}
