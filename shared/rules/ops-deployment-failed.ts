/** Signal rule: evaluated on an operational or throttling signal. */
import { reasonSuffix } from './signal/helpers';
import { signalRule } from './types';

export const opsDeploymentFailed = signalRule({
  family: 'signal',
  id: 'ops-deployment-failed',
  title: 'Service deployment failed',
  severity: 'high',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'deploymentFailed',
  description: '`ECS Deployment State Change` with `eventName` `SERVICE_DEPLOYMENT_FAILED`.',
  advice:
    'Check the stopped tasks and the circuit breaker reason; the service rolled back or stopped deploying.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['CM-3', 'SI-4'], 'pci-dss-4.0.1': ['6.5.1'] },
  controls: {},
  check: (s) => ({
    resource: { type: 'AWS::ECS::Service', arn: s.resourceArn },
    evidence: [
      {
        path: 'detail.eventName',
        message: `deployment ${s.deploymentId ?? '(unknown id)'} failed${reasonSuffix(s.reason)}`,
      },
    ],
  }),
});
