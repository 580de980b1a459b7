/** task-exec-enabled: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { detailOf, fixture } from '../events/fixtures';
import {
  check,
  cloudTrailEvent,
  engine,
  evaluateOne,
  only,
  ruleIds,
  runTask,
  startedTask,
  task,
} from './helpers';

describe('task-exec-enabled', () => {
  it('fires when enableExecuteCommand is true only', () => {
    expect(check('task-exec-enabled', task({ enableExecuteCommand: true }))).toEqual([
      { path: 'enableExecuteCommand', message: 'task has ECS Exec enabled' },
    ]);
    expect(check('task-exec-enabled', task({ enableExecuteCommand: false }))).toEqual([]);
    expect(check('task-exec-enabled', task())).toEqual([]);
  });

  it('end to end: RunTask with exec (fixture) fires; StartTask without it does not', async () => {
    const run = (await evaluateOne(fixture('cloudtrail-run-task-public-ip-with-overrides.json'))).findings;
    expect(ruleIds(run)).toEqual(['task-exec-enabled', 'task-public-ip', 'task-role-override']);
    expect(only(run, 'task-exec-enabled').severity).toBe('medium');
    const start = (await evaluateOne(fixture('cloudtrail-start-task-ec2-privileged-taskdef.json'))).findings;
    expect(start).toEqual([]);
  });

  it('end to end: the request flag counts when the response task omits it', async () => {
    const { findings } = await evaluateOne(runTask({ enableExecuteCommand: true }, [startedTask('ccc')]));
    expect(only(findings, 'task-exec-enabled').resource.arn).toContain('task/prod-cluster/ccc');
  });

  it('end to end: a task state change showing exec enabled', async () => {
    const event = fixture('ecs-task-state-change-running-awsvpc.json');
    (detailOf(event) as { enableExecuteCommand: boolean }).enableExecuteCommand = true;
    expect(ruleIds((await evaluateOne(event)).findings)).toEqual(['task-exec-enabled']);
  });

  it('end to end: a failed RunTask (errorCode) is no finding', async () => {
    const failed = cloudTrailEvent({
      eventName: 'RunTask',
      errorCode: 'InvalidParameterException',
      requestParameters: {
        cluster: 'prod-cluster',
        taskDefinition: 'db-migrate:12',
        enableExecuteCommand: true,
      },
    });
    expect((await engine().run(failed)).findings).toEqual([]);
  });
});

describe('task-exec-enabled: compliant input', () => {
  it('a compliant task passes (direct)', () => {
    expect(check('task-exec-enabled', task())).toEqual([]);
  });
});
