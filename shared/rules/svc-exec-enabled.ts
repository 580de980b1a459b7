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
