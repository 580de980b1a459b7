/** td-windows-admin-user: a Windows container that runs as ContainerAdministrator (Security Hub ECS.21). */
import { TD, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

/** J4: Windows is `runtimePlatform.operatingSystemFamily` starting with `WINDOWS_` (any case). */
const isWindowsFamily = (osFamily: string | undefined): boolean =>
  (osFamily ?? '').trim().toUpperCase().startsWith('WINDOWS_');

export const tdWindowsAdminUser = resourceRule({
  family: 'resource',
  id: 'td-windows-admin-user',
  title: 'Windows container runs as ContainerAdministrator',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    'A Windows task definition (`runtimePlatform.operatingSystemFamily` starts with `WINDOWS_`) has a container whose `user` is absent or `ContainerAdministrator` (any case).',
  advice: 'Run Windows containers as a non-administrator user (for example `ContainerUser`).',
  controls: { securityHub: 'ECS.21', config: 'ecs-task-definition-windows-user-non-admin' },
  check: (td) =>
    isWindowsFamily(td.osFamily)
      ? perContainer(
          td,
          (c) =>
            c.user === undefined || c.user.trim() === ''
              ? `Windows container "${c.name}" sets no user (runs as ContainerAdministrator)`
              : c.user.trim().toLowerCase() === 'containeradministrator'
                ? `Windows container "${c.name}" runs as ContainerAdministrator`
                : undefined,
          'user',
        )
      : [],
});
