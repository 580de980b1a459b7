/** cluster-exec-logging-off: ECS Exec sessions in the cluster leave no command log. */
import { resourceRule } from './types';

export const clusterExecLoggingOff = resourceRule({
  family: 'resource',
  id: 'cluster-exec-logging-off',
  title: 'ECS Exec logging off',
  severity: 'low',
  resourceType: 'AWS::ECS::Cluster',
  appliesTo: 'Cluster',
  description:
    'CreateCluster / UpdateCluster whose `configuration.executeCommandConfiguration.logging` is `NONE`.',
  advice:
    'Log ECS Exec sessions (logging DEFAULT or OVERRIDE to CloudWatch Logs or S3) so every command run in a container is audited.',
  controls: { checkov: 'CKV_AWS_223' },
  ownFrameworks: { 'nist-800-53-r5': ['AU-2', 'AU-12'], 'pci-dss-4.0.1': ['10.2.1', '10.2.2'] },
  check: (c) =>
    c.execLogging?.trim().toUpperCase() === 'NONE'
      ? [
          {
            path: 'configuration.executeCommandConfiguration.logging',
            message: 'ECS Exec logging is NONE: commands run in containers are not recorded',
          },
        ]
      : [],
});
