/** td-host-ipc: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition, withRule } from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-host-ipc', () => {
  const others = ['task', 'none'];

  it('fires when ipcMode is host', () => {
    expect(check('td-host-ipc', taskDefinition({ ipcMode: 'host' }))).toEqual([
      { path: 'ipcMode', message: 'ipcMode is "host"' },
    ]);
  });

  it(`does not fire for ${others.join(', ')} or an absent ipcMode`, () => {
    for (const value of others)
      expect(check('td-host-ipc', taskDefinition({ ipcMode: value })), value).toEqual([]);
    const { ipcMode: _drop, ...without } = taskDefinition();
    expect(check('td-host-ipc', { ...without, kind: 'TaskDefinition' })).toEqual([]);
  });

  it('end to end (medium), with its cross-references', async () => {
    const findings = await findingsOf({ ipcMode: 'host' });
    expect(only(findings, 'td-host-ipc').severity).toBe('medium');
    expect(only(findings, 'td-host-ipc').controls.securityHub).toBeUndefined();
    expect(withRule(await findingsOf({ ipcMode: others[0] }), 'td-host-ipc')).toEqual([]);
  });
});

describe('td-host-ipc: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-host-ipc', taskDefinition())).toEqual([]);
  });
});
