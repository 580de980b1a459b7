/** A finding in the AWS Security Finding Format for Security Hub BatchImportFindings. */
import type { AwsSecurityFinding, Resource as AsffResource } from '@aws-sdk/client-securityhub';
import { partitionOf } from '../../../model/arn';
import { controlIds, type Finding, type Severity } from '../../../model/finding';
import { findingFrameworks, securityHubRequirements } from '../../../rules/frameworks';

const ASFF_TYPE: Readonly<Record<string, string>> = {
  'AWS::ECS::TaskDefinition': 'AwsEcsTaskDefinition',
  'AWS::ECS::Service': 'AwsEcsService',
  'AWS::ECS::Task': 'AwsEcsTask',
  'AWS::ECS::Cluster': 'AwsEcsCluster',
};

const LABEL: Record<Severity, 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

export const ASFF_BATCH_LIMIT = 100;
/** ASFF's limit on `Compliance.RelatedRequirements`. */
const MAX_RELATED_REQUIREMENTS = 32;

export function productArn(region: string, account: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}:${account}:product/${account}/default`;
}

function resourcesOf(f: Finding): AsffResource[] {
  const partition = partitionOf(f.region) as AsffResource['Partition'];
  const main: AsffResource = {
    Type: ASFF_TYPE[f.resource.type] ?? (f.resource.arn.includes(':role/') ? 'AwsIamRole' : 'Other'),
    Id: f.resource.arn,
    Partition: partition,
    Region: f.region,
    ...(f.tags ? { Tags: { ...f.tags } } : {}),
  };
  const containers = [...new Set(f.evidence.map((e) => e.container).filter((c): c is string => Boolean(c)))];
  return [
    main,
    ...containers.map((name) => ({
      Type: 'AwsEcsContainer',
      Id: `${f.resource.arn}/container/${name}`,
      Partition: partition,
      Region: f.region,
      Details: { AwsEcsContainer: { Name: name } },
    })),
  ];
}

/** `resolved` re-imports the finding as PASSED / ARCHIVED. */
export function toAsff(
  f: Finding,
  opts: { now: string; firstSeen?: string; resolved?: boolean },
): AwsSecurityFinding {
  const description = f.evidence.map((e) => e.message).join('; ') || f.title;
  const securityHub = controlIds(f.controls.securityHub);
  const frameworks = findingFrameworks(f);
  const related = frameworks ? securityHubRequirements(frameworks) : [];
  return {
    SchemaVersion: '2018-10-08',
    Id: `ecs-guardrail/${f.findingId}`,
    ProductArn: productArn(f.region, f.account),
    GeneratorId: `ecs-guardrail/${f.ruleId}`,
    AwsAccountId: f.account,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: opts.firstSeen ?? f.event.time,
    UpdatedAt: opts.now,
    FirstObservedAt: opts.firstSeen ?? f.event.time,
    LastObservedAt: f.event.time,
    Severity: { Label: LABEL[f.severity] },
    // Providers set and update Severity and Types through FindingProviderFields (the top-level ones only
    // count when the finding is created).
    FindingProviderFields: {
      Severity: { Label: LABEL[f.severity], Original: f.severity },
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    },
    Title: f.title.slice(0, 256),
    Description: description.slice(0, 1024),
    ...(f.advice ? { Remediation: { Recommendation: { Text: f.advice.slice(0, 512) } } } : {}),
    ProductFields: {
      'ecs-guardrail/RuleId': f.ruleId,
      'ecs-guardrail/FindingId': f.findingId,
      'ecs-guardrail/Mode': f.mode,
      'ecs-guardrail/EventId': f.event.id,
      ...(f.action ? { 'ecs-guardrail/Action': `${f.action.name}:${f.action.status}` } : {}),
      // Which of the RelatedRequirements are the project's own mapping, not Security Hub's.
      ...(frameworks?.ownMapping?.length
        ? { 'ecs-guardrail/OwnFrameworkMapping': frameworks.ownMapping.join(',') }
        : {}),
    },
    Resources: resourcesOf(f),
    Compliance: {
      Status: opts.resolved ? 'PASSED' : 'FAILED',
      // ASFF takes one control id: the first (the others' requirements are in the rule's frameworks).
      ...(securityHub.length ? { SecurityControlId: securityHub[0] } : {}),
      // Written as Security Hub writes its own controls' requirements (`NIST.800-53.r5 AC-6`).
      ...(related.length ? { RelatedRequirements: related.slice(0, MAX_RELATED_REQUIREMENTS) } : {}),
    },
    RecordState: opts.resolved ? 'ARCHIVED' : 'ACTIVE',
    Workflow: { Status: opts.resolved ? 'RESOLVED' : 'NEW' },
  };
}

export function chunks<T>(items: readonly T[], size = ASFF_BATCH_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
