/** Workload rule (service, task set or task). */
import { resourceRule } from './types';

export const taskExecEnabled = resourceRule({
  family: 'resource',
  id: 'task-exec-enabled',
  title: 'ECS Exec enabled on task',
  severity: 'medium',
  resourceType: 'AWS::ECS::Task',
  appliesTo: 'Task',
  description: 'RunTask/StartTask with `enableExecuteCommand: true` (or a task state change showing it).',
  advice: 'Enable ECS Exec only while debugging, and audit its sessions.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-17', 'CM-7'], 'pci-dss-4.0.1': ['2.2.4'] },
  controls: {},
  check: (t) =>
    t.enableExecuteCommand === true
      ? [{ path: 'enableExecuteCommand', message: 'task has ECS Exec enabled' }]
      : [],
});
