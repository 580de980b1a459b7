/**
 * The policy file: one YAML document. Unknown keys and unknown rule ids are errors (a typo in a security
 * policy must not silently turn a rule off); every error names the key and the problem.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import { MODES, SEVERITIES, type Mode } from '../model/finding';
import { RULES, RULES_BY_ID } from '../rules/registry';
import { PolicyError } from './errors';
import type { Policy, PolicyExemption, RulePolicy } from './types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const ExemptionSchema = v.strictObject({
  rule: v.string(),
  arn: v.string(),
  container: v.optional(v.string()),
  until: v.optional(
    v.pipe(
      v.union([v.string(), v.date()]),
      v.transform(toIsoDate),
      v.regex(DATE, 'must be a date YYYY-MM-DD'),
    ),
  ),
  reason: v.optional(v.string()),
});

const RuleEntrySchema = v.strictObject({
  mode: v.optional(v.picklist(MODES)),
  severity: v.optional(v.picklist(SEVERITIES)),
  params: v.optional(v.record(v.string(), v.unknown())),
});

const PolicySchema = v.strictObject({
  version: v.optional(v.literal(1)),
  dryRun: v.optional(v.boolean()),
  defaultMode: v.optional(v.picklist(MODES)),
  rules: v.optional(v.nullable(v.record(v.string(), v.nullable(RuleEntrySchema)))),
  exemptions: v.optional(v.nullable(v.array(ExemptionSchema))),
});

function toIsoDate(x: string | Date): string {
  return x instanceof Date ? x.toISOString().slice(0, 10) : x;
}

function show(x: unknown): string {
  if (typeof x === 'string') return x.length > 40 ? `a string of ${x.length} characters` : JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean' || x === null) return String(x);
  return Array.isArray(x) ? 'a list' : typeof x === 'object' ? 'a mapping' : typeof x;
}

function issueToError(issue: v.BaseIssue<unknown>, prefix: string, source?: string): PolicyError {
  const path = v.getDotPath(issue);
  const key = [prefix, path].filter(Boolean).join('.') || undefined;
  let problem: string;
  if (issue.type === 'strict_object' || (issue.kind === 'schema' && issue.expected === 'never')) {
    problem = 'unknown key';
  } else if (issue.kind === 'schema') {
    problem =
      issue.input === undefined
        ? `is required (${issue.expected})`
        : `expected ${issue.expected}, got ${show(issue.input)}`;
  } else {
    problem = issue.message;
  }
  return new PolicyError(problem, key, source);
}

function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  prefix: string,
  source?: string,
): v.InferOutput<S> {
  const r = v.safeParse(schema, input, { abortEarly: true });
  if (!r.success) throw issueToError(r.issues[0], prefix, source);
  return r.output;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

function unknownRule(id: string, key: string, source?: string): PolicyError {
  const best = RULES.map((r) => ({ id: r.id, d: editDistance(id, r.id) })).sort((x, y) => x.d - y.d)[0];
  const hint = best && best.d <= 3 ? ` (did you mean ${best.id}?)` : '';
  return new PolicyError(`unknown rule id${hint}`, key, source);
}

/** Build a Policy from an already-parsed document (YAML or JSON object). */
export function policyFromDocument(doc: unknown, source?: string): Policy {
  const parsed = parseWith(PolicySchema, doc ?? {}, '', source);
  const defaultMode: Mode = parsed.defaultMode ?? 'notify';
  const entries = parsed.rules ?? {};
  for (const id of Object.keys(entries))
    if (!RULES_BY_ID.has(id)) throw unknownRule(id, `rules.${id}`, source);

  const rules: Record<string, RulePolicy> = {};
  for (const rule of RULES) {
    const entry = entries[rule.id] ?? {};
    let params: unknown = undefined;
    if (rule.params) {
      const defaults = rule.params.defaults as Record<string, unknown>;
      const given = entry.params ?? {};
      for (const k of Object.keys(given))
        if (!(k in defaults))
          throw new PolicyError(
            `unknown parameter (known: ${Object.keys(defaults).join(', ')})`,
            `rules.${rule.id}.params.${k}`,
            source,
          );
      params = parseWith(rule.params.schema, { ...defaults, ...given }, `rules.${rule.id}.params`, source);
    } else if (entry.params && Object.keys(entry.params).length) {
      throw new PolicyError('this rule takes no parameters', `rules.${rule.id}.params`, source);
    }
    if (entry.mode === 'remediate' && !rule.remediation)
      throw new PolicyError(
        `rule has no remediation action; use notify or observe`,
        `rules.${rule.id}.mode`,
        source,
      );
    rules[rule.id] = {
      mode: entry.mode ?? (defaultMode === 'remediate' && !rule.remediation ? 'notify' : defaultMode),
      ...(entry.severity ? { severity: entry.severity } : {}),
      params,
    };
  }

  const exemptions: PolicyExemption[] = (parsed.exemptions ?? []).map((e, i) => {
    if (e.rule !== '*' && !RULES_BY_ID.has(e.rule))
      throw unknownRule(e.rule, `exemptions[${i}].rule`, source);
    return e;
  });
  return { dryRun: parsed.dryRun ?? false, rules, exemptions };
}

export function parsePolicy(text: string, source?: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new PolicyError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`, undefined, source);
  }
  return policyFromDocument(doc, source);
}

export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(
      `cannot read policy file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      undefined,
      path,
    );
  }
  return parsePolicy(text, path);
}

/** The default policy: every rule in notify mode with its default parameters. */
export const DEFAULT_POLICY: Policy = policyFromDocument({});
