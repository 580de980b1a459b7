/** Cluster or container instance rule. */
import type { AccountSettingResource, ClusterResource } from '../model/resources';
import type { Evidence } from '../model/finding';
import { resourceRule } from './types';

const ON = new Set(['enabled', 'enhanced']);

function clusterCheck(c: ClusterResource): Evidence[] {
  const own = c.settings?.containerInsights;
  if (own === 'disabled')
    return [
      { path: 'settings.containerInsights', message: `cluster "${c.name}" has Container Insights disabled` },
    ];
  // No setting of its own: the account default decides, when enrichment read it (else no verdict).
  if (own !== undefined || !c.containerInsightsFromAccount || c.accountContainerInsights === undefined)
    return [];
  return ON.has(c.accountContainerInsights)
    ? []
    : [
        {
          path: 'settings.containerInsights',
          message: `cluster "${c.name}" was created without a Container Insights setting and the account default is "${c.accountContainerInsights}"`,
        },
      ];
}

function accountSettingCheck(s: AccountSettingResource): Evidence[] {
  if (s.name !== 'containerInsights' || s.value !== 'disabled') return [];
  const who = s.scope === 'principal' && s.principalArn ? `for ${s.principalArn}` : 'as the account default';
  return [
    {
      path: 'containerInsights',
      message: `Container Insights set to "disabled" ${who}: new clusters without their own setting have none`,
    },
  ];
}

export const clusterContainerInsightsDisabled = resourceRule({
  family: 'resource',
  id: 'cluster-container-insights-disabled',
  title: 'Container Insights disabled on cluster',
  severity: 'low',
  resourceType: 'AWS::ECS::Cluster',
  appliesTo: 'Cluster',
  description:
    'A cluster setting `containerInsights` is `disabled`, or a cluster created without it while the account default (enrichment) is not `enabled`/`enhanced`; also the account setting `containerInsights` put to `disabled`.',
  advice: 'Enable Container Insights to collect cluster, service and task metrics.',
  // The project's own mapping: Security Hub lists no PCI DSS requirement for ECS.12.
  ownFrameworks: { 'pci-dss-4.0.1': ['10.2.1'] },
  controls: {
    securityHub: 'ECS.12',
    config: 'ecs-container-insights-enabled',
    checkov: 'CKV_AWS_65',
    prowler: 'ecs_cluster_container_insights_enabled',
  },
  remediation: {
    action: 'enable-container-insights',
    summary: 'UpdateClusterSettings containerInsights enabled.',
  },
  check: clusterCheck,
  alsoChecks: { AccountSetting: accountSettingCheck },
});
