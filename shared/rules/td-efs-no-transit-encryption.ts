/** Task definition rule (AWS::ECS::TaskDefinition). */
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdEfsNoTransitEncryption = resourceRule({
  family: 'resource',
  id: 'td-efs-no-transit-encryption',
  title: 'EFS volume without transit encryption',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: "A volume's `efsVolumeConfiguration.transitEncryption` is not `ENABLED`.",
  advice: 'Enable transit encryption on every EFS volume.',
  // The project's own mapping: Security Hub lists no requirement for ECS.18.
  ownFrameworks: { 'nist-800-53-r5': ['SC-8', 'SC-8(1)'], 'pci-dss-4.0.1': ['4.2.1'] },
  controls: {
    securityHub: 'ECS.18',
    config: 'ecs-task-definition-efs-encryption-enabled',
    checkov: 'CKV_AWS_97',
  },
  check: (td) =>
    td.volumes.flatMap((vol, i) =>
      vol.efsTransitEncryption !== undefined && vol.efsTransitEncryption !== 'ENABLED'
        ? [
            {
              path: `volumes[${i}].efsVolumeConfiguration.transitEncryption`,
              message: `EFS volume "${vol.name}" has transit encryption ${vol.efsTransitEncryption}`,
            },
          ]
        : [],
    ),
});
