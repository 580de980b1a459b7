/** td-no-task-role: a task that can run on instances without its own role. */
import { describe, expect, it } from 'vitest';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition, withRule } from './helpers';

const ROLE = 'arn:aws:iam::111122223333:role/checkout-api-task';

describe('td-no-task-role', () => {
  it('fires when an EC2 definition has no task role', () => {
    expect(check('td-no-task-role', taskDefinition({ requiresCompatibilities: ['EC2'] }))).toEqual([
      {
        path: 'taskRoleArn',
        message: 'no task role: on an EC2 or EXTERNAL instance the task can use the instance role',
      },
    ]);
  });

  it('edge: absent requiresCompatibilities and EXTERNAL count as instances; FARGATE-only does not; a blank role is none', () => {
    expect(check('td-no-task-role', taskDefinition({ requiresCompatibilities: undefined }))).toHaveLength(1);
    expect(check('td-no-task-role', taskDefinition({ requiresCompatibilities: ['EXTERNAL'] }))).toHaveLength(
      1,
    );
    expect(
      check('td-no-task-role', taskDefinition({ requiresCompatibilities: ['EC2'], taskRoleArn: ' ' })),
    ).toHaveLength(1);
    expect(check('td-no-task-role', taskDefinition({ requiresCompatibilities: ['FARGATE'] }))).toEqual([]);
  });

  it('does not fire with a task role (ARN or short name)', () => {
    expect(
      check('td-no-task-role', taskDefinition({ requiresCompatibilities: ['EC2'], taskRoleArn: ROLE })),
    ).toEqual([]);
    expect(
      check(
        'td-no-task-role',
        taskDefinition({ requiresCompatibilities: ['EC2'], taskRoleArn: 'checkout-api-task' }),
      ),
    ).toEqual([]);
  });

  it('end to end: the role is read from the event; a non-string taskRoleArn is an invalid event', async () => {
    const raw = registerTaskDefinitionEvent({ requiresCompatibilities: ['EC2'] });
    expect(only((await evaluateOne(raw)).findings, 'td-no-task-role').severity).toBe('low');
    const ok = registerTaskDefinitionEvent({ requiresCompatibilities: ['EC2'], taskRoleArn: ROLE });
    expect(withRule((await evaluateOne(ok)).findings, 'td-no-task-role')).toEqual([]);
    await expect(evaluateOne(registerTaskDefinitionEvent({ taskRoleArn: { arn: ROLE } }))).rejects.toThrow(
      /taskRoleArn/,
    );
  });
});
