/** Workload rule (service, task set or task). */
import { resourceRule } from './types';

export const svcExecEnabled = resourceRule({
  family: 'resource',
  id: 'svc-exec-enabled',
  title: 'ECS Exec enabled on service',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'Service',
  description: '`enableExecuteCommand` is `true`.',
  advice: 'Enable ECS Exec only while debugging, and audit its sessions.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-17', 'CM-7'], 'pci-dss-4.0.1': ['2.2.4'] },
  controls: {},
  remediation: {
    action: 'disable-exec',
    summary: 'UpdateService enableExecuteCommand false with a new deployment.',
  },
  check: (s) =>
    s.enableExecuteCommand === true
      ? [{ path: 'enableExecuteCommand', message: `service "${s.name}" has ECS Exec enabled` }]
      : [],
});
