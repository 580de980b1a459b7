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
);
