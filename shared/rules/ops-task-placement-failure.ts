/** Signal rule: evaluated on an operational or throttling signal. */
import * as v from 'valibot';
import { minutes, reasonSuffix } from './signal/helpers';
import { signalRule } from './types';

export const opsTaskPlacementFailure = signalRule({
  family: 'signal',
  id: 'ops-task-placement-failure',
  title: 'Tasks cannot be placed',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'placementFailure',
  description:
    '`ECS Service Action` `SERVICE_TASK_PLACEMENT_FAILURE`, aggregated like `throttle-ecs-operation` (first event of a 15-minute window).',
  advice: 'Add capacity (instances, capacity provider scaling) or relax placement constraints.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['SC-6', 'SI-4'], 'pci-dss-4.0.1': ['10.4.1'] },
  controls: {},
  params: { schema: v.object({ windowMinutes: minutes }), defaults: { windowMinutes: 15 } },
  check: (s, p) => ({
    resource: {
      type: s.resourceArn.includes(':service/') ? 'AWS::ECS::Service' : 'AWS::ECS::Cluster',
      arn: s.resourceArn,
    },
    evidence: [{ path: 'detail.reason', message: `task placement failed${reasonSuffix(s.reason)}` }],
    window: {
      keyParts: [s.resourceArn, 'SERVICE_TASK_PLACEMENT_FAILURE'],
      windowMs: p.windowMinutes * 60_000,
      threshold: 1,
    },
  }),
});
