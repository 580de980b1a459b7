/** svc-circuit-breaker-off: a failing deployment of the service is not stopped and rolled back by ECS. */
import { resourceRule } from './types';

export const svcCircuitBreakerOff = resourceRule({
  family: 'resource',
  id: 'svc-circuit-breaker-off',
  title: 'Deployment circuit breaker off',
  severity: 'low',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'Service',
  description:
    'The service uses the ECS deployment controller (absent = ECS) and `deploymentConfiguration.deploymentCircuitBreaker.enable` is not `true` (an UpdateService that does not show it leaves it unchanged: no verdict).',
  advice:
    'Turn on the deployment circuit breaker with rollback, so a failing deployment stops and rolls back.',
  controls: { seeds: ['B-12 Use the deployment circuit breaker'] },
  ownFrameworks: { 'nist-800-53-r5': ['CM-3', 'CP-10'], 'pci-dss-4.0.1': ['6.5.1'] },
  check: (s) => {
    const controller = (s.deploymentController ?? 'ECS').trim().toUpperCase();
    if (controller !== 'ECS' || s.circuitBreakerEnabled !== false) return [];
    return [
      {
        path: 'deploymentConfiguration.deploymentCircuitBreaker.enable',
        message:
          'the deployment circuit breaker is off: a failing deployment is neither stopped nor rolled back',
      },
    ];
  },
});
