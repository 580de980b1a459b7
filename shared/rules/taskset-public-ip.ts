/** Workload rule (service, task set or task). */
import { publicIpEvidence } from './workload/helpers';
import { resourceRule } from './types';

export const tasksetPublicIp = resourceRule({
  family: 'resource',
  id: 'taskset-public-ip',
  title: 'Task set assigns public IPs',
  severity: 'high',
  resourceType: 'AWS::ECS::TaskSet',
  appliesTo: 'TaskSet',
  description: "The task set's `assignPublicIp` is `ENABLED`.",
  advice: 'Run tasks in private subnets and reach the internet through a NAT gateway.',
  // The project's own mapping: Security Hub lists no NIST SP 800-53 requirement for ECS.16.
  ownFrameworks: { 'nist-800-53-r5': ['AC-4', 'SC-7'] },
  controls: {
    securityHub: 'ECS.16',
    // Security Hub's own service-linked Config rule (not an AWS Config managed rule).
    config: 'ecs-taskset-assign-public-ip-disabled',
    prowler: 'ecs_task_set_no_assign_public_ip',
  },
  check: (t) => publicIpEvidence(t.network, 'task set'),
});
