/**
 * The compliance frameworks of a rule, the one place findings, ASFF, OCSF, `--framework` and the README read
 * them from: Security Hub's related requirements of the rule's control (./security-hub-ecs.ts), completed per
 * framework by the rule's own mapping (`ownFrameworks`) where Security Hub lists none; such frameworks are named
 * in `ownMapping`. Security Hub's list wins for a framework it covers.
 */
import { GuardrailError } from '../../base/errors';
import {
  controlIds,
  FRAMEWORK_IDS,
  type Finding,
  type FindingFrameworks,
  type FrameworkId,
} from '../../model/finding';
import { getRule } from '../registry';
import type { RuleMeta } from '../types';
import { SECURITY_HUB_ECS } from './security-hub-ecs';

export { SECURITY_HUB_ECS } from './security-hub-ecs';

export interface FrameworkInfo {
  readonly id: FrameworkId;
  readonly title: string;
  /** How Security Hub writes a requirement of this framework (ASFF `Compliance.RelatedRequirements`). */
  readonly securityHubPrefix: string;
}

export const FRAMEWORKS: Readonly<Record<FrameworkId, FrameworkInfo>> = {
  'nist-800-53-r5': {
    id: 'nist-800-53-r5',
    title: 'NIST SP 800-53 Rev. 5',
    securityHubPrefix: 'NIST.800-53.r5 ',
  },
  'pci-dss-4.0.1': { id: 'pci-dss-4.0.1', title: 'PCI DSS v4.0.1', securityHubPrefix: 'PCI DSS v4.0.1/' },
};

export function isFrameworkId(s: string): s is FrameworkId {
  return (FRAMEWORK_IDS as readonly string[]).includes(s);
}

/** A framework id nobody knows (e.g. `--framework nist`); the message lists the known ones. */
export class UnknownFrameworkError extends GuardrailError {
  override readonly name = 'UnknownFrameworkError';
  constructor(given: string) {
    // The caller's own argument, cut: the CLI escapes it for the terminal.
    super(
      `unknown framework "${given.length > 40 ? `${given.slice(0, 39)}…` : given}"; known: ${FRAMEWORK_IDS.join(', ')}`,
    );
  }
}

export function parseFrameworkId(s: string): FrameworkId {
  if (!isFrameworkId(s)) throw new UnknownFrameworkError(s);
  return s;
}

const cache = new WeakMap<RuleMeta, FindingFrameworks>();

/** A rule's requirements per framework (computed once per rule; the same frozen object on every finding). */
export function frameworksOf(rule: Pick<RuleMeta, 'controls' | 'ownFrameworks'>): FindingFrameworks {
  let f = cache.get(rule as RuleMeta);
  if (f) return f;
  // Every control the rule maps to counts: their requirements together.
  const fromHub = controlIds(rule.controls.securityHub).flatMap((c) => SECURITY_HUB_ECS[c] ?? []);
  const out: Partial<Record<FrameworkId, readonly string[]>> = {};
  const own: FrameworkId[] = [];
  for (const id of FRAMEWORK_IDS) {
    const hub = [...new Set(fromHub.flatMap((h) => h[id] ?? []))];
    if (hub?.length) out[id] = Object.freeze([...hub]);
    else if (rule.ownFrameworks?.[id]?.length) {
      out[id] = Object.freeze([...rule.ownFrameworks[id]!]);
      own.push(id);
    }
  }
  f = Object.freeze({ ...out, ...(own.length ? { ownMapping: Object.freeze(own) } : {}) });
  cache.set(rule as RuleMeta, f);
  return f;
}

/** The requirements as Security Hub writes them (`NIST.800-53.r5 AC-6`, `PCI DSS v4.0.1/1.4.4`). */
export function securityHubRequirements(f: FindingFrameworks): string[] {
  return FRAMEWORK_IDS.flatMap((id) => (f[id] ?? []).map((r) => `${FRAMEWORKS[id].securityHubPrefix}${r}`));
}

/** A finding's frameworks; one stored before findings carried them takes its rule's (none for an unknown rule). */
export function findingFrameworks(f: Finding): FindingFrameworks | undefined {
  if (f.frameworks) return f.frameworks;
  const rule = getRule(f.ruleId);
  return rule ? frameworksOf(rule) : undefined;
}
