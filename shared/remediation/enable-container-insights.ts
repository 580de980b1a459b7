/**
 * `enable-container-insights` (cluster-container-insights-disabled): UpdateClusterSettings
 * `containerInsights: enabled`.
 *
 * moto_server (the integration-test backend) does not implement UpdateClusterSettings (HTTP 500) but
 * does implement UpdateCluster with `settings`, which has the same effect on AWS. Production always uses
 * UpdateClusterSettings (the narrower call and the narrower IAM permission); the integration tests
 * select UpdateCluster through the Remediator option `containerInsightsApi`, and a unit test asserts the
 * exact UpdateClusterSettings request with aws-sdk-client-mock. See docs/remediation.md.
 */
import {
  DescribeClustersCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
} from '@aws-sdk/client-ecs';
import { clusterResource } from '../events/ecs-resources';
import { nameOf, tagsOf } from './ecs-helpers';
import { awsCall } from './errors';
import type { ActionContext, ActionTarget, Observed, RemediationAction } from './types';

const SETTING = 'containerInsights' as const;

export const enableContainerInsights: RemediationAction = {
  meta: {
    name: 'enable-container-insights',
    title: 'Turn Container Insights on for the cluster',
    rules: ['cluster-container-insights-disabled'],
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

  async read(ctx: ActionContext, target: ActionTarget): Promise<Observed | undefined> {
    const out = await awsCall('ecs:DescribeClusters', () =>
      ctx.ecs.send(new DescribeClustersCommand({ clusters: [target.arn], include: ['SETTINGS', 'TAGS'] })),
    );
    const c = out.clusters?.[0];
    if (!c || (c.status && c.status !== 'ACTIVE')) return undefined;
    const value = c.settings?.find((s) => s.name === SETTING)?.value ?? 'disabled';
    const name = c.clusterName ?? nameOf(target.arn);
    return {
      state: { cluster: name, containerInsights: value },
      tags: tagsOf(c.tags),
      live: clusterResource(c, 'clusters[0]', target),
      compliant: value === 'enabled' || value === 'enhanced',
      plan: `set containerInsights to ${ctx.settings.containerInsightsValue} on cluster ${name} (ecs:${ctx.settings.containerInsightsApi})`,
    };
  },

  async apply(ctx, target) {
    const settings = [{ name: SETTING, value: ctx.settings.containerInsightsValue }];
    if (ctx.settings.containerInsightsApi === 'UpdateCluster') {
      await awsCall('ecs:UpdateCluster', () =>
        ctx.ecs.send(new UpdateClusterCommand({ cluster: target.arn, settings })),
      );
      return { calls: ['ecs:UpdateCluster'] };
    }
    await awsCall('ecs:UpdateClusterSettings', () =>
      ctx.ecs.send(new UpdateClusterSettingsCommand({ cluster: target.arn, settings })),
    );
    return { calls: ['ecs:UpdateClusterSettings'] };
  },
};
