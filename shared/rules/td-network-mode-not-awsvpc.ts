/** td-network-mode-not-awsvpc: tasks share the instance's network (bridge, none, Windows default). */
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdNetworkModeNotAwsvpc = resourceRule({
  family: 'resource',
  id: 'td-network-mode-not-awsvpc',
  title: 'Task definition does not use awsvpc networking',
  severity: 'low',
  defaultMode: 'observe',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    '`networkMode` is `bridge`, `none` or absent (absent is `bridge` on Linux, `default` on Windows), or any other mode but `awsvpc`; `host` is left to td-host-network.',
  advice: 'Use the awsvpc network mode: each task gets its own network interface and security groups.',
  controls: { config: 'ecs-awsvpc-networking-enabled', seeds: ['Use awsvpc network mode'] },
  ownFrameworks: { 'nist-800-53-r5': ['AC-4', 'SC-7'], 'pci-dss-4.0.1': ['1.2.1', '1.3.1'] },
  check: (td) => {
    const mode = td.networkMode?.trim().toLowerCase();
    if (mode === 'awsvpc' || mode === 'host') return [];
    return [
      {
        path: 'networkMode',
        message:
          mode === undefined || mode === ''
            ? 'networkMode is not set (bridge on Linux): tasks share the instance network'
            : `networkMode is "${mode}", not awsvpc: tasks have no security group of their own`,
      },
    ];
  },
});
