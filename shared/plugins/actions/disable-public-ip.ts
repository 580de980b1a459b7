/** The declaration of the `disable-public-ip` action (its implementation: shared/remediation/disable-public-ip.ts). */
import { defineActionSpec } from '../action';

export const disablePublicIpSpec = defineActionSpec({
  meta: {
    name: 'disable-public-ip',
    title: "Stop assigning public IPs to the service's tasks",
    resourceType: 'AWS::ECS::Service',
    summary:
      'UpdateService with `networkConfiguration.awsvpcConfiguration` = the current subnets and security ' +
      'groups, unchanged, and `assignPublicIp: DISABLED`. ECS rolls the tasks through a new deployment.',
    readCalls: ['ecs:DescribeServices (include TAGS), before and after'],
    writeCalls: ['ecs:UpdateService'],
    iamPermissions: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListTagsForResource'],
    risk: 'high',
    riskNote:
      'Tasks in a public subnet without a NAT gateway (or VPC endpoints for ECR, S3 and CloudWatch Logs) ' +
      'lose outbound internet access: new tasks then fail to pull images and the deployment stalls or ' +
      'rolls back (with the circuit breaker). Tasks that served traffic directly on their public IP stop ' +
      'being reachable.',
    skipsWhen: [
      'assignPublicIp is already DISABLED or the service has no awsvpc configuration (`not violated now`)',
      'the deployment controller is CODE_DEPLOY or EXTERNAL (notify why)',
      'the service is no longer ACTIVE',
    ],
  },
});
