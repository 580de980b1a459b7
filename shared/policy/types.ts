import type { Mode, Severity } from '../model/finding';

export interface RulePolicy {
  readonly mode: Mode;
  readonly severity?: Severity;
  /** The rule's parameters, defaults merged with the policy's values. */
  readonly params: unknown;
}

export interface PolicyExemption {
  /** A rule id, or `*` for every rule. */
  readonly rule: string;
  /** ARN glob (`*` matches any characters). */
  readonly arn: string;
  readonly container?: string;
  /** Last day the exemption holds (YYYY-MM-DD, UTC). */
  readonly until?: string;
  readonly reason?: string;
}

export interface Policy {
  readonly dryRun: boolean;
  /** Every rule of the registry, resolved (rules the file does not name get the defaults). */
  readonly rules: Readonly<Record<string, RulePolicy>>;
  readonly exemptions: readonly PolicyExemption[];
}
