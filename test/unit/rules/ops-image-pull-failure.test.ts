/** ops-image-pull-failure: STOPPED tasks that could not pull their image, aggregated per service or task. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { engine, evaluateOne, only, withRule } from './helpers';
import { SERVICE_ARN, stoppedTask } from './stopped-task-events';

// The ECS troubleshooting guide's wording of the error (Amazon ECS Developer Guide, "CannotPullContainer task errors").
const PULL =
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-2.amazonaws.com/voterintake:v9: not found';
const crossed = (fs: readonly Finding[]) =>
  withRule(fs, 'ops-image-pull-failure').filter((f) => f.aggregate?.crossed);

describe('ops-image-pull-failure', () => {
  it("a service's task fires on the service (group service:<name> in the task's cluster) with the reason", async () => {
    const f = only(
      (await evaluateOne(stoppedTask({ group: 'service:voterintake', stoppedReason: PULL }))).findings,
      'ops-image-pull-failure',
    );
    expect(f.resource).toEqual({ type: 'AWS::ECS::Service', arn: SERVICE_ARN });
    expect(f.evidence[0]).toEqual({
      path: 'detail.stoppedReason',
      message: `task arn:aws:ecs:us-east-2:111122223333:task/e9511a82-9247-4239-89e9-ffd548ed9ee4 stopped: ${PULL}`,
    });
    expect(f.aggregate).toMatchObject({ count: 1, crossed: true });
  });

  it('a standalone task fires on the task; a container reason alone is enough (any case)', async () => {
    const f = only(
      (
        await evaluateOne(
          stoppedTask({
            group: 'family:voterintake',
            stoppedReason: 'Task failed to start',
            containerReasons: [undefined, 'cannotpullcontainererror: ref not found'],
          }),
        )
      ).findings,
      'ops-image-pull-failure',
    );
    expect(f.resource.type).toBe('AWS::ECS::Task');
    expect(f.evidence.map((e) => e.container)).toEqual(['c1']);
  });

  it('aggregated per resource: the first event of a 15-minute window fires, later ones raise its count', async () => {
    const e = engine();
    const events = ['08:00:01', '08:05:00', '08:14:59', '08:15:00'].map((t, i) =>
      stoppedTask({
        group: 'service:voterintake',
        taskId: `t${i}`,
        stoppedReason: PULL,
        time: `2026-03-02T${t}Z`,
      }),
    );
    const all = await e.runAll(events);
    const pulls = withRule(all, 'ops-image-pull-failure');
    expect(pulls.map((f) => f.aggregate?.count)).toEqual([1, 2, 3, 1]);
    expect(crossed(all)).toHaveLength(2);
    expect(new Set(pulls.slice(0, 3).map((f) => f.findingId)).size).toBe(1);
  });

  it('does not fire on other stops, on running tasks, or on a stop without reasons', async () => {
    expect(
      withRule(
        (await evaluateOne(stoppedTask({ stoppedReason: 'Essential container in task exited' }))).findings,
        'ops-image-pull-failure',
      ),
    ).toEqual([]);
    const running = stoppedTask({ stoppedReason: PULL });
    (running.detail as Record<string, unknown>).lastStatus = 'DEPROVISIONING';
    expect(withRule((await evaluateOne(running)).findings, 'ops-image-pull-failure')).toEqual([]);
    expect(
      withRule(
        (await evaluateOne(stoppedTask({ stoppedReason: '', containerReasons: [] }))).findings,
        'ops-image-pull-failure',
      ),
    ).toEqual([]);
  });

  it('hostile: a group that lies about the service name falls back to the task; credentials in a reason are redacted', async () => {
    const lying = only(
      (await evaluateOne(stoppedTask({ group: 'service:../../cluster/other', stoppedReason: PULL })))
        .findings,
      'ops-image-pull-failure',
    );
    expect(lying.resource.type).toBe('AWS::ECS::Task');
    const secret = only(
      (
        await evaluateOne(
          stoppedTask({ stoppedReason: 'CannotPullContainerError: auth failed for AKIAIOSFODNN7EXAMPLE' }),
        )
      ).findings,
      'ops-image-pull-failure',
    );
    expect(JSON.stringify(secret)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('hostile: 5,000 containers all failing make a bounded finding; a numeric reason is an invalid event', async () => {
    const many = stoppedTask({ containerReasons: Array.from({ length: 5000 }, () => PULL) });
    const f = only((await evaluateOne(many)).findings, 'ops-image-pull-failure');
    expect(f.evidence.length).toBeLessThanOrEqual(12);
    expect(f.evidence.at(-1)?.message).toBe('and 4990 more containers with CannotPullContainerError');
    const bad = stoppedTask({ stoppedReason: PULL });
    (bad.detail as Record<string, unknown>).containers = [{ name: 'c', reason: 42 }];
    await expect(evaluateOne(bad)).rejects.toThrow(/containers\.0\.reason: expected string/);
  });
});
