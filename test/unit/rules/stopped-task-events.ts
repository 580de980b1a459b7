/** STOPPED Task State Change events for ops-image-pull-failure and ops-task-oom, built from the corpus. */
import { detailOf, fixture } from '../events/fixtures';

/**
 * The corpus STOPPED task (a real capture, test/fixtures/events/sources.md) at a time, in a group, with
 * the stop reason and container reasons of the test.
 */
export function stoppedTask(opts: {
  time?: string;
  group?: string;
  taskId?: string;
  stoppedReason?: string;
  containerReasons?: (string | undefined)[];
}): Record<string, unknown> {
  const e = fixture('ecs-task-state-change-stopped-essential-container-exited.json');
  const d = detailOf(e);
  if (opts.time) e.time = opts.time;
  d.lastStatus = 'STOPPED';
  if (opts.group !== undefined) d.group = opts.group;
  if (opts.taskId) d.taskArn = `arn:aws:ecs:us-east-2:111122223333:task/primary-cluster/${opts.taskId}`;
  if (opts.stoppedReason !== undefined) d.stoppedReason = opts.stoppedReason;
  if (opts.containerReasons)
    d.containers = opts.containerReasons.map((reason, i) => ({
      name: `c${i}`,
      lastStatus: 'STOPPED',
      ...(reason === undefined ? {} : { reason }),
    }));
  return e;
}

export const SERVICE_ARN = 'arn:aws:ecs:us-east-2:111122223333:service/primary-cluster/voterintake';
