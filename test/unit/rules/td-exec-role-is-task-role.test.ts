/** td-exec-role-is-task-role (CKV_AWS_249). */
import { describe, expect, it } from 'vitest';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition, withRule } from './helpers';

const ROLE = 'arn:aws:iam::111122223333:role/checkout-api';
const td = (taskRoleArn?: string, executionRoleArn?: string) =>
  taskDefinition({ taskRoleArn, executionRoleArn });

describe('td-exec-role-is-task-role', () => {
  it('fires when both roles are the same ARN', () => {
    expect(check('td-exec-role-is-task-role', td(ROLE, ROLE))).toEqual([
      { path: 'taskRoleArn', message: `task role and execution role are the same role (${ROLE})` },
    ]);
  });

  it('edge: a short name equals its ARN; role names compare case-insensitively (IAM does); a path does not hide it', () => {
    expect(check('td-exec-role-is-task-role', td('checkout-api', ROLE))).toHaveLength(1);
    expect(
      check('td-exec-role-is-task-role', td('arn:aws:iam::111122223333:role/Checkout-API', ROLE)),
    ).toHaveLength(1);
    expect(
      check('td-exec-role-is-task-role', td('arn:aws:iam::111122223333:role/team/checkout-api', ROLE)),
    ).toHaveLength(1);
  });

  it('does not fire on different roles, on the same name in another account, or when one is missing', () => {
    expect(
      check('td-exec-role-is-task-role', td(ROLE, 'arn:aws:iam::111122223333:role/ecsTaskExecutionRole')),
    ).toEqual([]);
    expect(
      check('td-exec-role-is-task-role', td(ROLE, 'arn:aws:iam::444455556666:role/checkout-api')),
    ).toEqual([]);
    expect(check('td-exec-role-is-task-role', td(ROLE, undefined))).toEqual([]);
    expect(check('td-exec-role-is-task-role', td(undefined, ROLE))).toEqual([]);
    expect(check('td-exec-role-is-task-role', td('', ''))).toEqual([]);
  });

  it('end to end', async () => {
    const raw = registerTaskDefinitionEvent({ taskRoleArn: ROLE, executionRoleArn: ROLE });
    expect(only((await evaluateOne(raw)).findings, 'td-exec-role-is-task-role').controls.checkov).toBe(
      'CKV_AWS_249',
    );
    const ok = registerTaskDefinitionEvent({
      taskRoleArn: ROLE,
      executionRoleArn: 'arn:aws:iam::111122223333:role/ecsTaskExecutionRole',
    });
    expect(withRule((await evaluateOne(ok)).findings, 'td-exec-role-is-task-role')).toEqual([]);
  });
});
