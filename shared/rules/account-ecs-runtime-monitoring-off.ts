/**
 * account-ecs-runtime-monitoring-off: GuardDuty does not watch ECS tasks at run time in this account and
 * region (GuardDuty.12). From the sweep: ListDetectors + GetDetector (features).
 */
import type { Evidence } from '../model/finding';
import { resourceRule } from './types';

const on = (s: string | undefined) => s?.trim().toUpperCase() === 'ENABLED';

export const accountEcsRuntimeMonitoringOff = resourceRule({
  family: 'resource',
  id: 'account-ecs-runtime-monitoring-off',
  title: 'GuardDuty ECS Runtime Monitoring is off',
  severity: 'medium',
  resourceType: 'AWS::GuardDuty::Detector',
  appliesTo: 'GuardDutyDetector',
  description:
    'The sweep finds no enabled GuardDuty detector, or its `RUNTIME_MONITORING` feature or the `ECS_FARGATE_AGENT_MANAGEMENT` configuration not `ENABLED`.',
  advice:
    'Turn on GuardDuty Runtime Monitoring with automated agent management for Fargate (ECS) so threats inside running tasks are detected.',
  controls: { securityHub: 'GuardDuty.12', config: 'guardduty-ecs-protection-runtime-enabled' },
  // Security Hub lists no related requirement for GuardDuty.12: the project's own mapping.
  ownFrameworks: { 'nist-800-53-r5': ['SI-4'], 'pci-dss-4.0.1': ['11.5.1'] },
  check: (d) => {
    const ev: Evidence[] = [];
    if (!d.exists)
      return [{ path: 'detectorId', message: 'GuardDuty has no detector in this account and region' }];
    if (!on(d.status))
      ev.push({ path: 'status', message: `the GuardDuty detector is ${d.status ?? 'not enabled'}` });
    if (!on(d.features.RUNTIME_MONITORING))
      ev.push({
        path: 'features.RUNTIME_MONITORING',
        message: `Runtime Monitoring is ${d.features.RUNTIME_MONITORING ?? 'not configured'}`,
      });
    else if (!on(d.runtimeConfiguration.ECS_FARGATE_AGENT_MANAGEMENT))
      ev.push({
        path: 'features.RUNTIME_MONITORING.additionalConfiguration.ECS_FARGATE_AGENT_MANAGEMENT',
        message: `automated agent management for ECS (Fargate) is ${d.runtimeConfiguration.ECS_FARGATE_AGENT_MANAGEMENT ?? 'not configured'}`,
      });
    return ev;
  },
});
