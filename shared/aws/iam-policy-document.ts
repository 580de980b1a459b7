/**
 * An IAM policy document (as IAM returns it: URL-encoded JSON) -> the statements the rules read. `Action`,
 * `NotAction`, `Resource` and `NotResource` may be a string or a list; `Statement` an object or a list.
 * A document that is not valid JSON or not a policy is an EnrichmentError naming the policy, never its
 * text (a document can be large and is the customer's).
 */
import { EnrichmentError } from '../engine/enrich';
import type { PolicyStatement } from '../model/resources';

/** IAM's own limit for a managed policy is 6,144 characters without whitespace; decoded text is capped well above it. */
export const MAX_POLICY_DOCUMENT_CHARS = 131_072;

export function parsePolicyDocument(
  encoded: string | undefined,
  operation: string,
  what: string,
): PolicyStatement[] {
  const bad = (why: string) =>
    new EnrichmentError(operation, 'InvalidPolicyDocument', false, `${operation} ${what}: ${why}`);
  if (encoded === undefined || encoded === '') throw bad('no policy document in the answer');
  if (encoded.length > MAX_POLICY_DOCUMENT_CHARS * 3) throw bad('policy document too large');
  let text: string;
  try {
    text = encoded.trimStart().startsWith('{') ? encoded : decodeURIComponent(encoded);
  } catch {
    throw bad('policy document is not URL-encoded text');
  }
  if (text.length > MAX_POLICY_DOCUMENT_CHARS) throw bad('policy document too large');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('policy document is not JSON');
  }
  if (!isObject(doc)) throw bad('policy document is not a JSON object');
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((s, i) => {
    if (!isObject(s)) throw bad(`Statement[${i}] is not an object`);
    const field = (key: string): string[] | undefined => {
      const value = s[key];
      if (value === undefined) return undefined;
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((x): x is string => typeof x === 'string'))
        throw bad(`Statement[${i}].${key} is not a string or a list of strings`);
      return values;
    };
    const effect = s.Effect;
    if (typeof effect !== 'string') throw bad(`Statement[${i}].Effect is not a string`);
    const action = field('Action');
    const notAction = field('NotAction');
    const resource = field('Resource');
    const notResource = field('NotResource');
    return {
      ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
      effect,
      ...(action ? { action } : {}),
      ...(notAction ? { notAction } : {}),
      ...(resource ? { resource } : {}),
      ...(notResource ? { notResource } : {}),
      hasCondition: s.Condition !== undefined,
    };
  });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
