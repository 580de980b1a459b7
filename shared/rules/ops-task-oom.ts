/** ops-task-oom: containers are killed for running out of memory (aggregated per service or task). */
import * as v from 'valibot';
import { minutes } from './signal/helpers';
import { stoppedReasonEvidence, stoppedResource } from './signal/stopped-task';
import { signalRule } from './types';

const MARKER = 'OutOfMemoryError';

export const opsTaskOom = signalRule({
  family: 'signal',
  id: 'ops-task-oom',
  title: 'Tasks stop: container out of memory',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'taskStopped',
  description:
    '`ECS Task State Change` STOPPED with a `containers[].reason` containing `OutOfMemoryError`; per service, else per task, aggregated like ops-image-pull-failure.',
  advice:
    "Raise the container's memory limit or find the leak; the task's memory metrics (Container Insights) show the peak.",
  controls: { seeds: ['C-03 OutOfMemoryError: container killed due to memory usage'] },
  ownFrameworks: { 'nist-800-53-r5': ['SC-6', 'SI-4'] },
  params: { schema: v.object({ windowMinutes: minutes }), defaults: { windowMinutes: 15 } },
  check: (s, p) => {
    const evidence = stoppedReasonEvidence(s, MARKER, false);
    if (evidence.length === 0) return undefined;
    return {
      resource: stoppedResource(s),
      evidence,
      window: { keyParts: [s.resourceArn, MARKER], windowMs: p.windowMinutes * 60_000, threshold: 1 },
    };
  },
});
