/** Cluster or container instance rule. */
import { resourceRule } from './types';

const TASK_ENI = 'ecs.capability.task-eni';
const TASK_ENI_BLOCK_IMDS = 'ecs.capability.task-eni-block-instance-metadata';

export const instanceImdsReachable = resourceRule({
  family: 'resource',
  id: 'instance-imds-reachable',
  title: 'Tasks on container instance can reach instance metadata',
  severity: 'high',
  resourceType: 'AWS::ECS::ContainerInstance',
  appliesTo: 'ContainerInstance',
  description: `\`attributes\` include \`${TASK_ENI}\` but not \`${TASK_ENI_BLOCK_IMDS}\` (\`ECS_AWSVPC_BLOCK_IMDS\` is not \`true\`).`,
  advice:
    'Block instance metadata for awsvpc tasks with ECS_AWSVPC_BLOCK_IMDS=true (the guide strongly recommends it).',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-3', 'AC-6'], 'pci-dss-4.0.1': ['7.2.5'] },
  controls: { seeds: ['Block access to instance metadata'] },
  check: (i) =>
    i.attributes.includes(TASK_ENI) && !i.attributes.includes(TASK_ENI_BLOCK_IMDS)
      ? [{ path: 'attributes', message: `awsvpc tasks can reach IMDS: ${TASK_ENI_BLOCK_IMDS} is absent` }]
      : [],
});
