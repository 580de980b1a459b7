/** instance-privileged-allowed: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { fixture } from '../events/fixtures';
import { check, containerInstance, evaluateOne, only, ruleIds } from './helpers';

const PRIVILEGED = 'com.amazonaws.ecs.capability.privileged-container';

const TASK_ENI = 'ecs.capability.task-eni';

const BLOCK_IMDS = 'ecs.capability.task-eni-block-instance-metadata';

describe('instance-privileged-allowed', () => {
  it('fires when the agent advertises the privileged-container capability', () => {
    expect(
      check('instance-privileged-allowed', containerInstance([TASK_ENI, BLOCK_IMDS, PRIVILEGED])),
    ).toEqual([{ path: 'attributes', message: `agent advertises ${PRIVILEGED}` }]);
  });

  it('does not fire without it (ECS_DISABLE_PRIVILEGED=true), nor on a look-alike name', () => {
    expect(check('instance-privileged-allowed', containerInstance([TASK_ENI, BLOCK_IMDS]))).toEqual([]);
    expect(check('instance-privileged-allowed', containerInstance([]))).toEqual([]);
    expect(
      check(
        'instance-privileged-allowed',
        containerInstance(['com.amazonaws.ecs.capability.privileged-container-x']),
      ),
    ).toEqual([]);
  });

  it('end to end: the AWS documentation example instance (medium)', async () => {
    const { findings } = await evaluateOne(fixture('ecs-container-instance-state-change-active.json'));
    // The example's agent also gives task roles to host-network tasks (instance-task-role-host-network, v2).
    expect(ruleIds(findings)).toEqual(['instance-privileged-allowed', 'instance-task-role-host-network']);
    const f = only(findings, 'instance-privileged-allowed');
    expect(f.severity).toBe('medium');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::ContainerInstance',
      arn: 'arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315',
    });
  });
});
