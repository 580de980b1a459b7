/** `pidMode` is `host` (AWS::ECS::TaskDefinition). */
import { hostModeRule } from './task-definition/helpers';

export const tdHostPid = hostModeRule(
  'td-host-pid',
  'pidMode',
  'high',
  'Task definition shares the host process namespace',
  'ECS.3',
  {
    config: 'ecs-task-definition-pid-mode-check',
    checkov: 'CKV_AWS_335',
    prowler: 'ecs_task_definitions_host_namespace_not_shared',
  },
  // The project's own mapping where Security Hub lists no requirement of the framework.
  { 'pci-dss-4.0.1': ['2.2.6'] },
);
