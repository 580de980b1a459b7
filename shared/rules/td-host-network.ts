/** `networkMode` is `host` (AWS::ECS::TaskDefinition). */
import { hostModeRule } from './task-definition/helpers';

export const tdHostNetwork = hostModeRule(
  'td-host-network',
  'networkMode',
  'high',
  'Task definition uses the host network',
  'ECS.17',
  {
    config: 'ecs-task-definition-network-mode-not-host',
  },
  // The project's own mapping where Security Hub lists no requirement of the framework.
  { 'pci-dss-4.0.1': ['2.2.6'] },
);
