/**
 * td-no-memory-limit: a task that can run on instances with no memory limit at all (AWS Config's
 * discontinued ecs-task-definition-memory-hard-limit, replaced here).
 */
import { canRunOnInstances } from './task-definition/compatibility';
import { TD, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdNoMemoryLimit = resourceRule({
  family: 'resource',
  id: 'td-no-memory-limit',
  title: 'Container without a memory limit',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    'The definition can run on EC2 or EXTERNAL (`requiresCompatibilities` contains `EC2` or `EXTERNAL`, or is absent), has no task-level `memory`, and a container has no hard `memory` limit.',
  advice:
    'Set a task-level `memory` or a hard `memory` limit on every container, so one task cannot starve the others on its instance.',
  controls: {
    config: 'ecs-task-definition-memory-hard-limit',
    seeds: ['Configure tasks with CPU and memory limits'],
  },
  ownFrameworks: { 'nist-800-53-r5': ['SC-5', 'SC-6'], 'pci-dss-4.0.1': ['2.2.1'] },
  check: (td) =>
    canRunOnInstances(td) && (td.memory === undefined || td.memory.trim() === '')
      ? perContainer(
          td,
          (c) =>
            c.memory === undefined || c.memory <= 0
              ? `container "${c.name}" has no hard memory limit and the task sets no memory`
              : undefined,
          'memory',
        )
      : [],
});
