/** Task definition rule (AWS::ECS::TaskDefinition). */
import { TD, isWindows, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdWritableRootFs = resourceRule({
  family: 'resource',
  id: 'td-writable-root-fs',
  title: 'Container root filesystem is writable',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: "A container's `readonlyRootFilesystem` is not `true` (Windows not applicable).",
  advice: 'Use a read-only root filesystem; mount writable volumes only where the application writes.',
  // The project's own mapping: Security Hub lists no PCI DSS requirement for ECS.5.
  ownFrameworks: { 'pci-dss-4.0.1': ['2.2.6'] },
  controls: {
    securityHub: 'ECS.5',
    config: 'ecs-containers-readonly-access',
    checkov: 'CKV_AWS_336',
    prowler: 'ecs_task_definitions_containers_readonly_access',
    seeds: ['Use a read-only root filesystem'],
  },
  check: (td) =>
    isWindows(td)
      ? []
      : perContainer(
          td,
          (c) =>
            c.readonlyRootFilesystem === true
              ? undefined
              : `container "${c.name}" has a writable root filesystem`,
          'readonlyRootFilesystem',
        ),
});
