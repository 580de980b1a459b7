import type { Mode, Severity } from '../model/finding';
import type { ChannelSections } from '../plugins/channels';

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

/** The policy's `remediation:` section, defaults applied (docs/remediation.md). */
export interface RemediationPolicy {
  /** Changes per account and hour (default 10); past it the guardrail notifies instead. */
  readonly budgetPerHour: number;
  /** The guardrail's own roles (ARN globs, `*` = any characters): their calls never trigger remediation. */
  readonly guardrailRoleArns: readonly string[];
  /** Accounts remediation may act in; undefined: only the account of the guardrail's own credentials. */
  readonly allowAccounts?: readonly string[];
  /** Role assumed in member accounts (infra/member-account.yml); without it, no cross-account action. */
  readonly roleName?: string;
  /** sts:ExternalId for that role, when its trust policy requires one. */
  readonly externalId?: string;
  /**
   * Each action's parameters by action name, defaults merged with `remediation.actions.<name>`
   * (validated against the action's schema, shared/remediation/registry.ts).
   */
  readonly actions: Readonly<Record<string, unknown>>;
}

/**
 * The policy's `notifications:` section, defaults applied (docs/notifications.md): the lifecycle keys,
 * then one section per registered channel (shared/notify/channels/index.ts).
 */
export type NotificationsPolicy = {
  /** An open finding seen again is not re-notified for this long; then one reminder (default 24). */
  readonly suppressionHours: number;
  /** Send a reminder once the suppression period is over (default true). */
  readonly reminders: boolean;
} & ChannelSections;

/**
 * The policy's `scope:` section (docs/policy.md "Scope"): the accounts whose events the Lambdas process.
 * Independent of remediation.allowAccounts (where remediation may act), which is a narrower question.
 */
export interface ScopePolicy {
  /**
   * Accounts whose events are processed; an event naming any other account (envelope, resource ARNs,
   * CloudTrail recipient) is dropped before anything is recorded. Empty: every account.
   */
  readonly allowAccounts: readonly string[];
}

/**
 * The policy's `organization:` section, defaults applied (docs/cross-account.md): the roles the central
 * deployment assumes in member accounts (infra/member-account.yml creates them), besides remediation's.
 */
export interface OrganizationPolicy {
  /** Read role of enrichment (and the sweep) in member accounts (default `ecs-guardrail-read`). */
  readonly readRoleName: string;
  /** Role the notifier assumes to import a member account's findings into its Security Hub (default `ecs-guardrail-findings`). */
  readonly findingsRoleName: string;
  /** sts:ExternalId for both roles, when their trust policies require one. Never logged. */
  readonly externalId?: string;
}

export interface Policy {
  readonly dryRun: boolean;
  /** Every rule of the registry, resolved (rules the file does not name get the defaults). */
  readonly rules: Readonly<Record<string, RulePolicy>>;
  readonly exemptions: readonly PolicyExemption[];
  /** Set by the loader; absent in hand-built policies, which then get the defaults. */
  readonly remediation?: RemediationPolicy;
  /** Set by the loader; absent in hand-built policies, which then get the defaults. */
  readonly notifications?: NotificationsPolicy;
  /** Set by the loader; absent in hand-built policies: every account is in scope. */
  readonly scope?: ScopePolicy;
  /** Set by the loader; absent in hand-built policies, which then get the defaults. */
  readonly organization?: OrganizationPolicy;
}
