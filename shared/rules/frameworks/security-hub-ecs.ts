/**
 * The one table of Security Hub's "related requirements" for its Amazon ECS controls: control id ->
 * requirement ids per framework, written as Security Hub writes them without the framework prefix
 * (`NIST.800-53.r5 AC-3(7)` -> `AC-3(7)`, `PCI DSS v4.0.1/1.4.4` -> `1.4.4`).
 *
 * Source: AWS Security Hub CSPM User Guide, "Security Hub CSPM controls for Amazon ECS"
 * (docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html), read on 2026-12-07. ECS.1 was retired in
 * March 2026; its row is the one the page listed before. A control with no entry for a framework is one the page
 * lists no requirement of that framework for (ECS.13 to ECS.15 and ECS.18 to ECS.21 list none at all): rules on
 * such a control complete the framework with their own mapping (`RuleMeta.ownFrameworks`).
 */
import type { FrameworkId } from '../../model/finding';

export type ControlRequirements = Readonly<Partial<Record<FrameworkId, readonly string[]>>>;

/** The access-control requirements Security Hub lists for ECS.1, ECS.4, ECS.5 and ECS.17. */
const ACCESS = ['AC-2(1)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-5', 'AC-6'] as const;

export const SECURITY_HUB_ECS: Readonly<Record<string, ControlRequirements>> = {
  'ECS.1': { 'nist-800-53-r5': ACCESS },
  'ECS.2': {
    'nist-800-53-r5': [
      'AC-21',
      'AC-3',
      'AC-3(7)',
      'AC-4',
      'AC-4(21)',
      'AC-6',
      'SC-7',
      'SC-7(11)',
      'SC-7(16)',
      'SC-7(20)',
      'SC-7(21)',
      'SC-7(3)',
      'SC-7(4)',
      'SC-7(9)',
    ],
    'pci-dss-4.0.1': ['1.4.4'],
  },
  'ECS.3': { 'nist-800-53-r5': ['CA-9(1)', 'CM-2'] },
  'ECS.4': { 'nist-800-53-r5': ACCESS },
  'ECS.5': { 'nist-800-53-r5': ACCESS },
  'ECS.8': { 'nist-800-53-r5': ['CA-9(1)', 'CM-2'], 'pci-dss-4.0.1': ['8.6.2'] },
  'ECS.9': {
    'nist-800-53-r5': [
      'AC-4(26)',
      'AU-10',
      'AU-12',
      'AU-2',
      'AU-3',
      'AU-6(3)',
      'AU-6(4)',
      'CA-7',
      'SC-7(9)',
      'SI-7(8)',
    ],
  },
  'ECS.10': {
    'nist-800-53-r5': ['SI-2', 'SI-2(2)', 'SI-2(4)', 'SI-2(5)'],
    'pci-dss-4.0.1': ['6.3.3'],
  },
  'ECS.12': { 'nist-800-53-r5': ['AU-6(3)', 'AU-6(4)', 'CA-7', 'SI-2'] },
  'ECS.13': {},
  'ECS.14': {},
  'ECS.15': {},
  'ECS.16': { 'pci-dss-4.0.1': ['1.4.4'] },
  'ECS.17': { 'nist-800-53-r5': ACCESS },
  'ECS.18': {},
  'ECS.19': {},
  'ECS.20': {},
  'ECS.21': {},
  // The controls of the other services the rules check (Security Hub CSPM User Guide, "controls for
  // Amazon ECR" and "controls for GuardDuty", read on 2026-12-08). GuardDuty.12 lists no requirement.
  'ECR.1': { 'nist-800-53-r5': ['RA-5'], 'pci-dss-4.0.1': ['6.2.3', '6.2.4'] },
  'ECR.2': { 'nist-800-53-r5': ['CA-9(1)', 'CM-2', 'CM-8(1)'] },
  'GuardDuty.12': {},
};
