/** `ipcMode` is `host` (AWS::ECS::TaskDefinition). */
import { hostModeRule } from './task-definition/helpers';

export const tdHostIpc = hostModeRule(
  'td-host-ipc',
  'ipcMode',
  'medium',
  'Task definition shares the host IPC namespace',
  undefined,
  {},
  // The project's own mapping where Security Hub lists no requirement of the framework.
  { 'nist-800-53-r5': ['AC-6', 'SC-39'], 'pci-dss-4.0.1': ['2.2.6'] },
);
