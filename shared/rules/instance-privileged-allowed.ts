/** Cluster or container instance rule. */
import { resourceRule } from './types';

const PRIVILEGED_CAPABILITY = 'com.amazonaws.ecs.capability.privileged-container';

export const instancePrivilegedAllowed = resourceRule({
  family: 'resource',
  id: 'instance-privileged-allowed',
  title: 'Container instance allows privileged containers',
  severity: 'medium',
  resourceType: 'AWS::ECS::ContainerInstance',
  appliesTo: 'ContainerInstance',
  description: `The instance's \`attributes\` include \`${PRIVILEGED_CAPABILITY}\` (the agent was not started with \`ECS_DISABLE_PRIVILEGED=true\`).`,
  advice:
    'Set ECS_DISABLE_PRIVILEGED=true in the agent configuration unless the cluster must run privileged tasks.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-6', 'CM-7'], 'pci-dss-4.0.1': ['2.2.6'] },
  controls: { seeds: ['Avoid running containers as privileged'] },
  check: (i) =>
    i.attributes.includes(PRIVILEGED_CAPABILITY)
      ? [{ path: 'attributes', message: `agent advertises ${PRIVILEGED_CAPABILITY}` }]
      : [],
});
