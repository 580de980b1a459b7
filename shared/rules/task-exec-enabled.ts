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
  controls: {},
  check: (t) =>
    t.enableExecuteCommand === true
      ? [{ path: 'enableExecuteCommand', message: 'task has ECS Exec enabled' }]
      : [],
});
