/** td-network-mode-not-awsvpc: low, observe by default. */
import { describe, expect, it } from 'vitest';
import { getRule } from '../../../shared/rules/registry';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition, withRule } from './helpers';

describe('td-network-mode-not-awsvpc', () => {
  it.each(['bridge', 'none', 'BRIDGE', 'default'])('fires on networkMode %s', (mode) => {
    expect(check('td-network-mode-not-awsvpc', taskDefinition({ networkMode: mode }))).toEqual([
      {
        path: 'networkMode',
        message: `networkMode is "${mode.toLowerCase()}", not awsvpc: tasks have no security group of their own`,
      },
    ]);
  });

  it('edge: an absent networkMode (bridge on Linux) fires; host is left to td-host-network; awsvpc is compliant', () => {
    expect(check('td-network-mode-not-awsvpc', taskDefinition({ networkMode: undefined }))[0]?.message).toBe(
      'networkMode is not set (bridge on Linux): tasks share the instance network',
    );
    expect(check('td-network-mode-not-awsvpc', taskDefinition({ networkMode: 'host' }))).toEqual([]);
    expect(check('td-network-mode-not-awsvpc', taskDefinition({ networkMode: 'AwsVpc' }))).toEqual([]);
  });

  it('is low and observe by default: recorded, nobody notified', async () => {
    expect(getRule('td-network-mode-not-awsvpc')?.defaultMode).toBe('observe');
    expect(DEFAULT_POLICY.rules['td-network-mode-not-awsvpc']?.mode).toBe('observe');
    const raw = registerTaskDefinitionEvent({ networkMode: 'bridge', requiresCompatibilities: ['EC2'] });
    const f = only((await evaluateOne(raw)).findings, 'td-network-mode-not-awsvpc');
    expect(f).toMatchObject({ severity: 'low', mode: 'observe' });
    expect(
      withRule((await evaluateOne(registerTaskDefinitionEvent())).findings, 'td-network-mode-not-awsvpc'),
    ).toEqual([]);
  });
});
