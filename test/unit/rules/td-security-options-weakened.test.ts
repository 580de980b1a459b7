/** td-security-options-weakened: the rule on its own and end to end. */
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

const withOptions = (...opts: string[]) =>
  taskDefinition({ containers: [container({ dockerSecurityOptions: opts })] });

describe('td-security-options-weakened', () => {
  it.each(['apparmor:unconfined', 'label:disable', 'seccomp:unconfined', 'seccomp=unconfined'])(
    'fires on %s',
    (opt) => {
      expect(check('td-security-options-weakened', withOptions(opt))).toEqual([
        {
          path: 'containerDefinitions[0].dockerSecurityOptions',
          message: `container "app" disables kernel confinement (${opt})`,
          container: 'app',
        },
      ]);
    },
  );

  it('edge: case and surrounding spaces do not hide an option; several options make one evidence per container', () => {
    const ev = check(
      'td-security-options-weakened',
      withOptions(' SECCOMP:Unconfined ', 'AppArmor:unconfined', 'seccomp:unconfined'),
    );
    expect(ev).toHaveLength(1);
    expect(ev[0]?.message).toBe(
      'container "app" disables kernel confinement (seccomp:unconfined, apparmor:unconfined)',
    );
  });

  it('does not fire on profiles that confine, or on no options', () => {
    expect(
      check(
        'td-security-options-weakened',
        withOptions(
          'no-new-privileges',
          'apparmor:docker-default',
          'label:type:svirt_apache_t',
          'seccomp:/etc/profile.json',
        ),
      ),
    ).toEqual([]);
    expect(check('td-security-options-weakened', taskDefinition())).toEqual([]);
    // A look-alike that is not the option itself.
    expect(
      check('td-security-options-weakened', withOptions('apparmor:unconfined-not', 'xlabel:disable')),
    ).toEqual([]);
  });

  it('end to end: RegisterTaskDefinition with seccomp unconfined fires; a wrong type is an invalid event naming the path', async () => {
    const raw = registerTaskDefinitionEvent({
      containerDefinitions: [apiContainer({ dockerSecurityOptions: ['seccomp=unconfined'] })],
      requiresCompatibilities: ['EC2'],
      networkMode: 'awsvpc',
    });
    expect(
      only((await evaluateOne(raw)).findings, 'td-security-options-weakened').evidence[0]?.container,
    ).toBe('app');
    expect(
      withRule((await evaluateOne(registerTaskDefinitionEvent())).findings, 'td-security-options-weakened'),
    ).toEqual([]);
    const bad = registerTaskDefinitionEvent({
      containerDefinitions: [apiContainer({ dockerSecurityOptions: 'seccomp=unconfined' })],
    });
    await expect(evaluateOne(bad)).rejects.toThrow(
      /taskDefinition\.containerDefinitions\.0\.dockerSecurityOptions: expected/,
    );
  });
});
