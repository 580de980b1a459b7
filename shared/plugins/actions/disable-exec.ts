/** The declaration of the `disable-exec` action (its implementation: shared/remediation/disable-exec.ts). */
import { defineActionSpec } from '../action';

export const disableExecSpec = defineActionSpec({
  meta: {
    name: 'disable-exec',
    title: 'Turn ECS Exec off on the service',
    resourceType: 'AWS::ECS::Service',
    summary:
      'UpdateService `enableExecuteCommand: false`, `forceNewDeployment: true` (running tasks keep Exec ' +
      'until they are replaced, so a new deployment replaces them).',
    readCalls: ['ecs:DescribeServices (include TAGS), before and after'],
    writeCalls: ['ecs:UpdateService'],
    iamPermissions: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListTagsForResource'],
    risk: 'medium',
    riskNote:
      'Every task of the service is replaced by a rolling deployment (capacity follows the deployment ' +
      'configuration); open ECS Exec sessions end with their task.',
    skipsWhen: [
      'enableExecuteCommand is already false (`not violated now`)',
      'the deployment controller is CODE_DEPLOY or EXTERNAL (notify why)',
      'the service is no longer ACTIVE',
    ],
  },
});
