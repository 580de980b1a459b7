/**
 * A small evaluator of the parts of a CloudFormation template the infra tests reason about: intrinsic
 * functions (Ref, Fn::Sub, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, Fn::Select,
 * Fn::Split, Fn::GetAtt kept symbolic) for given parameters, account and region; and an IAM trust policy
 * decision for an sts:AssumeRole request. moto enforces no trust policy, so "a principal outside the
 * organization is refused" is shown by evaluating the template's own statement. Anything it does not
 * know (another function, condition operator or principal form) throws: it never guesses "allowed".
 */
import { asArray, type Json, type Statement } from './templates';

export interface Stack {
  readonly parameters: Record<string, string>;
  readonly account: string;
  readonly region: string;
  readonly conditions?: Record<string, unknown>;
}

const NO_VALUE = Symbol('AWS::NoValue');

function ref(name: string, s: Stack): unknown {
  switch (name) {
    case 'AWS::AccountId':
      return s.account;
    case 'AWS::Region':
      return s.region;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      if (!(name in s.parameters)) throw new Error(`Ref ${name}: no such parameter given`);
      return s.parameters[name];
  }
}

export function condition(name: string, s: Stack): boolean {
  const c = s.conditions?.[name];
  if (c === undefined) throw new Error(`condition ${name} not defined`);
  return resolve(c, s) === true;
}

/** The value of a template fragment for the stack (GetAtt stays `{ 'Fn::GetAtt': [...] }`). */
export function resolve(x: unknown, s: Stack): unknown {
  if (Array.isArray(x)) return x.map((v) => resolve(v, s)).filter((v) => v !== NO_VALUE);
  if (x === null || typeof x !== 'object') return x;
  const o = x as Json;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const v = o[k];
    switch (k) {
      case 'Ref':
        return ref(String(v), s);
      case 'Condition':
        return condition(String(v), s);
      case 'Fn::Equals': {
        const [a, b] = v as [unknown, unknown];
        return resolve(a, s) === resolve(b, s);
      }
      case 'Fn::Not':
        return !(resolve((v as unknown[])[0], s) as boolean);
      case 'Fn::And':
        return (v as unknown[]).every((c) => resolve(c, s) === true);
      case 'Fn::Or':
        return (v as unknown[]).some((c) => resolve(c, s) === true);
      case 'Fn::If': {
        const [c, a, b] = v as [string, unknown, unknown];
        return resolve(condition(c, s) ? a : b, s);
      }
      case 'Fn::Select': {
        const [i, list] = v as [unknown, unknown];
        return (resolve(list, s) as unknown[])[Number(resolve(i, s))];
      }
      case 'Fn::Split': {
        const [sep, str] = v as [string, unknown];
        return String(resolve(str, s)).split(sep);
      }
      case 'Fn::Sub':
        if (typeof v !== 'string') throw new Error('Fn::Sub with a variable map: not supported here');
        return v.replace(/\$\{([\w:]+)\}/g, (_, name: string) => String(ref(name, s)));
      case 'Fn::GetAtt':
        return o;
      default:
        if (k.startsWith('Fn::')) throw new Error(`${k}: not supported by the test evaluator`);
    }
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    const r = resolve(v, s);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

/** What IAM knows about the caller of sts:AssumeRole (global condition keys). */
export interface AssumeRequest {
  /** aws:PrincipalArn: the role ARN of a role session. */
  readonly principalArn: string;
  /** aws:PrincipalOrgID; undefined for an account outside any organization. */
  readonly principalOrgId?: string;
  /** sts:ExternalId; undefined when the caller sends none. */
  readonly externalId?: string;
}

const accountOf = (arn: string): string => arn.split(':')[4]!;

function principalMatches(principal: unknown, req: AssumeRequest): boolean {
  const aws = (principal as { AWS?: unknown }).AWS;
  if (aws === undefined) throw new Error(`trust principal not understood: ${JSON.stringify(principal)}`);
  return asArray(aws as string | string[]).some((p) => {
    if (p === '*') return true;
    const root = /^arn:aws:iam::(\d{12}):root$/.exec(p);
    if (root) return accountOf(req.principalArn) === root[1];
    if (/^\d{12}$/.test(p)) return accountOf(req.principalArn) === p;
    return p === req.principalArn;
  });
}

function keyValue(key: string, req: AssumeRequest): string | undefined {
  switch (key) {
    case 'aws:PrincipalArn':
      return req.principalArn;
    case 'aws:PrincipalOrgID':
      return req.principalOrgId;
    case 'sts:ExternalId':
      return req.externalId;
    default:
      throw new Error(`condition key ${key}: not known to the test evaluator`);
  }
}

function conditionHolds(cond: Json | undefined, req: AssumeRequest): boolean {
  for (const [op, entries] of Object.entries(cond ?? {})) {
    if (op !== 'StringEquals' && op !== 'ArnEquals')
      throw new Error(`condition operator ${op}: not known to the test evaluator`);
    for (const [key, expected] of Object.entries(entries as Json)) {
      const actual = keyValue(key, req);
      // A key absent from the request never satisfies StringEquals / ArnEquals.
      if (actual === undefined || !asArray(expected as string | string[]).includes(actual)) return false;
    }
  }
  return true;
}

/** IAM's answer for a trust policy (already resolved for a stack): an explicit Deny wins, else any Allow. */
export function trustAllows(statements: Statement[], req: AssumeRequest): boolean {
  const applies = (st: Statement) =>
    asArray(st.Action).includes('sts:AssumeRole') &&
    principalMatches(st.Principal, req) &&
    conditionHolds(st.Condition as Json | undefined, req);
  if (statements.some((st) => st.Effect === 'Deny' && applies(st))) return false;
  return statements.some((st) => st.Effect === 'Allow' && applies(st));
}
