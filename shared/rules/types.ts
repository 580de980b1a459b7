/**
 * A rule is metadata plus a pure check. The registry of these is the single source for the engine,
 * policy validation (parameter schemas), the README rule table and the Security Hub mapping.
 */
import type * as v from 'valibot';
import type { Controls, Evidence, FrameworkId, Mode, Severity } from '../model/finding';
import type { ResourceKind, ResourceOfKind } from '../model/resources';
import type { SignalKind, SignalOfKind } from '../events/signals';

export interface RuleMeta {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** CloudFormation resource type the finding is about. */
  readonly resourceType: string;
  /** When it fires, in one sentence (the README table uses it). */
  readonly description: string;
  /** What the ECS Best Practices Guide advises. */
  readonly advice: string;
  readonly controls: Controls;
  /** The opt-in remediation action, when the rule has one. */
  readonly remediation?: { readonly action: string; readonly summary: string };
  /**
   * The rule's own default mode when it is noisier than the rest (`observe`) or opt-in (`off`); the
   * policy's `defaultMode` never raises it, a mode set for the rule in the policy file replaces it.
   */
  readonly defaultMode?: Exclude<Mode, 'remediate'>;
  /**
   * Requirement ids per compliance framework for a rule WITHOUT a Security Hub control (the project's own
   * mapping, marked as such in the output). Rules with a control take Security Hub's related requirements.
   */
  readonly ownFrameworks?: Readonly<Partial<Record<FrameworkId, readonly string[]>>>;
  /**
   * Set on a rule whose facts only events carry (a GuardDuty finding, an ECR call): the estate sweep does
   * not read them, so it neither evaluates the rule nor resolves its findings as gone.
   */
  readonly eventOnly?: true;
}

// The framework ids live with the finding contract (model); rules and their callers import them from here too.
export { FRAMEWORK_IDS, type FrameworkId } from '../model/finding';

export interface ParamSpec<P> {
  readonly schema: v.GenericSchema<unknown, P>;
  readonly defaults: P;
}

export interface ResourceRule<K extends ResourceKind = ResourceKind, P = unknown> extends RuleMeta {
  readonly family: 'resource';
  readonly appliesTo: K;
  readonly params?: ParamSpec<P>;
  /** Pure: the evidence of every violation in the resource; empty when compliant. */
  check(resource: ResourceOfKind<K>, params: P): Evidence[];
  /**
   * Pure, optional: a severity other than `severity` for this resource (e.g. higher when the workload is
   * also reachable from the internet). A severity set in the policy file still wins.
   */
  severityOf?(resource: ResourceOfKind<K>, params: P): Severity | undefined;
  /**
   * Other resource kinds the rule also judges, each with its own pure check (e.g. the account setting
   * that decides a cluster's default). The findings are about that resource; no remediation acts on them.
   */
  readonly alsoChecks?: {
    readonly [J in ResourceKind]?: (resource: ResourceOfKind<J>, params: P) => Evidence[];
  };
}

export interface WindowSpec {
  /** Key parts besides account and region. */
  readonly keyParts: readonly string[];
  readonly windowMs: number;
  /** Count at which the window produces its finding. */
  readonly threshold: number;
  /** Count at which severity rises to `escalatedSeverity`. */
  readonly escalateAt?: number;
  readonly escalatedSeverity?: Severity;
}

export interface SignalOutcome {
  readonly resource: { readonly type: string; readonly arn: string; readonly name?: string };
  readonly evidence: Evidence[];
  /** Aggregated rules: counted per key and window; undefined means one finding per event. */
  readonly window?: WindowSpec;
  /**
   * Several findings of the rule on one resource, one per key (image-vulnerable-running: one per image
   * digest); part of the finding id (`findingIdOf(rule, arn, undefined, key)`).
   */
  readonly key?: string;
  /** A severity other than the rule's for this outcome (a severity set in the policy file still wins). */
  readonly severity?: Severity;
  /** The resource's tags when the signal knows them (exemptions, the protect tag and routing read them). */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SignalRule<K extends SignalKind = SignalKind, P = unknown> extends RuleMeta {
  readonly family: 'signal';
  readonly appliesTo: K;
  readonly params?: ParamSpec<P>;
  check(signal: SignalOfKind<K>, params: P): SignalOutcome | undefined;
}

export type Rule = ResourceRule | SignalRule;

/** Erase the precise types for the registry (the engine dispatches on `appliesTo`). */
export function resourceRule<K extends ResourceKind, P>(r: ResourceRule<K, P>): Rule {
  return r as unknown as Rule;
}
export function signalRule<K extends SignalKind, P>(r: SignalRule<K, P>): Rule {
  return r as unknown as Rule;
}
