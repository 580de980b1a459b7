/** td-host-pid: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition, withRule } from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-host-pid', () => {
  const others = ['task'];

  it('fires when pidMode is host', () => {
    expect(check('td-host-pid', taskDefinition({ pidMode: 'host' }))).toEqual([
      { path: 'pidMode', message: 'pidMode is "host"' },
    ]);
  });

  it(`does not fire for ${others.join(', ')} or an absent pidMode`, () => {
    for (const value of others)
      expect(check('td-host-pid', taskDefinition({ pidMode: value })), value).toEqual([]);
    const { pidMode: _drop, ...without } = taskDefinition();
    expect(check('td-host-pid', { ...without, kind: 'TaskDefinition' })).toEqual([]);
  });

  it('end to end (high), with its cross-references', async () => {
    const findings = await findingsOf({ pidMode: 'host' });
    expect(only(findings, 'td-host-pid').severity).toBe('high');
    expect(only(findings, 'td-host-pid').controls).toMatchObject({
      securityHub: 'ECS.3',
      checkov: 'CKV_AWS_335',
    });
    expect(withRule(await findingsOf({ pidMode: others[0] }), 'td-host-pid')).toEqual([]);
  });
});

describe('td-host-pid: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-host-pid', taskDefinition())).toEqual([]);
  });
});
