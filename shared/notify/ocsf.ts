/**
 * A finding as an OCSF 1.1.0 Compliance Finding (class_uid 2003, category Findings), the export next to ASFF for
 * consumers that read OCSF (Amazon Security Lake, SIEMs). The compliance requirements are the finding's
 * frameworks, written as Security Hub writes them; what OCSF has no attribute for (evidence paths, mode, action,
 * which frameworks are the project's own mapping) goes under `unmapped`, the class's place for it.
 * test/unit/notify/ocsf.test.ts validates the output against the class's JSON Schema (test/fixtures/ocsf/).
 */
import { partitionOf } from '../model/arn';
import { FRAMEWORK_IDS, type Finding, type Severity } from '../model/finding';
import { FRAMEWORKS, findingFrameworks, securityHubRequirements } from '../rules/frameworks';

export const OCSF_VERSION = '1.1.0';
const CLASS_UID = 2003;
const CATEGORY_UID = 2;

const SEVERITY_ID: Readonly<Record<Severity, number>> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Readonly<Record<Severity, string>> = {
  info: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export type OcsfComplianceFinding = Record<string, unknown> & {
  readonly class_uid: number;
  readonly type_uid: number;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly compliance: Record<string, unknown> & {
    readonly standards: string[];
    readonly requirements: string[];
  };
};

/** Epoch milliseconds (OCSF timestamp_t) of an ISO time; the fallback when the text is not a time. */
function millis(iso: string | undefined, fallback: number): number {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
}

/** `resolved` exports the finding's closing (activity Close, status Resolved, compliance Pass). */
export function toOcsf(
  f: Finding,
  opts: { now?: Date; firstSeen?: string; resolved?: boolean } = {},
): OcsfComplianceFinding {
  const now = (opts.now ?? new Date()).getTime();
  const eventTime = millis(f.event.time, now);
  const activity = opts.resolved ? { id: 3, name: 'Close' } : { id: 1, name: 'Create' };
  const frameworks = findingFrameworks(f);
  const standards = FRAMEWORK_IDS.filter((id) => frameworks?.[id]?.length).map((id) => FRAMEWORKS[id].title);
  const desc = f.evidence.map((e) => e.message).join('; ');
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: CLASS_UID * 100 + activity.id,
    type_name: `Compliance Finding: ${activity.name}`,
    time: eventTime,
    severity_id: SEVERITY_ID[f.severity],
    severity: SEVERITY_NAME[f.severity],
    status_id: opts.resolved ? 4 : 1,
    status: opts.resolved ? 'Resolved' : 'New',
    message: f.title,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'ECS Guardrail', vendor_name: 'ECS Guardrail', feature: { name: f.ruleId } },
      profiles: ['cloud'],
      uid: f.findingId,
      original_time: f.event.time,
      ...(f.event.id ? { correlation_uid: f.event.id } : {}),
    },
    cloud: {
      provider: 'AWS',
      region: f.region,
      account: { uid: f.account, type_id: 10, type: 'AWS Account' },
    },
    finding_info: {
      uid: f.findingId,
      title: f.title,
      ...(desc ? { desc } : {}),
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: 'Rule' },
      first_seen_time: millis(opts.firstSeen, eventTime),
      last_seen_time: eventTime,
    },
    compliance: {
      ...(f.controls.securityHub ? { control: f.controls.securityHub } : {}),
      standards,
      requirements: frameworks ? securityHubRequirements(frameworks) : [],
      status_id: opts.resolved ? 1 : 3,
      status: opts.resolved ? 'Pass' : 'Fail',
    },
    resource: {
      uid: f.resource.arn,
      type: f.resource.type,
      ...(f.resource.name ? { name: f.resource.name } : {}),
      region: f.region,
      cloud_partition: partitionOf(f.region),
    },
    ...(f.advice ? { remediation: { desc: f.advice } } : {}),
    unmapped: {
      evidence: f.evidence.map((e) => ({ ...e })),
      mode: f.mode,
      ...(frameworks?.ownMapping?.length ? { own_framework_mapping: [...frameworks.ownMapping] } : {}),
      ...(f.action ? { action: { ...f.action } } : {}),
      ...(f.exemption ? { exemption: { ...f.exemption } } : {}),
      ...(f.aggregate ? { aggregate: { ...f.aggregate } } : {}),
    },
  };
}
