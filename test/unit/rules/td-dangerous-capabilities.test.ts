/** td-dangerous-capabilities: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  paramsWith,
  registerTaskDefinitionEvent,
  taskDefinition,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-dangerous-capabilities', () => {
  const adds = (capabilitiesAdd: string[], params?: unknown) =>
    check(
      'td-dangerous-capabilities',
      taskDefinition({ containers: [container({ capabilitiesAdd })] }),
      params,
    );

  it('fires for every capability of the default deny list', () => {
    const deny = [
      'ALL',
      'SYS_ADMIN',
      'NET_ADMIN',
      'SYS_MODULE',
      'SYS_RAWIO',
      'SYS_PTRACE',
      'DAC_READ_SEARCH',
      'BPF',
      'PERFMON',
      'SYS_BOOT',
      'MAC_ADMIN',
      'MAC_OVERRIDE',
    ];
    for (const cap of deny) expect(adds([cap]), cap).toHaveLength(1);
  });

  it('accepts the CAP_ prefix and any case, and names the normalized capabilities', () => {
    for (const cap of ['CAP_SYS_ADMIN', 'sys_admin', 'cap_sys_admin', 'Cap_Sys_Admin', 'SyS_AdMiN'])
      expect(adds([cap]), cap).toEqual([
        {
          path: 'containerDefinitions[0].linuxParameters.capabilities.add',
          message: 'container "app" adds SYS_ADMIN',
          container: 'app',
        },
      ]);
    expect(adds(['NET_BIND_SERVICE', 'cap_net_admin', 'CHOWN', 'ALL'])[0]?.message).toBe(
      'container "app" adds NET_ADMIN, ALL',
    );
  });

  it('does not fire for harmless capabilities or drops', () => {
    expect(adds([])).toEqual([]);
    expect(adds(['NET_BIND_SERVICE', 'CHOWN', 'CAP_SETUID', 'SYS_TIME'])).toEqual([]);
  });

  it('uses a custom deny list from the policy (and then only that list)', () => {
    const params = paramsWith('td-dangerous-capabilities', { denyList: ['net_raw'] });
    expect(adds(['CAP_NET_RAW'], params)).toHaveLength(1);
    expect(adds(['SYS_ADMIN'], params)).toEqual([]);
  });

  it('end to end: add is flagged, drop ALL is not', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'debug', linuxParameters: { capabilities: { add: ['CAP_SYS_PTRACE'] } } }),
          apiContainer({ name: 'app', linuxParameters: { capabilities: { drop: ['ALL'] } } }),
        ],
      }),
      'td-dangerous-capabilities',
    );
    expect(f.severity).toBe('high');
    expect(f.evidence).toEqual([
      {
        path: 'containerDefinitions[0].linuxParameters.capabilities.add',
        message: 'container "debug" adds SYS_PTRACE',
        container: 'debug',
      },
    ]);
  });
});

describe('td-dangerous-capabilities: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-dangerous-capabilities', taskDefinition())).toEqual([]);
  });
});
