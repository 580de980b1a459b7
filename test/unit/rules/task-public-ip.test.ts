/** task-public-ip: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { detailOf, fixture } from '../events/fixtures';
import {
  ACCOUNT,
  check,
  evaluateOne,
  NETWORK,
  only,
  REGION,
  runTask,
  startedTask,
  stubEnricher,
  task,
  withRule,
} from './helpers';

const publicNetwork = { awsvpcConfiguration: { ...NETWORK.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };

describe('task-public-ip', () => {
  it('fires for a launch that asked for a public IP', () => {
    expect(check('task-public-ip', task({ network: { assignPublicIp: 'ENABLED' } }))).toEqual([
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'task launch assigns a public IP (assignPublicIp ENABLED)',
      },
    ]);
  });

  it('fires for a task whose ENI has a public IP (enrichment)', () => {
    expect(check('task-public-ip', task({ publicIps: ['203.0.113.10'] }))).toEqual([
      { path: 'attachments.eni.association.publicIp', message: 'task ENI has public IP 203.0.113.10' },
    ]);
  });

  it('does not fire for DISABLED, no network shown, or an ENI checked without public IP', () => {
    expect(check('task-public-ip', task({ network: { assignPublicIp: 'DISABLED' } }))).toEqual([]);
    expect(check('task-public-ip', task({ publicIps: [] }))).toEqual([]);
    expect(check('task-public-ip', task())).toEqual([]);
  });

  it('end to end: the RunTask fixture flags its started task', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-run-task-public-ip-with-overrides.json'));
    const f = only(findings, 'task-public-ip');
    expect(f.severity).toBe('high');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::Task',
      arn: 'arn:aws:ecs:us-west-2:111122223333:task/prod-cluster/5c3a9e1f0b7d4e2a8c6b4d2f0e1a3c5b',
    });
  });

  it('end to end: one finding per started task', async () => {
    const { findings } = await evaluateOne(
      runTask({ networkConfiguration: publicNetwork }, [startedTask('aaa'), startedTask('bbb')]),
    );
    expect(withRule(findings, 'task-public-ip').map((f) => f.resource.arn)).toEqual([
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/aaa`,
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/bbb`,
    ]);
  });

  it('end to end: RunTask that started nothing (tasks: [], failures) is no task finding', async () => {
    expect(
      (await evaluateOne(fixture('cloudtrail-run-task-placement-failure-no-errorcode.json'))).findings,
    ).toEqual([]);
    expect((await evaluateOne(runTask({ networkConfiguration: publicNetwork }, []))).findings).toEqual([]);
  });

  it('end to end: a RUNNING task whose ENI has a public IP (enrichment), not when it has none', async () => {
    const running = fixture('ecs-task-state-change-running-awsvpc.json');
    const withIp = stubEnricher({ publicIps: ['203.0.113.10'] });
    const f = only((await evaluateOne(running, withIp)).findings, 'task-public-ip');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-east-1:123456789012:task/example-cluster/a1173316d40a45dea9');
    expect(withIp.calls).toContain('publicIps eni-0103a2f01bad57d71');

    const without = stubEnricher({ publicIps: [] });
    expect(withRule((await evaluateOne(running, without)).findings, 'task-public-ip')).toEqual([]);
    // Without enrichment the event alone shows no public IP.
    expect((await evaluateOne(running)).findings).toEqual([]);
  });

  it('end to end: a STOPPED task is not looked up', async () => {
    const e = stubEnricher({ publicIps: ['203.0.113.10'] });
    const stopped = fixture('ecs-task-state-change-running-awsvpc.json');
    (detailOf(stopped) as { lastStatus: string }).lastStatus = 'STOPPED';
    expect((await evaluateOne(stopped, e)).findings).toEqual([]);
    expect(e.calls.filter((c) => c.startsWith('publicIps'))).toEqual([]);
  });
});

describe('task-public-ip: compliant input', () => {
  it('a compliant task passes (direct)', () => {
    expect(check('task-public-ip', task())).toEqual([]);
  });
});
