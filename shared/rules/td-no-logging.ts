/** Task definition rule (AWS::ECS::TaskDefinition). */
import { TD, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdNoLogging = resourceRule({
  family: 'resource',
  id: 'td-no-logging',
  title: 'Container has no log configuration',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'A container has no `logConfiguration.logDriver`.',
  advice: 'Configure a log driver (awslogs or FireLens) for every container.',
  // The project's own mapping: Security Hub lists no PCI DSS requirement for ECS.9.
  ownFrameworks: { 'pci-dss-4.0.1': ['10.2.1'] },
  controls: {
    securityHub: 'ECS.9',
    config: 'ecs-task-definition-log-configuration',
    prowler: 'ecs_task_definitions_logging_enabled',
  },
  check: (td) =>
    perContainer(
      td,
      (c) => (c.logDriver ? undefined : `container "${c.name}" has no log driver`),
      'logConfiguration',
    ),
});
