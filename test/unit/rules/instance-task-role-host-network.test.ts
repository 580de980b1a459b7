/** instance-task-role-host-network: the agent gives task roles to host-network tasks. */
import { describe, expect, it } from 'vitest';
import { fixture } from '../events/fixtures';
import { check, containerInstance, evaluateOne, only } from './helpers';

const HOST_ROLE = 'com.amazonaws.ecs.capability.task-iam-role-network-host';

describe('instance-task-role-host-network', () => {
  it('fires when the instance advertises the capability', () => {
    expect(
      check('instance-task-role-host-network', containerInstance(['ecs.capability.task-eni', HOST_ROLE])),
    ).toEqual([
      { path: 'attributes', message: `the agent gives task IAM roles to host-network tasks (${HOST_ROLE})` },
    ]);
  });

  it('does not fire without it, on the plain task-iam-role capability, or on look-alikes', () => {
    expect(check('instance-task-role-host-network', containerInstance([]))).toEqual([]);
    expect(
      check(
        'instance-task-role-host-network',
        containerInstance(['com.amazonaws.ecs.capability.task-iam-role']),
      ),
    ).toEqual([]);
    expect(
      check(
        'instance-task-role-host-network',
        containerInstance([`${HOST_ROLE}-x`, HOST_ROLE.toUpperCase()]),
      ),
    ).toEqual([]);
  });

  it('end to end: the AWS documentation example instance advertises it', async () => {
    const f = only(
      (await evaluateOne(fixture('ecs-container-instance-state-change-active.json'))).findings,
      'instance-task-role-host-network',
    );
    expect(f.resource.type).toBe('AWS::ECS::ContainerInstance');
    expect(f.severity).toBe('medium');
  });
});
