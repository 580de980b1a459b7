/**
 * The engine: normalized event + policy -> findings. Pure and synchronous; aggregation windows are a
 * separate step (`countWindows`) because their counter may live in DynamoDB.
 */
import { boundFinding, MAX_EVIDENCE, moreEvidence } from '../model/bounded-finding';
import {
  AWAITING_APPROVAL,
  modeRemediates,
  type Evidence,
  type Finding,
  type FindingAction,
  type Severity,
} from '../model/finding';
import { RESOURCE_TYPE, type Resource } from '../model/resources';
import type { NormalizedEvent } from '../events/normalize';
import { applicableExemptions, applyExemptions, PROTECT_TAG } from '../policy/exemptions';
import type { Policy, RulePolicy } from '../policy/types';
import { frameworksOf } from '../rules/frameworks';
import { RULES } from '../rules/registry';
import {
  compileSecretPatterns,
  DEFAULT_SECRET_PATTERNS,
  redactName,
  redactTags,
  redactText,
  redactValueFormats,
  type CompiledSecretPatterns,
  type SecretPatterns,
} from '../rules/secrets';
import type { ResourceRule, Rule, SignalRule, WindowSpec } from '../rules/types';
import { findingIdOf } from './finding-id';
import { knownEvidence, locateEvidence } from './locate';
import { windowStart, type WindowCounter } from './windows';

export interface EvaluateOptions {
  readonly policy: Policy;
  /** For exemption expiry; defaults to the current time. */
  readonly now?: Date;
}

/** A finding of an aggregated rule, waiting for its window count. */
export interface WindowCandidate {
  /** As the rule made it: redacted and bounded by `completeWindow`, only when its window fires. */
  readonly finding: Finding;
  /** The credential detector of the policy that evaluated it. */
  readonly secrets: CompiledSecretPatterns;
  readonly key: string;
  readonly windowStartMs: number;
  readonly spec: WindowSpec;
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly windowed: WindowCandidate[];
}

interface ActiveRules {
  readonly byResource: ReadonlyMap<string, readonly ResourceRule[]>;
  readonly bySignal: ReadonlyMap<string, readonly SignalRule[]>;
}

const activeCache = new WeakMap<Policy, ActiveRules>();

/** Rules grouped by what they apply to, without the ones the policy turns off (cached per policy). */
function activeRules(policy: Policy): ActiveRules {
  let a = activeCache.get(policy);
  if (!a) {
    const byResource = new Map<string, ResourceRule[]>();
    const bySignal = new Map<string, SignalRule[]>();
    for (const r of RULES as readonly Rule[]) {
      if (policy.rules[r.id]?.mode === 'off') continue;
      const map = (r.family === 'resource' ? byResource : bySignal) as Map<string, Rule[]>;
      const list = map.get(r.appliesTo) ?? [];
      list.push(r);
      map.set(r.appliesTo, list);
      if (r.family !== 'resource' || !r.alsoChecks) continue;
      // The same rule (id, policy, controls) on another kind, with that kind's check and no remediation.
      for (const [kind, check] of Object.entries(r.alsoChecks)) {
        const other = byResource.get(kind) ?? [];
        other.push({ ...r, appliesTo: kind, check, remediation: undefined } as unknown as ResourceRule);
        byResource.set(kind, other);
      }
    }
    a = { byResource, bySignal };
    activeCache.set(policy, a);
  }
  return a;
}

function rulePolicy(policy: Policy, rule: Rule): RulePolicy {
  return policy.rules[rule.id] ?? { mode: 'notify', params: rule.params?.defaults };
}

function actionFor(
  rule: Rule,
  rp: RulePolicy,
  policy: Policy,
  tags: Readonly<Record<string, string>> | undefined,
): FindingAction | undefined {
  if (!modeRemediates(rp.mode) || !rule.remediation) return undefined;
  const name = rule.remediation.action;
  if (tags?.[PROTECT_TAG] === 'true')
    return { name, status: 'skipped', reason: `resource is tagged ${PROTECT_TAG}=true: notify only` };
  if (policy.dryRun) return { name, status: 'planned', reason: `dry-run: would ${rule.remediation.summary}` };
  if (rp.mode === 'approve')
    return { name, status: 'planned', reason: `${AWAITING_APPROVAL}: would ${rule.remediation.summary}` };
  return { name, status: 'planned' };
}

function resourceName(r: Resource): string | undefined {
  switch (r.kind) {
    case 'TaskDefinition':
      return r.revision !== undefined ? `${r.family}:${r.revision}` : r.family;
    case 'Service':
    case 'Cluster':
      return r.name;
    case 'SecurityGroup':
      return r.groupName ?? r.groupId;
    case 'AccountSetting':
      return r.principalArn ? `${r.name} (${r.principalArn})` : r.name;
    default:
      return undefined;
  }
}

/** The credential detector as the policy configures it (td-secrets-in-environment's parameters). */
function secretPatternsOf(policy: Policy): CompiledSecretPatterns {
  const p = policy.rules['td-secrets-in-environment']?.params as SecretPatterns | undefined;
  return compileSecretPatterns(p ?? DEFAULT_SECRET_PATTERNS);
}

/**
 * Every finding leaves the engine through here: what came from the input is passed through the
 * credential detector (value formats in any text, names carrying values, credential-like tags, reasons)
 * and bounded in size (model/bounded-finding.ts), so CLI, pipeline and sweep all get the same.
 */
function safeFinding(f: Finding, c: CompiledSecretPatterns): Finding {
  // Only the entries the bound keeps are worth redacting; nothing is copied that did not change.
  let evidence: readonly Evidence[];
  if (f.evidence.length > MAX_EVIDENCE) {
    const kept = f.evidence.slice(0, MAX_EVIDENCE - 1).map((e) => safeEvidence(e, c));
    evidence = [...kept, moreEvidence(kept.length, f.evidence.length)];
  } else {
    const mapped = f.evidence.map((e) => safeEvidence(e, c));
    evidence = mapped.some((e, i) => e !== f.evidence[i]) ? mapped : f.evidence;
  }
  const arn = redactValueFormats(f.resource.arn, c);
  const name = f.resource.name === undefined ? undefined : redactText(f.resource.name, c);
  const resource =
    arn === f.resource.arn && name === f.resource.name
      ? f.resource
      : { ...f.resource, arn, ...(name !== undefined ? { name } : {}) };
  const x = f.exemption;
  const exemption = x
    ? {
        ...x,
        ...(x.reason !== undefined ? { reason: redactText(x.reason, c) } : {}),
        ...(x.containers ? { containers: x.containers.map((n) => redactName(n, c)) } : {}),
      }
    : undefined;
  const tags = f.tags ? shownTags(f.tags, c) : undefined;
  // An infrastructure-as-code location names the file and the address the input chose (like the ARN).
  const at = f.location;
  const location = at && {
    ...at,
    file: redactValueFormats(at.file, c),
    address: redactValueFormats(at.address, c),
  };
  const locationChanged =
    at !== undefined && (location!.file !== at.file || location!.address !== at.address);
  const changed =
    evidence !== f.evidence ||
    resource !== f.resource ||
    exemption !== undefined ||
    tags !== f.tags ||
    locationChanged;
  return boundFinding(
    changed
      ? {
          ...f,
          evidence,
          resource,
          ...(exemption ? { exemption } : {}),
          ...(tags ? { tags } : {}),
          ...(locationChanged ? { location } : {}),
        }
      : f,
  );
}

/** An evidence entry as it may be shown: the same object when nothing in it was redacted. */
function safeEvidence(e: Evidence, c: CompiledSecretPatterns): Evidence {
  const path = redactValueFormats(e.path, c);
  const message = redactValueFormats(e.message, c);
  const container = e.container === undefined ? undefined : redactName(e.container, c);
  if (path === e.path && message === e.message && container === e.container) return e;
  return {
    path,
    message,
    ...(container !== undefined ? { container } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
  };
}

const shownTagsCache = new WeakMap<
  CompiledSecretPatterns,
  WeakMap<object, Readonly<Record<string, string>>>
>();

/** Tags as a finding shows them, once per resource (every finding about it carries the same tags). */
function shownTags(
  tags: Readonly<Record<string, string>>,
  c: CompiledSecretPatterns,
): Readonly<Record<string, string>> {
  let byTags = shownTagsCache.get(c);
  if (!byTags) shownTagsCache.set(c, (byTags = new WeakMap()));
  let shown = byTags.get(tags);
  if (!shown) byTags.set(tags, (shown = redactTags(tags, c)));
  return shown;
}

export function evaluate(n: NormalizedEvent, opts: EvaluateOptions): Evaluation {
  const { policy } = opts;
  const now = opts.now ?? new Date();
  const active = activeRules(policy);
  const secrets = secretPatternsOf(policy);
  const findings: Finding[] = [];
  const windowed: WindowCandidate[] = [];

  for (const resource of n.resources) {
    const rules = active.byResource.get(resource.kind);
    if (!rules) continue;
    for (const rule of rules) {
      const rp = rulePolicy(policy, rule);
      const checked = rule.check(resource as never, rp.params);
      const evidence = resource.origin ? knownEvidence(checked, resource.origin) : checked;
      if (evidence.length === 0) continue;
      const ex = applyExemptions(
        evidence,
        applicableExemptions(rule.id, resource.arn, resource.tags, policy.exemptions),
        now,
      );
      if (ex.evidence.length === 0 && !ex.exemption) continue;
      const located = resource.origin ? locateEvidence(ex.evidence, resource.origin) : undefined;
      const name = resourceName(resource);
      const action =
        ex.exemption && !ex.exemption.expired ? undefined : actionFor(rule, rp, policy, resource.tags);
      findings.push(
        safeFinding(
          {
            findingId: findingIdOf(rule.id, resource.arn),
            ruleId: rule.id,
            severity: rp.severity ?? rule.severityOf?.(resource as never, rp.params) ?? rule.severity,
            title: rule.title,
            resource: { type: RESOURCE_TYPE[resource.kind], arn: resource.arn, ...(name ? { name } : {}) },
            account: resource.account,
            region: resource.region,
            evidence: located?.evidence ?? ex.evidence,
            event: n.event,
            controls: rule.controls,
            frameworks: frameworksOf(rule),
            mode: rp.mode,
            advice: rule.advice,
            ...(action ? { action } : {}),
            ...(ex.exemption ? { exemption: ex.exemption } : {}),
            ...(resource.tags && Object.keys(resource.tags).length ? { tags: resource.tags } : {}),
            ...(located ? { location: located.location } : {}),
          },
          secrets,
        ),
      );
    }
  }

  const eventTimeMs = Date.parse(n.event.time);
  for (const signal of n.signals) {
    const rules = active.bySignal.get(signal.kind);
    if (!rules) continue;
    for (const rule of rules) {
      const rp = rulePolicy(policy, rule);
      const out = rule.check(signal as never, rp.params);
      if (!out) continue;
      const ex = applyExemptions(
        out.evidence,
        applicableExemptions(rule.id, out.resource.arn, out.tags, policy.exemptions),
        now,
      );
      if (ex.exemption && !ex.exemption.expired) continue;
      const base = {
        ruleId: rule.id,
        severity: rp.severity ?? out.severity ?? rule.severity,
        title: rule.title,
        resource: out.resource,
        account: n.account,
        region: n.region,
        evidence: ex.evidence,
        event: n.event,
        controls: rule.controls,
        frameworks: frameworksOf(rule),
        mode: rp.mode,
        advice: rule.advice,
        // Only an expired exemption gets here: the finding says it expired.
        ...(ex.exemption ? { exemption: ex.exemption } : {}),
        ...(out.tags && Object.keys(out.tags).length ? { tags: out.tags } : {}),
      };
      if (!out.window) {
        const findingId = findingIdOf(rule.id, out.resource.arn, undefined, out.key);
        findings.push(safeFinding({ findingId, ...base }, secrets));
        continue;
      }
      const key = [n.account, n.region, ...out.window.keyParts].join('|');
      const startMs = windowStart(eventTimeMs, out.window.windowMs);
      windowed.push({
        finding: {
          findingId: findingIdOf(rule.id, out.resource.arn, { key, windowStartMs: startMs }),
          ...base,
        },
        secrets,
        key: `${rule.id}|${key}`,
        windowStartMs: startMs,
        spec: out.window,
      });
    }
  }
  return { findings, windowed };
}

const isoCache = new Map<number, string>();

/** `new Date(ms).toISOString()`, kept per value: window bounds are aligned, so few distinct ones recur. */
function isoTime(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size >= 1024) isoCache.clear();
    iso = new Date(ms).toISOString();
    isoCache.set(ms, iso);
  }
  return iso;
}

/**
 * Complete a windowed candidate with its count: a finding once the count reaches the threshold
 * (`crossed` marks the event that reached it, and the one that reached the escalation point).
 */
export function completeWindow(
  c: WindowCandidate,
  count: number,
  explicitSeverity?: Severity,
): Finding | undefined {
  const { spec } = c;
  if (count < spec.threshold) return undefined;
  const escalated = spec.escalateAt !== undefined && count >= spec.escalateAt;
  const severity =
    escalated && spec.escalatedSeverity && !explicitSeverity ? spec.escalatedSeverity : c.finding.severity;
  // Most candidates never reach their threshold: the finding is made safe only here.
  return safeFinding(
    {
      ...c.finding,
      severity,
      aggregate: {
        key: c.key,
        windowStart: isoTime(c.windowStartMs),
        windowEnd: isoTime(c.windowStartMs + spec.windowMs),
        count,
        crossed: count === spec.threshold || count === spec.escalateAt,
      },
    },
    c.secrets,
  );
}

/** Count every windowed candidate and return the findings whose window reached its threshold. */
export async function countWindows(
  candidates: readonly WindowCandidate[],
  counter: WindowCounter,
  policy: Policy,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const c of candidates) {
    const count = await counter.increment(c.key, c.windowStartMs, c.spec.windowMs);
    const f = completeWindow(c, count, policy.rules[c.finding.ruleId]?.severity);
    if (f) out.push(f);
  }
  return out;
}
