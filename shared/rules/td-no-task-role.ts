/** td-no-task-role: a task on instances without a role of its own falls back to the instance role. */
import { canRunOnInstances } from './task-definition/compatibility';
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdNoTaskRole = resourceRule({
  family: 'resource',
  id: 'td-no-task-role',
  title: 'Task definition without a task role',
  severity: 'low',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  // Noise budget: it fired on 3 of the 5 sample task definitions (many workloads need no AWS access and
  // have no role), so it is recorded by default and notifies only when the policy turns it on.
  defaultMode: 'observe',
  description: 'No `taskRoleArn`, and the definition can run on EC2 or EXTERNAL (see td-no-memory-limit).',
  advice: 'Give every task its own least-privilege task role, so it never uses the container instance role.',
  controls: { seeds: ['Using IAM roles with ECS tasks'] },
  ownFrameworks: { 'nist-800-53-r5': ['AC-3', 'AC-6'], 'pci-dss-4.0.1': ['7.2.1', '7.2.2'] },
  check: (td) =>
    canRunOnInstances(td) && (td.taskRoleArn === undefined || td.taskRoleArn.trim() === '')
      ? [
          {
            path: 'taskRoleArn',
            message: 'no task role: on an EC2 or EXTERNAL instance the task can use the instance role',
          },
        ]
      : [],
});
