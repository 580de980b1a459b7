/**
 * task-role-override: a caller chose the role a task runs with (RunTask/StartTask `overrides`): with
 * iam:PassRole on a stronger role, this is the PassRole + RunTask privilege-escalation path.
 */
import { resourceRule } from './types';

export const taskRoleOverride = resourceRule({
  family: 'resource',
  id: 'task-role-override',
  title: 'Task started with an overridden IAM role',
  severity: 'high',
  resourceType: 'AWS::ECS::Task',
  appliesTo: 'Task',
  description:
    'RunTask / StartTask with `overrides.taskRoleArn` or `overrides.executionRoleArn` (the PassRole + RunTask privilege-escalation path); one finding per started task, naming the caller and the role.',
  advice:
    'Run tasks with the roles of their task definition; restrict iam:PassRole so callers cannot hand a task a stronger role.',
  controls: { prowler: 'iam_policy_allows_privilege_escalation' },
  ownFrameworks: { 'nist-800-53-r5': ['AC-3', 'AC-6'], 'pci-dss-4.0.1': ['7.2.1', '7.2.2'] },
  check: (t) => {
    const o = t.roleOverrides;
    if (!o) return [];
    const by = t.launchedBy ? `${t.launchedBy}` : 'an unknown caller';
    const out = [];
    if (o.taskRoleArn)
      out.push({
        path: 'overrides.taskRoleArn',
        message: `${by} started the task with task role ${o.taskRoleArn}`,
      });
    if (o.executionRoleArn)
      out.push({
        path: 'overrides.executionRoleArn',
        message: `${by} started the task with execution role ${o.executionRoleArn}`,
      });
    return out;
  },
});
