/** `pidMode` is `host` (AWS::ECS::TaskDefinition). */
import { hostModeRule } from './task-definition/helpers';

export const tdHostPid = hostModeRule(
  'td-host-pid',
  'pidMode',
  'high',
  'Task definition shares the host process namespace',
  'ECS.3',
  {
    checkov: 'CKV_AWS_335',
  },
  // The project's own mapping where Security Hub lists no requirement of the framework.
  { 'pci-dss-4.0.1': ['2.2.6'] },
);
