/** Workload rule (service, task set or task). */
import { publicIpEvidence } from './workload/helpers';
import { resourceRule } from './types';

export const svcPublicIp = resourceRule({
  family: 'resource',
  id: 'svc-public-ip',
  title: 'Service assigns public IPs to its tasks',
  severity: 'high',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'Service',
  description: '`networkConfiguration.awsvpcConfiguration.assignPublicIp` is `ENABLED`.',
  advice: 'Run tasks in private subnets and reach the internet through a NAT gateway.',
  controls: {
    securityHub: 'ECS.2',
    // Security Hub's own service-linked Config rule (not an AWS Config managed rule).
    config: 'ecs-service-assign-public-ip-disabled',
    checkov: 'CKV_AWS_333',
    prowler: 'ecs_service_no_assign_public_ip',
    seeds: ['Using a private subnet and a NAT gateway'],
  },
  remediation: {
    action: 'disable-public-ip',
    summary: 'UpdateService keeping subnets and security groups, assignPublicIp DISABLED.',
  },
  check: (s) => publicIpEvidence(s.network, `service "${s.name}"`),
});
