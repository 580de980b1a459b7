/** Workload rule (service, task set or task). */
import type { TaskResource } from '../model/resources';
import { resourceRule } from './types';

/**
 * A launch call (RunTask/StartTask) is always judged; a task seen running (state change, sweep) only when
 * it is standalone: a service's tasks inherit the flag from the service, which svc-exec-enabled reports
 * once instead of once per task.
 */
const judged = (t: TaskResource): boolean => t.launchCall !== undefined || !t.group?.startsWith('service:');

export const taskExecEnabled = resourceRule({
  family: 'resource',
  id: 'task-exec-enabled',
  title: 'ECS Exec enabled on task',
  severity: 'medium',
  resourceType: 'AWS::ECS::Task',
  appliesTo: 'Task',
  description:
    'RunTask/StartTask with `enableExecuteCommand: true`, or a standalone task (group not `service:...`) seen running with it.',
  advice: 'Enable ECS Exec only while debugging, and audit its sessions.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-17', 'CM-7'], 'pci-dss-4.0.1': ['2.2.4'] },
  controls: {},
  check: (t) =>
    t.enableExecuteCommand === true && judged(t)
      ? [{ path: 'enableExecuteCommand', message: 'task has ECS Exec enabled' }]
      : [],
});
