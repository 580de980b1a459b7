/** instance-imds-reachable: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { detailOf, fixture } from '../events/fixtures';
import { check, containerInstance, evaluateOne, only, withRule } from './helpers';

const TASK_ENI = 'ecs.capability.task-eni';

const BLOCK_IMDS = 'ecs.capability.task-eni-block-instance-metadata';

/** The corpus's container instance event with its attribute list replaced. */
function instanceEvent(attributes: string[]) {
  const event = fixture('ecs-container-instance-state-change-active.json');
  detailOf(event).attributes = attributes.map((name) => ({ name }));
  return event;
}

describe('instance-imds-reachable', () => {
  it('fires with task-eni but without the block-instance-metadata capability', () => {
    expect(check('instance-imds-reachable', containerInstance([TASK_ENI]))).toEqual([
      { path: 'attributes', message: `awsvpc tasks can reach IMDS: ${BLOCK_IMDS} is absent` },
    ]);
  });

  it('does not fire when IMDS is blocked, or when the instance runs no awsvpc tasks', () => {
    expect(check('instance-imds-reachable', containerInstance([TASK_ENI, BLOCK_IMDS]))).toEqual([]);
    expect(check('instance-imds-reachable', containerInstance([BLOCK_IMDS]))).toEqual([]);
    expect(check('instance-imds-reachable', containerInstance([]))).toEqual([]);
  });

  it('end to end: high; the doc example (no task-eni) does not fire', async () => {
    const f = only(
      (await evaluateOne(instanceEvent([TASK_ENI, 'ecs.capability.execution-role-ecr-pull']))).findings,
      'instance-imds-reachable',
    );
    expect(f.severity).toBe('high');
    expect((await evaluateOne(instanceEvent([TASK_ENI, BLOCK_IMDS]))).findings).toEqual([]);
    expect(
      withRule(
        (await evaluateOne(fixture('ecs-container-instance-state-change-active.json'))).findings,
        'instance-imds-reachable',
      ),
    ).toEqual([]);
  });

  it('end to end: an instance that is fully hardened yields no finding', async () => {
    expect(
      (await evaluateOne(instanceEvent([TASK_ENI, BLOCK_IMDS, 'com.amazonaws.ecs.capability.task-iam-role'])))
        .findings,
    ).toEqual([]);
  });
});
