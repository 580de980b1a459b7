/** Signal rule: evaluated on an operational or throttling signal. */
import * as v from 'valibot';
import { minutes, THROTTLE_ADVICE } from './signal/helpers';
import { signalRule } from './types';

export const throttleApiCalls = signalRule({
  family: 'signal',
  id: 'throttle-api-calls',
  title: 'AWS API calls throttled',
  severity: 'medium',
  resourceType: 'AWS::IAM::Principal',
  appliesTo: 'apiThrottle',
  description:
    'CloudTrail events with a throttling `errorCode` (ECS, EC2 `Client.RequestLimitExceeded`, ELB, Cloud Map, Application Auto Scaling, ...): 10 or more in a 5-minute window per account, region, event source, API and caller; high at 10x the threshold.',
  advice: THROTTLE_ADVICE,
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['SC-5', 'SI-4'], 'pci-dss-4.0.1': ['10.4.1'] },
  controls: { seeds: ['Handle Amazon ECS throttling issues'] },
  params: {
    schema: v.object({
      threshold: v.pipe(v.number(), v.integer(), v.minValue(1)),
      windowMinutes: minutes,
      escalationFactor: v.pipe(v.number(), v.integer(), v.minValue(2)),
    }),
    defaults: { threshold: 10, windowMinutes: 5, escalationFactor: 10 },
  },
  check: (s, p) => ({
    resource: { type: 'AWS::IAM::Principal', arn: s.principal, name: `${s.eventSource} ${s.eventName}` },
    evidence: [
      {
        path: 'detail.errorCode',
        message: `${s.eventSource} ${s.eventName} called by ${s.principal} was throttled (${s.errorCode})`,
      },
    ],
    window: {
      keyParts: [s.eventSource, s.eventName, s.principal],
      windowMs: p.windowMinutes * 60_000,
      threshold: p.threshold,
      escalateAt: p.threshold * p.escalationFactor,
      escalatedSeverity: 'high',
    },
  }),
});
