/** instance-task-role-host-network: host-network tasks on the instance can get task role credentials. */
import { resourceRule } from './types';

const HOST_TASK_ROLE = 'com.amazonaws.ecs.capability.task-iam-role-network-host';

export const instanceTaskRoleHostNetwork = resourceRule({
  family: 'resource',
  id: 'instance-task-role-host-network',
  title: 'Task IAM roles enabled for host-network tasks',
  severity: 'medium',
  resourceType: 'AWS::ECS::ContainerInstance',
  appliesTo: 'ContainerInstance',
  description: `The instance's \`attributes\` include \`${HOST_TASK_ROLE}\` (\`ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true\`).`,
  advice:
    "Leave ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST off: a host-network task shares the instance network and can reach other tasks' credentials and the instance metadata.",
  controls: { seeds: ['E-02 Instance metadata and credentials in host network mode'] },
  ownFrameworks: { 'nist-800-53-r5': ['AC-3', 'AC-6', 'SC-4'], 'pci-dss-4.0.1': ['7.2.1'] },
  check: (i) =>
    i.attributes.includes(HOST_TASK_ROLE)
      ? [
          {
            path: 'attributes',
            message: `the agent gives task IAM roles to host-network tasks (${HOST_TASK_ROLE})`,
          },
        ]
      : [],
});
