/** The finding contract: field names are camelCase and stable (other tools and channels read them). */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
};

/**
 * In order of what the guardrail does: `approve` notifies with the action the remediator would take and
 * acts only when an allowed person approves it (Slack, docs/slack-app.md); `remediate` acts by itself.
 */
export const MODES = ['off', 'observe', 'notify', 'approve', 'remediate'] as const;
export type Mode = (typeof MODES)[number];

/** Whether findings of a rule in this mode are notified. */
export const modeNotifies = (m: Mode): boolean => m === 'notify' || m === 'approve' || m === 'remediate';

/** Whether a rule in this mode has its action read and planned (approve: run only once approved). */
export const modeRemediates = (m: Mode): boolean => m === 'approve' || m === 'remediate';

/** How a planned action of a rule in `approve` mode starts its reason ("awaiting approval: would ..."). */
export const AWAITING_APPROVAL = 'awaiting approval';

export interface Evidence {
  /** Where in the resource, e.g. `containerDefinitions[0].privileged`. */
  readonly path: string;
  /** Human-readable; never contains a secret value. */
  readonly message: string;
  readonly container?: string;
  /** The line of the property in an infrastructure-as-code input (see Finding.location). */
  readonly line?: number;
}

/** Where an infrastructure-as-code finding is declared: the file, the resource's address, the line. */
export interface FindingLocation {
  readonly file: string;
  /** CloudFormation logical id, CDK construct path or Terraform resource address. */
  readonly address: string;
  /** The line of the first evidence's property, else of the resource. */
  readonly line?: number;
}

export interface Actor {
  readonly arn?: string;
  readonly type?: string;
  /** The role behind an assumed-role session (used to recognise the guardrail's own calls). */
  readonly roleArn?: string;
  readonly invokedBy?: string;
}

export interface EventRef {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly time: string;
  readonly eventName?: string;
  readonly actor?: Actor;
}

/** One id, or several when a tool has several checks that test the same thing. */
export type ControlIds = string | readonly string[];

export interface Controls {
  readonly securityHub?: ControlIds;
  readonly config?: ControlIds;
  readonly checkov?: ControlIds;
  readonly prowler?: ControlIds;
  readonly seeds?: readonly string[];
}

/** The ids of one tool as a list (empty when the rule has none): how every consumer reads `Controls`. */
export function controlIds(ids: ControlIds | undefined): readonly string[] {
  if (ids === undefined) return [];
  return typeof ids === 'string' ? [ids] : ids;
}

/** The compliance frameworks findings are mapped to and can be grouped by (`--framework`). */
export const FRAMEWORK_IDS = ['nist-800-53-r5', 'pci-dss-4.0.1'] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

/**
 * Requirement ids per framework (e.g. `{"nist-800-53-r5": ["AC-6"], "pci-dss-4.0.1": ["2.2.6"]}`): Security Hub's
 * "related requirements" of the rule's control; `ownMapping` names the frameworks whose ids are the project's
 * own mapping instead (the rule has no control, or Security Hub lists no requirement of that framework for it).
 */
export type FindingFrameworks = Readonly<Partial<Record<FrameworkId, readonly string[]>>> & {
  readonly ownMapping?: readonly FrameworkId[];
};

export type ActionStatus = 'planned' | 'done' | 'skipped' | 'failed';

export interface FindingAction {
  readonly name: string;
  readonly status: ActionStatus;
  readonly reason?: string;
}

export interface Exemption {
  readonly source: 'tag' | 'policy';
  readonly reason?: string;
  readonly until?: string;
  /** An expired exemption no longer exempts; the finding says so. */
  readonly expired: boolean;
  /** Set when only some containers were exempted. */
  readonly containers?: readonly string[];
}

export interface Aggregate {
  readonly key: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly count: number;
  /** True on the event that made the window reach its threshold (the one that notifies). */
  readonly crossed: boolean;
}

export interface Finding {
  readonly findingId: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly resource: { readonly type: string; readonly arn: string; readonly name?: string };
  readonly account: string;
  readonly region: string;
  readonly evidence: readonly Evidence[];
  readonly event: EventRef;
  readonly controls: Controls;
  /** Set by the engine on every finding (shared/rules/frameworks); absent on findings stored before it. */
  readonly frameworks?: FindingFrameworks;
  readonly mode: Mode;
  readonly action?: FindingAction;
  readonly exemption?: Exemption;
  readonly aggregate?: Aggregate;
  /** What the ECS Best Practices Guide advises, in one sentence. */
  readonly advice?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Set on findings of infrastructure-as-code inputs (no ARN yet): file, address and line. */
  readonly location?: FindingLocation;
}
