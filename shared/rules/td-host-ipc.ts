/** `ipcMode` is `host` (AWS::ECS::TaskDefinition). */
import { hostModeRule } from './task-definition/helpers';

export const tdHostIpc = hostModeRule(
  'td-host-ipc',
  'ipcMode',
  'medium',
  'Task definition shares the host IPC namespace',
);
