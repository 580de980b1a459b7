/** Task definition rule (AWS::ECS::TaskDefinition). */
import { TD, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdPrivileged = resourceRule({
  family: 'resource',
  id: 'td-privileged',
  title: 'Privileged container in task definition',
  severity: 'critical',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'Any container has `privileged: true`.',
  advice: 'Avoid running containers as privileged: a privileged container has root on the host.',
  // The project's own mapping: Security Hub lists no PCI DSS requirement for ECS.4.
  ownFrameworks: { 'pci-dss-4.0.1': ['2.2.6'] },
  controls: {
    securityHub: 'ECS.4',
    config: 'ecs-containers-nonprivileged',
    checkov: 'CKV_AWS_334',
    prowler: 'ecs_task_definitions_no_privileged_containers',
    seeds: ['Avoid running containers as privileged'],
  },
  remediation: {
    action: 'deregister-task-definition',
    summary: 'Deregister the revision; stop standalone tasks already running it.',
  },
  check: (td) =>
    perContainer(
      td,
      (c) => (c.privileged === true ? `container "${c.name}" is privileged` : undefined),
      'privileged',
    ),
});
