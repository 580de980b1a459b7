/** td-privileged: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { fixture } from '../events/fixtures';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  registerTaskDefinitionEvent,
  taskDefinition,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-privileged', () => {
  it('fires for privileged: true, one evidence per offending container', () => {
    const ev = check(
      'td-privileged',
      taskDefinition({
        containers: [
          container({ name: 'a', privileged: true }),
          container({ name: 'b', privileged: false }),
          container({ name: 'c', privileged: true }),
        ],
      }),
    );
    expect(ev).toEqual([
      { path: 'containerDefinitions[0].privileged', message: 'container "a" is privileged', container: 'a' },
      { path: 'containerDefinitions[2].privileged', message: 'container "c" is privileged', container: 'c' },
    ]);
  });

  it('does not fire for privileged false or absent', () => {
    expect(
      check('td-privileged', taskDefinition({ containers: [container({ privileged: false })] })),
    ).toEqual([]);
    expect(check('td-privileged', taskDefinition())).toEqual([]);
  });

  it('end to end: ONE critical finding listing both privileged containers, with its controls', async () => {
    const findings = await findingsOf({
      containerDefinitions: [
        apiContainer({ name: 'a', privileged: true }),
        apiContainer({ name: 'b', privileged: true }),
      ],
    });
    const f = only(findings, 'td-privileged');
    expect(f.severity).toBe('critical');
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b']);
    expect(f.controls.securityHub).toBe('ECS.4');
    expect(f.controls.checkov).toBe('CKV_AWS_334');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:42');
  });

  it('end to end: the huge near-limit registration flags only worker-07', async () => {
    const { findings } = await evaluateOne(
      fixture('cloudtrail-register-task-definition-huge-near-limits.json'),
    );
    expect(only(findings, 'td-privileged').evidence.map((e) => e.container)).toEqual(['worker-07']);
  });
});

describe('td-privileged: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-privileged', taskDefinition())).toEqual([]);
  });
});
