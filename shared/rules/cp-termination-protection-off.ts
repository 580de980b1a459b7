/** cp-termination-protection-off: scale-in may terminate instances that still run tasks (Security Hub ECS.19). */
import { resourceRule } from './types';

export const cpTerminationProtectionOff = resourceRule({
  family: 'resource',
  id: 'cp-termination-protection-off',
  title: 'Capacity provider without managed termination protection',
  severity: 'medium',
  resourceType: 'AWS::ECS::CapacityProvider',
  appliesTo: 'CapacityProvider',
  description:
    'CreateCapacityProvider / UpdateCapacityProvider where `autoScalingGroupProvider.managedTerminationProtection` is not `ENABLED` (omitted on create is DISABLED; an update that does not show it leaves it unchanged).',
  advice:
    'Enable managed termination protection (with managed scaling) so scale-in never terminates an instance that runs tasks.',
  controls: { securityHub: 'ECS.19', config: 'ecs-capacity-provider-termination-check' },
  check: (cp) => {
    const mtp = cp.autoScalingGroup?.managedTerminationProtection;
    if (mtp === undefined || mtp.trim().toUpperCase() === 'ENABLED') return [];
    return [
      {
        path: 'autoScalingGroupProvider.managedTerminationProtection',
        message: `managed termination protection is ${JSON.stringify(mtp)}, not ENABLED: scale-in can terminate instances running tasks`,
      },
    ];
  },
});
