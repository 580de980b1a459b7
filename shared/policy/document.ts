/**
 * The policy document: its schema, validation and defaults, without the YAML syntax (load.ts): the event
 * Lambdas read the packaged JSON policy and never load a YAML parser (BENCHMARKS.md "Lambda functions").
 * Unknown keys and unknown rule ids are errors (a typo in a security policy must not silently turn a rule
 * off); every error names the key and the problem.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { MODES, modeRemediates, SEVERITIES, type Mode } from '../model/finding';
import { ACTION_SPECS, ACTION_SPECS_BY_NAME, defaultActionParams } from '../plugins/actions';
import type { ChannelSection, SectionInput } from '../plugins/channel';
import { CHANNEL_SPECS, type ChannelSections } from '../plugins/channels';
import { RULES, RULES_BY_ID } from '../rules/registry';
import type { Rule } from '../rules/types';
import { PolicyError } from './errors';
import { isCalendarDate } from './exemptions';
import type {
  NotificationsPolicy,
  OrganizationPolicy,
  Policy,
  PolicyExemption,
  RemediationPolicy,
  RulePolicy,
  ScopePolicy,
} from './types';

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
      v.check(isCalendarDate, 'must be a date YYYY-MM-DD'),
    ),
  ),
  reason: v.optional(v.string()),
});

const RuleEntrySchema = v.strictObject({
  mode: v.optional(v.picklist(MODES)),
  severity: v.optional(v.picklist(SEVERITIES)),
  params: v.optional(v.record(v.string(), v.unknown())),
});

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|\*):iam::(\d{12}|\*):role\/[\w+=,.@/*-]+$/;

/** A 12-digit account id; a number is accepted so the error can say "quote it" (a leading 0 is lost). */
const AccountIdSchema = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d{12}$/, 'must be a 12-digit account id (quote it in YAML)'),
);

const ScopeSchema = v.strictObject({
  allowAccounts: v.optional(v.nullable(v.array(AccountIdSchema))),
});

const RoleNameSchema = v.pipe(v.string(), v.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name'));
const ExternalIdSchema = v.pipe(
  v.string(),
  v.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 characters of [A-Za-z0-9+=,.@:/_-]'),
);

// organization: (docs/cross-account.md): the member-account roles of enrichment and Security Hub.
const OrganizationSchema = v.strictObject({
  readRoleName: v.optional(RoleNameSchema),
  findingsRoleName: v.optional(RoleNameSchema),
  externalId: v.optional(ExternalIdSchema),
});

export const DEFAULT_ORGANIZATION_POLICY: OrganizationPolicy = {
  readRoleName: 'ecs-guardrail-read',
  findingsRoleName: 'ecs-guardrail-findings',
};

const RemediationSchema = v.strictObject({
  budgetPerHour: v.optional(
    v.pipe(
      v.number(),
      v.integer('must be a whole number'),
      v.minValue(0, 'must be 0 or more'),
      v.maxValue(1000, 'must be at most 1000'),
    ),
  ),
  guardrailRoleArns: v.optional(
    v.array(
      v.pipe(v.string(), v.regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)')),
    ),
  ),
  allowAccounts: v.optional(v.array(AccountIdSchema)),
  roleName: v.optional(RoleNameSchema),
  externalId: v.optional(ExternalIdSchema),
  /** Per action: its parameters (the action's schema validates them below). */
  actions: v.optional(v.nullable(v.record(v.string(), v.nullable(v.record(v.string(), v.unknown()))))),
  // Deprecated spelling: an action's `legacyKeys` directly under remediation: (mapped onto the action).
  ...Object.fromEntries(
    ACTION_SPECS.flatMap((a) => a.params?.legacyKeys ?? []).map((k) => [k, v.optional(v.unknown())]),
  ),
});

export const DEFAULT_REMEDIATION_POLICY: RemediationPolicy = {
  budgetPerHour: 10,
  guardrailRoleArns: [],
  actions: defaultActionParams(),
};

// notifications: (docs/notifications.md): the lifecycle keys, then each channel's own section schema.
const NotificationsSchema = v.strictObject({
  suppressionHours: v.optional(
    v.pipe(
      v.number(),
      v.check((n) => n > 0 && n <= 8760, 'must be more than 0 and at most 8760 (a year)'),
    ),
  ),
  reminders: v.optional(v.boolean()),
  ...Object.fromEntries(CHANNEL_SPECS.map((c) => [c.name, v.optional(v.nullable(c.policySchema))])),
});

/** A channel's section: the policy's values over the channel's defaults. */
function channelSection(c: (typeof CHANNEL_SPECS)[number], given: unknown): ChannelSection {
  if (given === undefined || given === null) return c.defaults;
  const g = given as SectionInput<ChannelSection>;
  return c.resolve
    ? c.resolve(g)
    : ({
        ...c.defaults,
        ...Object.fromEntries(Object.entries(g).filter(([, x]) => x !== undefined && x !== null)),
      } as ChannelSection);
}

export const DEFAULT_NOTIFICATIONS_POLICY: NotificationsPolicy = {
  suppressionHours: 24,
  reminders: true,
  ...(Object.fromEntries(CHANNEL_SPECS.map((c) => [c.name, c.defaults])) as ChannelSections),
};

/** The policy file as the loader accepts it (rule params are checked against each rule's own schema). */
export const PolicySchema = v.strictObject({
  version: v.optional(v.literal(1)),
  dryRun: v.optional(v.boolean()),
  defaultMode: v.optional(v.picklist(MODES)),
  rules: v.optional(v.nullable(v.record(v.string(), v.nullable(RuleEntrySchema)))),
  exemptions: v.optional(v.nullable(v.array(ExemptionSchema))),
  remediation: v.optional(v.nullable(RemediationSchema)),
  notifications: v.optional(v.nullable(NotificationsSchema)),
  scope: v.optional(v.nullable(ScopeSchema)),
  organization: v.optional(v.nullable(OrganizationSchema)),
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
  // An unknown key is a `never` issue; a missing key or a non-mapping is a strict_object issue too.
  if (issue.kind === 'schema' && issue.expected === 'never') {
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

/** ` (did you mean X?)` for the known id closest to `given` (3 edits at most), else empty. */
export function didYouMean(given: string, known: readonly string[]): string {
  const best = known.map((k) => ({ k, d: editDistance(given, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 3 ? ` (did you mean ${best.k}?)` : '';
}

function unknownRule(id: string, key: string, source?: string): PolicyError {
  return new PolicyError(
    `unknown rule id${didYouMean(
      id,
      RULES.map((r) => r.id),
    )}`,
    key,
    source,
  );
}

/**
 * Every action's parameters: defaults, then the deprecated keys directly under `remediation:`, then
 * `remediation.actions.<name>`, validated by the action's own schema (shared/plugins/actions).
 */
function actionParams(section: Readonly<Record<string, unknown>>, source?: string): Record<string, unknown> {
  const given = (section.actions ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const name of Object.keys(given)) {
    const action = ACTION_SPECS_BY_NAME.get(name);
    const key = `remediation.actions.${name}`;
    if (!action)
      throw new PolicyError(
        `unknown action${didYouMean(name, [...ACTION_SPECS_BY_NAME.keys()])}`,
        key,
        source,
      );
    if (!action.params && given[name] && Object.keys(given[name]).length)
      throw new PolicyError('this action takes no parameters', key, source);
  }
  const out: Record<string, unknown> = {};
  for (const action of ACTION_SPECS) {
    const spec = action.params;
    if (!spec) continue;
    const name = action.meta.name;
    const defaults = spec.defaults as Record<string, unknown>;
    const legacy: Record<string, unknown> = {};
    for (const k of spec.legacyKeys ?? []) {
      if (section[k] === undefined) continue;
      if (given[name]?.[k] !== undefined)
        throw new PolicyError(
          `set it once, as remediation.actions.${name}.${k} (remediation.${k} is its older spelling)`,
          `remediation.${k}`,
          source,
        );
      // Validated here so an error names the key as written.
      parseWith(spec.schema, { ...defaults, [k]: section[k] }, 'remediation', source);
      legacy[k] = section[k];
    }
    const values = given[name] ?? {};
    for (const k of Object.keys(values))
      if (!Object.hasOwn(defaults, k))
        throw new PolicyError(
          `unknown parameter${didYouMean(k, Object.keys(defaults))} (known: ${Object.keys(defaults).join(', ')})`,
          `remediation.actions.${name}.${k}`,
          source,
        );
    out[name] = parseWith(
      spec.schema,
      { ...defaults, ...legacy, ...values },
      `remediation.actions.${name}`,
      source,
    );
  }
  return out;
}

/**
 * The mode of a rule the file does not name: the policy's `defaultMode`, lowered to the rule's own default
 * (an opt-in or observe-only rule) and to `notify` for a rule without an action.
 */
export function ruleDefaultMode(rule: Rule, defaultMode: Mode): Mode {
  const capped =
    rule.defaultMode && MODES.indexOf(rule.defaultMode) < MODES.indexOf(defaultMode)
      ? rule.defaultMode
      : defaultMode;
  return modeRemediates(capped) && !rule.remediation ? 'notify' : capped;
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
        if (!Object.hasOwn(defaults, k))
          throw new PolicyError(
            `unknown parameter (known: ${Object.keys(defaults).join(', ')})`,
            `rules.${rule.id}.params.${k}`,
            source,
          );
      params = parseWith(rule.params.schema, { ...defaults, ...given }, `rules.${rule.id}.params`, source);
    } else if (entry.params && Object.keys(entry.params).length) {
      throw new PolicyError('this rule takes no parameters', `rules.${rule.id}.params`, source);
    }
    if (entry.mode && modeRemediates(entry.mode) && !rule.remediation)
      throw new PolicyError(
        `rule has no remediation action; use notify or observe`,
        `rules.${rule.id}.mode`,
        source,
      );
    rules[rule.id] = {
      mode: entry.mode ?? ruleDefaultMode(rule, defaultMode),
      ...(entry.severity ? { severity: entry.severity } : {}),
      params,
    };
  }

  const exemptions: PolicyExemption[] = (parsed.exemptions ?? []).map((e, i) => {
    if (e.rule !== '*' && !RULES_BY_ID.has(e.rule))
      throw unknownRule(e.rule, `exemptions[${i}].rule`, source);
    return e;
  });
  const r = parsed.remediation ?? {};
  if (r.externalId && !r.roleName)
    throw new PolicyError(
      'needs remediation.roleName (the role it is for)',
      'remediation.externalId',
      source,
    );
  const remediation: RemediationPolicy = {
    budgetPerHour: r.budgetPerHour ?? DEFAULT_REMEDIATION_POLICY.budgetPerHour,
    guardrailRoleArns: r.guardrailRoleArns ?? DEFAULT_REMEDIATION_POLICY.guardrailRoleArns,
    ...(r.allowAccounts ? { allowAccounts: r.allowAccounts } : {}),
    ...(r.roleName ? { roleName: r.roleName } : {}),
    ...(r.externalId ? { externalId: r.externalId } : {}),
    actions: actionParams(r, source),
  };
  const scope: ScopePolicy = { allowAccounts: parsed.scope?.allowAccounts ?? [] };
  // An account remediation may act in but whose events are dropped is a contradiction, not a setting.
  if (scope.allowAccounts.length) {
    const i = (r.allowAccounts ?? []).findIndex((a) => !scope.allowAccounts.includes(a));
    if (i >= 0)
      throw new PolicyError(
        'not in scope.allowAccounts: its events are dropped, so it would never be remediated',
        `remediation.allowAccounts.${i}`,
        source,
      );
  }
  const n = (parsed.notifications ?? {}) as Readonly<Record<string, unknown>>;
  const d = DEFAULT_NOTIFICATIONS_POLICY;
  const notifications: NotificationsPolicy = {
    suppressionHours: (n.suppressionHours as number | undefined) ?? d.suppressionHours,
    reminders: (n.reminders as boolean | undefined) ?? d.reminders,
    ...(Object.fromEntries(
      CHANNEL_SPECS.map((c) => [c.name, channelSection(c, n[c.name])]),
    ) as ChannelSections),
  };
  const o = parsed.organization ?? {};
  const organization: OrganizationPolicy = {
    readRoleName: o.readRoleName ?? DEFAULT_ORGANIZATION_POLICY.readRoleName,
    findingsRoleName: o.findingsRoleName ?? DEFAULT_ORGANIZATION_POLICY.findingsRoleName,
    ...(o.externalId ? { externalId: o.externalId } : {}),
  };
  return {
    dryRun: parsed.dryRun ?? false,
    rules,
    exemptions,
    remediation,
    notifications,
    scope,
    organization,
  };
}

/** The text of a policy file; an unreadable file is a PolicyError naming it. */
export function readPolicyText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(
      `cannot read policy file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      undefined,
      path,
    );
  }
}

/**
 * As loadPolicyFile (load.ts), for the Lambdas: a `.json` file (what `npm run package` ships, converted
 * from the YAML) is read without the YAML parser, which any other file loads on demand.
 */
export async function loadPolicyFileLazily(path: string): Promise<Policy> {
  const text = readPolicyText(path);
  if (!path.endsWith('.json')) {
    const { parseYamlDocument } = await import('./yaml');
    return policyFromDocument(parseYamlDocument(text, path), path);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(`not valid JSON: ${(err as Error).message}`, undefined, path);
  }
  return policyFromDocument(doc, path);
}

/** The default policy: every rule in notify mode with its default parameters. */
export const DEFAULT_POLICY: Policy = policyFromDocument({});
