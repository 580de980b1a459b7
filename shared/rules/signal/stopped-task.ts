/** Helpers of the rules on a STOPPED task (ops-image-pull-failure, ops-task-oom). */
import type { TaskStoppedSignal } from '../../events/signals';
import type { Evidence } from '../../model/finding';
import { reasonSuffix } from './helpers';

/** At most this many containers are named (a task has at most 10; an event may claim more). */
const MAX_NAMED = 10;

/**
 * Evidence for every place of the stopped task whose reason contains `marker` (any case): the task's
 * `stoppedReason` when `withStoppedReason`, and each container's `reason`. Empty when none does.
 */
export function stoppedReasonEvidence(
  s: TaskStoppedSignal,
  marker: string,
  withStoppedReason: boolean,
): Evidence[] {
  const needle = marker.toLowerCase();
  const has = (text: string | undefined): text is string => !!text && text.toLowerCase().includes(needle);
  const out: Evidence[] = [];
  if (withStoppedReason && has(s.stoppedReason))
    out.push({
      path: 'detail.stoppedReason',
      message: `task ${s.taskArn} stopped${reasonSuffix(s.stoppedReason)}`,
    });
  let matched = 0;
  s.containers.forEach((c, i) => {
    if (!has(c.reason)) return;
    matched++;
    if (matched > MAX_NAMED) return;
    out.push({
      path: `detail.containers[${i}].reason`,
      message: `container "${c.name}" of task ${s.taskArn}${reasonSuffix(c.reason)}`,
      ...(c.name ? { container: c.name } : {}),
    });
  });
  if (matched > MAX_NAMED)
    out.push({
      path: 'detail.containers',
      message: `and ${matched - MAX_NAMED} more containers with ${marker}`,
    });
  return out;
}

export const stoppedResource = (s: TaskStoppedSignal) => ({ type: s.resourceType, arn: s.resourceArn });
