/** ops-task-oom: containers killed for memory, aggregated per service or task like ops-image-pull-failure. */
import { describe, expect, it } from 'vitest';
import { checkSignal, engine, evaluateOne, only, withRule } from './helpers';
import { SERVICE_ARN, stoppedTask } from './stopped-task-events';

// The reason ECS writes (Amazon ECS Developer Guide, "Stopped tasks errors": OutOfMemoryError).
const OOM = 'OutOfMemoryError: Container killed due to memory usage';

describe('ops-task-oom', () => {
  it('a container killed for memory fires on its service, naming the container', async () => {
    const f = only(
      (
        await evaluateOne(
          stoppedTask({
            group: 'service:voterintake',
            stoppedReason: 'Essential container in task exited',
            containerReasons: [OOM, undefined],
          }),
        )
      ).findings,
      'ops-task-oom',
    );
    expect(f.resource).toEqual({ type: 'AWS::ECS::Service', arn: SERVICE_ARN });
    expect(f.evidence).toEqual([
      {
        path: 'detail.containers[0].reason',
        message: `container "c0" of task arn:aws:ecs:us-east-2:111122223333:task/e9511a82-9247-4239-89e9-ffd548ed9ee4: ${OOM}`,
        container: 'c0',
      },
    ]);
  });

  it('edge: only container reasons count (a stoppedReason mentioning it alone does not); other stops do not fire', async () => {
    expect(
      withRule(
        (await evaluateOne(stoppedTask({ stoppedReason: OOM, containerReasons: [] }))).findings,
        'ops-task-oom',
      ),
    ).toEqual([]);
    expect(
      withRule(
        (await evaluateOne(stoppedTask({ containerReasons: ['Essential container exited'] }))).findings,
        'ops-task-oom',
      ),
    ).toEqual([]);
    expect(
      checkSignal('ops-task-oom', {
        kind: 'taskStopped',
        resourceArn: 't',
        resourceType: 'AWS::ECS::Task',
        taskArn: 't',
        containers: [{ name: 'a', reason: 'outofmemoryerror' }],
      }),
    ).toBeDefined();
  });

  it('strict only where read: container reasons of a task that is not STOPPED are never read, so any type passes', async () => {
    const running = stoppedTask({ containerReasons: [OOM] });
    const d = running.detail as Record<string, unknown>;
    d.lastStatus = 'RUNNING';
    d.containers = [{ name: 'c0', reason: { nested: true } }];
    expect(withRule((await evaluateOne(running)).findings, 'ops-task-oom')).toEqual([]);
    d.lastStatus = 'STOPPED';
    await expect(evaluateOne(running)).rejects.toThrow(
      /detail\.containers\.0\.reason: expected string, got object/,
    );
  });

  it('aggregated per service across tasks in one window; OOM and pull failures are separate keys', async () => {
    const e = engine();
    const all = await e.runAll([
      stoppedTask({
        group: 'service:voterintake',
        taskId: 'a',
        containerReasons: [OOM],
        time: '2026-03-02T08:00:00Z',
      }),
      stoppedTask({
        group: 'service:voterintake',
        taskId: 'b',
        containerReasons: [OOM, 'CannotPullContainerError: x'],
        time: '2026-03-02T08:01:00Z',
      }),
    ]);
    expect(withRule(all, 'ops-task-oom').map((f) => f.aggregate?.count)).toEqual([1, 2]);
    expect(withRule(all, 'ops-image-pull-failure').map((f) => f.aggregate?.count)).toEqual([1]);
  });
});
