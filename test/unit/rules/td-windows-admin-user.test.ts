/** td-windows-admin-user (Security Hub ECS.21): the rule on its own and end to end. */
import { describe, expect, it } from 'vitest';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  registerTaskDefinitionEvent,
  taskDefinition,
  withRule,
} from './helpers';

const windows = (users: (string | undefined)[], osFamily = 'WINDOWS_SERVER_2022_CORE') =>
  taskDefinition({
    osFamily,
    containers: users.map((user, i) =>
      container({ name: `c${i}`, ...(user === undefined ? { user: undefined } : { user }) }),
    ),
  });

describe('td-windows-admin-user', () => {
  it('fires for a Windows container without user or running as ContainerAdministrator (any case), one evidence each', () => {
    const ev = check(
      'td-windows-admin-user',
      windows([undefined, 'ContainerAdministrator', 'containeradministrator ', 'ContainerUser']),
    );
    expect(ev.map((e) => e.container)).toEqual(['c0', 'c1', 'c2']);
    expect(ev[0]).toEqual({
      path: 'containerDefinitions[0].user',
      message: 'Windows container "c0" sets no user (runs as ContainerAdministrator)',
      container: 'c0',
    });
    expect(ev[1]?.message).toBe('Windows container "c1" runs as ContainerAdministrator');
  });

  it('does not fire on a Windows container running as ContainerUser, nor on Linux or unknown OS', () => {
    expect(check('td-windows-admin-user', windows(['ContainerUser']))).toEqual([]);
    expect(
      check('td-windows-admin-user', taskDefinition({ containers: [container({ user: undefined })] })),
    ).toEqual([]);
    expect(check('td-windows-admin-user', windows([undefined], 'LINUX'))).toEqual([]);
    expect(
      check(
        'td-windows-admin-user',
        taskDefinition({ osFamily: undefined, containers: [container({ user: undefined })] }),
      ),
    ).toEqual([]);
  });

  it('edge: the family is matched by its WINDOWS_ prefix in any case; a look-alike "WINDOWS" without the underscore is not Windows', () => {
    expect(check('td-windows-admin-user', windows([undefined], 'windows_server_2019_full'))).toHaveLength(1);
    expect(check('td-windows-admin-user', windows([undefined], 'WINDOWSISH'))).toEqual([]);
  });

  it('hostile: 10,000 containers give one evidence each, bounded by the engine', async () => {
    const containers = Array.from({ length: 10_000 }, (_, i) =>
      apiContainer({ name: `c${i}`, user: 'ContainerAdministrator' }),
    );
    const raw = registerTaskDefinitionEvent({
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' },
      containerDefinitions: containers,
      requiresCompatibilities: ['EC2'],
    });
    const f = only((await evaluateOne(raw)).findings, 'td-windows-admin-user');
    expect(f.evidence.length).toBeLessThanOrEqual(25);
    expect(f.evidence.at(-1)?.message).toMatch(/more/);
  });

  it('end to end: a Windows RegisterTaskDefinition with the admin user fires with ECS.21', async () => {
    const raw = registerTaskDefinitionEvent({
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' },
      containerDefinitions: [apiContainer({ user: 'ContainerAdministrator' })],
    });
    const f = only((await evaluateOne(raw)).findings, 'td-windows-admin-user');
    expect(f.controls.securityHub).toBe('ECS.21');
    expect(f.severity).toBe('medium');
    const ok = registerTaskDefinitionEvent({
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' },
      containerDefinitions: [apiContainer({ user: 'ContainerUser' })],
    });
    expect(withRule((await evaluateOne(ok)).findings, 'td-windows-admin-user')).toEqual([]);
  });
});
