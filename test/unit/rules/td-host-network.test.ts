/** td-host-network: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition, withRule } from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-host-network', () => {
  const others = ['awsvpc', 'bridge', 'none'];

  it('fires when networkMode is host', () => {
    expect(check('td-host-network', taskDefinition({ networkMode: 'host' }))).toEqual([
      { path: 'networkMode', message: 'networkMode is "host"' },
    ]);
  });

  it(`does not fire for ${others.join(', ')} or an absent networkMode`, () => {
    for (const value of others)
      expect(check('td-host-network', taskDefinition({ networkMode: value })), value).toEqual([]);
    const { networkMode: _drop, ...without } = taskDefinition();
    expect(check('td-host-network', { ...without, kind: 'TaskDefinition' })).toEqual([]);
  });

  it('end to end (high), with its cross-references', async () => {
    const findings = await findingsOf({ networkMode: 'host' });
    expect(only(findings, 'td-host-network').severity).toBe('high');
    expect(only(findings, 'td-host-network').controls).toMatchObject({
      securityHub: 'ECS.17',
      config: 'ecs-task-definition-network-mode-not-host',
    });
    expect(withRule(await findingsOf({ networkMode: others[0] }), 'td-host-network')).toEqual([]);
  });
});

describe('td-host-network: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-host-network', taskDefinition())).toEqual([]);
  });
});
