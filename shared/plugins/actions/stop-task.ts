/** The declaration of the `stop-task` action (its implementation: shared/remediation/stop-task.ts). */
import { defineActionSpec } from '../action';

export const stopTaskSpec = defineActionSpec({
  meta: {
    name: 'stop-task',
    title: 'Stop the standalone task',
    resourceType: 'AWS::ECS::Task',
    summary:
      "Stops a standalone task (group not `service:...`) with a reason naming the guardrail and the finding. A service's task is fixed through its service.",
    readCalls: ['ecs:DescribeTasks (include TAGS)'],
    writeCalls: ['ecs:StopTask'],
    iamPermissions: [
      'ecs:DescribeTasks',
      'ecs:StopTask',
      'ecs:ListTagsForResource',
      // Verification: task-public-ip reads the ENIs' public IPs, td-privileged the revision the task runs,
      // runtime-threat-in-task the GuardDuty finding.
      'ec2:DescribeNetworkInterfaces',
      'ecs:DescribeTaskDefinition',
      'guardduty:GetFindings',
    ],
    risk: 'high',
    riskNote:
      'The task is terminated (SIGTERM, then SIGKILL after its stop timeout): work in progress in a batch ' +
      'job or one-off task is lost and is not restarted.',
    skipsWhen: [
      'the task is already stopped or stopping (already compliant; for task-public-ip a stopped task has no public IP: `not violated now`)',
      'the task belongs to a service (group `service:...`): fixed through the service',
      "AWS shows no public IP on the task's ENIs (task-public-ip), or the revision the task runs is not privileged (td-privileged): `not violated now`",
      'GuardDuty no longer holds the finding, archived it, or it names another task (runtime-threat-in-task): `not violated now`',
    ],
  },
});
