/** Cluster and container instance rules. */
import { resourceRule, type Rule } from './types';

const PRIVILEGED_CAPABILITY = 'com.amazonaws.ecs.capability.privileged-container';
const TASK_ENI = 'ecs.capability.task-eni';
const TASK_ENI_BLOCK_IMDS = 'ecs.capability.task-eni-block-instance-metadata';

export const infrastructureRules: readonly Rule[] = [
  resourceRule({
    family: 'resource',
    id: 'cluster-container-insights-disabled',
    title: 'Container Insights disabled on cluster',
    severity: 'low',
    resourceType: 'AWS::ECS::Cluster',
    appliesTo: 'Cluster',
    description: 'A cluster setting `containerInsights` is `disabled`.',
    advice: 'Enable Container Insights to collect cluster, service and task metrics.',
    controls: { securityHub: 'ECS.12' },
    remediation: {
      action: 'enable-container-insights',
      summary: 'UpdateClusterSettings containerInsights enabled.',
    },
    check: (c) =>
      c.settings?.containerInsights === 'disabled'
        ? [
            {
              path: 'settings.containerInsights',
              message: `cluster "${c.name}" has Container Insights disabled`,
            },
          ]
        : [],
  }),
  resourceRule({
    family: 'resource',
    id: 'instance-privileged-allowed',
    title: 'Container instance allows privileged containers',
    severity: 'medium',
    resourceType: 'AWS::ECS::ContainerInstance',
    appliesTo: 'ContainerInstance',
    description: `The instance's \`attributes\` include \`${PRIVILEGED_CAPABILITY}\` (the agent was not started with \`ECS_DISABLE_PRIVILEGED=true\`).`,
    advice:
      'Set ECS_DISABLE_PRIVILEGED=true in the agent configuration unless the cluster must run privileged tasks.',
    controls: { seeds: ['Avoid running containers as privileged'] },
    check: (i) =>
      i.attributes.includes(PRIVILEGED_CAPABILITY)
        ? [{ path: 'attributes', message: `agent advertises ${PRIVILEGED_CAPABILITY}` }]
        : [],
  }),
  resourceRule({
    family: 'resource',
    id: 'instance-imds-reachable',
    title: 'Tasks on container instance can reach instance metadata',
    severity: 'high',
    resourceType: 'AWS::ECS::ContainerInstance',
    appliesTo: 'ContainerInstance',
    description: `\`attributes\` include \`${TASK_ENI}\` but not \`${TASK_ENI_BLOCK_IMDS}\` (\`ECS_AWSVPC_BLOCK_IMDS\` is not \`true\`).`,
    advice:
      'Block instance metadata for awsvpc tasks with ECS_AWSVPC_BLOCK_IMDS=true (the guide strongly recommends it).',
    controls: { seeds: ['Block access to instance metadata'] },
    check: (i) =>
      i.attributes.includes(TASK_ENI) && !i.attributes.includes(TASK_ENI_BLOCK_IMDS)
        ? [{ path: 'attributes', message: `awsvpc tasks can reach IMDS: ${TASK_ENI_BLOCK_IMDS} is absent` }]
        : [],
  }),
];
