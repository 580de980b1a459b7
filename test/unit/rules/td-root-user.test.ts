/** td-root-user: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
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

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-root-user', () => {
  const fires = (user: string | undefined): boolean =>
    check(
      'td-root-user',
      taskDefinition({ containers: [container(user === undefined ? { user: undefined } : { user })] }),
    ).length > 0;

  it('fires for no user, an empty user, root, 0, root:root, 0:0, root:<group>, 0:<gid>', () => {
    for (const user of [undefined, '', 'root', '0', 'root:root', '0:0', 'root:1000', '0:1000', ' root '])
      expect(fires(user), `user ${JSON.stringify(user)}`).toBe(true);
  });

  it('does not fire for non-root users', () => {
    for (const user of ['1000', '1000:1000', 'app', 'app:app', 'rootless', '10', '00', 'nobody', '65534:0'])
      expect(fires(user), `user ${JSON.stringify(user)}`).toBe(false);
  });

  it('says whether the user is missing or explicitly root', () => {
    const ev = check(
      'td-root-user',
      taskDefinition({
        containers: [container({ name: 'a', user: undefined }), container({ name: 'b', user: '0:0' })],
      }),
    );
    expect(ev).toEqual([
      {
        path: 'containerDefinitions[0].user',
        message: 'container "a" sets no user (runs as the image default, usually root)',
        container: 'a',
      },
      {
        path: 'containerDefinitions[1].user',
        message: 'container "b" runs as root (user "0:0")',
        container: 'b',
      },
    ]);
  });

  it('is not applicable to Windows task definitions', () => {
    for (const osFamily of [
      'WINDOWS_SERVER_2019_FULL',
      'WINDOWS_SERVER_2022_CORE',
      'windows_server_2016_full',
    ])
      expect(
        check('td-root-user', taskDefinition({ osFamily, containers: [container({ user: undefined })] })),
        osFamily,
      ).toEqual([]);
    // Linux (explicit or unknown platform) is evaluated.
    expect(fires(undefined)).toBe(true);
    expect(
      check(
        'td-root-user',
        taskDefinition({ osFamily: undefined, containers: [container({ user: 'root' })] }),
      ),
    ).toHaveLength(1);
  });

  it('end to end: one finding for three root containers; nothing for a Windows task definition', async () => {
    const containers = [
      apiContainer({ name: 'a', user: undefined }),
      apiContainer({ name: 'b', user: 'root' }),
      apiContainer({ name: 'c', user: '0' }),
      apiContainer({ name: 'd', user: '1000' }),
    ];
    const f = only(await findingsOf({ containerDefinitions: containers }), 'td-root-user');
    expect(f.severity).toBe('medium');
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b', 'c']);
    expect(f.controls.securityHub).toBe('ECS.20');

    const windows = await findingsOf({
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' },
      containerDefinitions: [apiContainer({ user: undefined, readonlyRootFilesystem: false })],
    });
    expect(withRule(windows, 'td-root-user')).toEqual([]);
    expect(withRule(windows, 'td-writable-root-fs')).toEqual([]);
  });
});

describe('td-root-user: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-root-user', taskDefinition())).toEqual([]);
  });
});
