/** Signal rule: evaluated on an operational or throttling signal. */
import * as v from 'valibot';
import { minutes, reasonSuffix, THROTTLE_ADVICE } from './signal/helpers';
import { signalRule } from './types';

export const throttleEcsOperation = signalRule({
  family: 'signal',
  id: 'throttle-ecs-operation',
  title: 'ECS scheduler throttled',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'ecsThrottle',
  description:
    '`ECS Service Action` `ECS_OPERATION_THROTTLED` or `SERVICE_DISCOVERY_OPERATION_THROTTLED`: the first event of a window fires, later ones raise its count (key: account, region, service, event name).',
  advice: THROTTLE_ADVICE,
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['SC-5', 'SI-4'], 'pci-dss-4.0.1': ['10.4.1'] },
  controls: { seeds: ['Handle Amazon ECS throttling issues'] },
  params: { schema: v.object({ windowMinutes: minutes }), defaults: { windowMinutes: 15 } },
  check: (s, p) => ({
    resource: {
      type: s.resourceArn.includes(':service/') ? 'AWS::ECS::Service' : 'AWS::ECS::Cluster',
      arn: s.resourceArn,
    },
    evidence: [
      {
        path: 'detail.eventName',
        message: `${s.eventName === 'ECS_OPERATION_THROTTLED' ? 'ECS' : 'Cloud Map'} throttled the service scheduler (${s.eventName})${reasonSuffix(s.reason)}`,
      },
    ],
    window: { keyParts: [s.resourceArn, s.eventName], windowMs: p.windowMinutes * 60_000, threshold: 1 },
  }),
});
