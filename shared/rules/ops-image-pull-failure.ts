/** ops-image-pull-failure: tasks stop because their image cannot be pulled (aggregated per service or task). */
import * as v from 'valibot';
import { minutes } from './signal/helpers';
import { stoppedReasonEvidence, stoppedResource } from './signal/stopped-task';
import { signalRule } from './types';

const MARKER = 'CannotPullContainerError';

export const opsImagePullFailure = signalRule({
  family: 'signal',
  id: 'ops-image-pull-failure',
  title: 'Tasks stop: image cannot be pulled',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'taskStopped',
  description:
    '`ECS Task State Change` STOPPED whose `stoppedReason` or a `containers[].reason` contains `CannotPullContainerError`; per service (group `service:<name>`), else per task, aggregated like `throttle-ecs-operation` (first event of a 15-minute window).',
  advice:
    'Check the image reference and tag, the execution role (ECR pull, Secrets Manager for private registries) and the network path to the registry (NAT, VPC endpoints).',
  controls: { seeds: ['C-06 CannotPullContainerError'] },
  ownFrameworks: { 'nist-800-53-r5': ['CP-10', 'SI-4'] },
  params: { schema: v.object({ windowMinutes: minutes }), defaults: { windowMinutes: 15 } },
  check: (s, p) => {
    const evidence = stoppedReasonEvidence(s, MARKER, true);
    if (evidence.length === 0) return undefined;
    return {
      resource: stoppedResource(s),
      evidence,
      window: { keyParts: [s.resourceArn, MARKER], windowMs: p.windowMinutes * 60_000, threshold: 1 },
    };
  },
});
