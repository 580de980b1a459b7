/** Task definition rule (AWS::ECS::TaskDefinition). */
import { TD, isWindows, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

const ROOT_USER = /^(root|0)(:.*)?$/;

export const tdRootUser = resourceRule({
  family: 'resource',
  id: 'td-root-user',
  title: 'Container runs as root',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'A Linux container has no `user`, or `user` is `root`, `0`, `root:*` or `0:*`.',
  advice: 'Run containers as a non-root user (set `user` to a UID or name other than root).',
  // The project's own mapping: Security Hub lists no requirement for ECS.20.
  ownFrameworks: { 'nist-800-53-r5': ['AC-6', 'AC-6(2)'], 'pci-dss-4.0.1': ['2.2.6'] },
  controls: {
    securityHub: 'ECS.20',
    // The current rule (Linux only) and the older one (EC2 launch type) both test the user.
    config: ['ecs-task-definition-linux-user-non-root', 'ecs-task-definition-nonroot-user'],
    seeds: ['Run containers as a non-root user'],
  },
  check: (td) =>
    isWindows(td)
      ? []
      : perContainer(
          td,
          (c) =>
            c.user === undefined || c.user === ''
              ? `container "${c.name}" sets no user (runs as the image default, usually root)`
              : ROOT_USER.test(c.user.trim())
                ? `container "${c.name}" runs as root (user "${c.user}")`
                : undefined,
          'user',
        ),
});
