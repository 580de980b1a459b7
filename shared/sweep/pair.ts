/**
 * One (account, region) pair of an organization sweep: its input validated (the per-pair Lambda's
 * contract) and the names it is reported under.
 */
import * as v from 'valibot';
import { GuardrailError } from '../base/errors';

export interface SweepPair {
  readonly account: string;
  readonly region: string;
}

/** A region name as AWS spells it: `eu-west-1`, `us-gov-west-1`, `ap-southeast-5`, `cn-north-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const ACCOUNT_PATTERN = /^\d{12}$/;

/** Bad sweep input (a Map item, a `--regions` or `--accounts` value): names the field, never the value. */
export class SweepInputError extends GuardrailError {
  override readonly name = 'SweepInputError';
}

const PairSchema = v.strictObject({
  account: v.pipe(v.string('must be a string'), v.regex(ACCOUNT_PATTERN, 'must be a 12-digit account id')),
  region: v.pipe(v.string('must be a string'), v.regex(REGION_PATTERN, 'must be a region name')),
});

/** `{ account, region }` exactly; anything else raises SweepInputError naming the field and the problem. */
export function parseSweepPair(input: unknown): SweepPair {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new SweepInputError('sweep input (input): must be an object { account, region }');
  const r = v.safeParse(PairSchema, input);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = v.getDotPath(issue) ?? '(input)';
  const problem =
    issue.type === 'strict_object' && issue.expected === 'never'
      ? 'is not part of the sweep input ({ account, region })'
      : issue.kind === 'schema' && issue.received === 'undefined'
        ? 'is required'
        : issue.message;
  throw new SweepInputError(`sweep input ${path}: ${problem}`);
}

export function isRegionName(s: string): boolean {
  return REGION_PATTERN.test(s);
}

export function isAccountId(s: string): boolean {
  return ACCOUNT_PATTERN.test(s);
}

export const pairLabel = (p: SweepPair): string => `${p.account} ${p.region}`;
