/** task-role-override: RunTask/StartTask choosing the task's roles (PassRole + RunTask escalation). */
import { describe, expect, it } from 'vitest';
import { fixture } from '../events/fixtures';
import { check, cloudTrailEvent, evaluateOne, runTask, startedTask, task, withRule } from './helpers';

const ADMIN = 'arn:aws:iam::111122223333:role/admin-everything';
const CALLER = 'arn:aws:sts::111122223333:assumed-role/DeployRole/session';

describe('task-role-override', () => {
  it('fires with the caller and each overridden role', () => {
    const t = task({ roleOverrides: { taskRoleArn: ADMIN, executionRoleArn: ADMIN }, launchedBy: CALLER });
    expect(check('task-role-override', t)).toEqual([
      { path: 'overrides.taskRoleArn', message: `${CALLER} started the task with task role ${ADMIN}` },
      {
        path: 'overrides.executionRoleArn',
        message: `${CALLER} started the task with execution role ${ADMIN}`,
      },
    ]);
  });

  it('does not fire without a role override', () => {
    expect(check('task-role-override', task())).toEqual([]);
  });

  it('end to end: one finding per started task, naming caller and role; the fixture RunTask overrides the task role', async () => {
    const raw = runTask({ overrides: { taskRoleArn: ADMIN, containerOverrides: [] } }, [
      startedTask('a'),
      startedTask('b'),
    ]);
    const found = withRule((await evaluateOne(raw)).findings, 'task-role-override');
    expect(found.map((f) => f.resource.arn.split('/').pop())).toEqual(['a', 'b']);
    expect(found[0]?.evidence).toEqual([
      { path: 'overrides.taskRoleArn', message: `${CALLER} started the task with task role ${ADMIN}` },
    ]);
    expect(found[0]?.severity).toBe('high');
    const fx = withRule(
      (await evaluateOne(fixture('cloudtrail-run-task-public-ip-with-overrides.json'))).findings,
      'task-role-override',
    );
    expect(fx).toHaveLength(1);
  });

  it('edge: StartTask too; no task started (failures only) is no finding; an empty override is none', async () => {
    const start = cloudTrailEvent({
      eventName: 'StartTask',
      requestParameters: {
        cluster: 'prod-cluster',
        taskDefinition: 'db-migrate:12',
        containerInstances: ['ci-1'],
        overrides: { executionRoleArn: ADMIN },
      },
      responseElements: { tasks: [startedTask('s', { launchType: 'EC2' })], failures: [] },
    });
    expect(withRule((await evaluateOne(start)).findings, 'task-role-override')[0]?.evidence[0]?.path).toBe(
      'overrides.executionRoleArn',
    );
    const none = cloudTrailEvent({
      eventName: 'RunTask',
      requestParameters: {
        cluster: 'prod-cluster',
        taskDefinition: 'db-migrate:12',
        overrides: { taskRoleArn: ADMIN },
      },
      responseElements: {
        tasks: [],
        failures: [
          { arn: 'arn:aws:ecs:us-west-2:111122223333:container-instance/x', reason: 'RESOURCE:MEMORY' },
        ],
      },
    });
    expect(withRule((await evaluateOne(none)).findings, 'task-role-override')).toEqual([]);
    const empty = runTask({ overrides: { taskRoleArn: '', containerOverrides: [] } }, [startedTask('a')]);
    expect(withRule((await evaluateOne(empty)).findings, 'task-role-override')).toEqual([]);
  });

  it('hostile: a response that hides the override does not hide it (the request is read too); a non-string role is an invalid event', async () => {
    const raw = runTask({ overrides: { taskRoleArn: ADMIN } }, [
      startedTask('a', { overrides: { containerOverrides: [] } }),
    ]);
    expect(withRule((await evaluateOne(raw)).findings, 'task-role-override')).toHaveLength(1);
    await expect(
      evaluateOne(runTask({ overrides: { taskRoleArn: ['x'] } }, [startedTask('a')])),
    ).rejects.toThrow(/overrides\.taskRoleArn: expected string/);
  });
});
