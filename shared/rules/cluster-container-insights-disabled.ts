/** Cluster or container instance rule. */
import { resourceRule } from './types';

export const clusterContainerInsightsDisabled = resourceRule({
  family: 'resource',
  id: 'cluster-container-insights-disabled',
  title: 'Container Insights disabled on cluster',
  severity: 'low',
  resourceType: 'AWS::ECS::Cluster',
  appliesTo: 'Cluster',
  description: 'A cluster setting `containerInsights` is `disabled`.',
  advice: 'Enable Container Insights to collect cluster, service and task metrics.',
  // The project's own mapping: Security Hub lists no PCI DSS requirement for ECS.12.
  ownFrameworks: { 'pci-dss-4.0.1': ['10.2.1'] },
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
});
