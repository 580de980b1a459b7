/** The declaration of the `enable-container-insights` action (its implementation: shared/remediation/enable-container-insights.ts). */
import * as v from 'valibot';
import { defineActionSpec } from '../action';

export interface ContainerInsightsParams {
  /** The value written. */
  readonly value: 'enabled' | 'enhanced';
  /** The API that writes it (UpdateCluster only for backends without UpdateClusterSettings). */
  readonly api: 'UpdateClusterSettings' | 'UpdateCluster';
}

export const enableContainerInsightsSpec = defineActionSpec<ContainerInsightsParams>({
  meta: {
    name: 'enable-container-insights',
    title: 'Turn Container Insights on for the cluster',
    resourceType: 'AWS::ECS::Cluster',
    summary:
      'UpdateClusterSettings `settings: [{name: containerInsights, value: enabled}]`; nothing else changes.',
    readCalls: ['ecs:DescribeClusters (include SETTINGS, TAGS), before and after'],
    writeCalls: ['ecs:UpdateClusterSettings'],
    iamPermissions: ['ecs:DescribeClusters', 'ecs:UpdateClusterSettings', 'ecs:ListTagsForResource'],
    risk: 'low',
    riskNote:
      'No effect on running tasks; CloudWatch starts collecting cluster, service and task metrics, which ' +
      'are billed as custom metrics and log ingestion.',
    skipsWhen: [
      'containerInsights is already `enabled` or `enhanced` (`not violated now`)',
      'the cluster is gone or INACTIVE',
    ],
  },
  params: {
    schema: v.strictObject({
      value: v.picklist(['enabled', 'enhanced']),
      api: v.picklist(['UpdateClusterSettings', 'UpdateCluster']),
    }),
    defaults: { value: 'enabled', api: 'UpdateClusterSettings' },
    docs: {
      value: '`enabled`, or `enhanced` (Container Insights with enhanced observability)',
      api: '`UpdateClusterSettings`; `UpdateCluster` only for a backend without it (moto_server), and it needs `ecs:UpdateCluster`, which the member-account role does not grant',
    },
  },
});
