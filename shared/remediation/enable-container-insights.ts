/**
 * `enable-container-insights` (cluster-container-insights-disabled): UpdateClusterSettings
 * `containerInsights: enabled`.
 *
 * moto_server (the integration-test backend) does not implement UpdateClusterSettings (HTTP 500) but
 * does implement UpdateCluster with `settings`, which has the same effect on AWS. Production always uses
 * UpdateClusterSettings (the narrower call and the narrower IAM permission); the integration tests
 * select UpdateCluster through the action's `api` parameter, and a unit test asserts the
 * exact UpdateClusterSettings request with aws-sdk-client-mock. See docs/remediation.md.
 */
import * as v from 'valibot';
import { clusterResource } from '../events/ecs-resources';
import { nameOf, tagsOf } from './ecs-helpers';
import { awsCall } from './errors';
import { defineAction, ecsSdk, type ActionContext, type ActionTarget, type Observed } from './types';

const SETTING = 'containerInsights' as const;

export interface ContainerInsightsParams {
  /** The value written. */
  readonly value: 'enabled' | 'enhanced';
  /** The API that writes it (UpdateCluster only for backends without UpdateClusterSettings). */
  readonly api: 'UpdateClusterSettings' | 'UpdateCluster';
}

export const enableContainerInsights = defineAction<ContainerInsightsParams>({
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

  async read(
    ctx: ActionContext<ContainerInsightsParams>,
    target: ActionTarget,
  ): Promise<Observed | undefined> {
    const sdk = await ecsSdk();
    const out = await awsCall('ecs:DescribeClusters', () =>
      ctx.ecs.send(
        new sdk.DescribeClustersCommand({ clusters: [target.arn], include: ['SETTINGS', 'TAGS'] }),
      ),
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
      plan: `set containerInsights to ${ctx.params.value} on cluster ${name} (ecs:${ctx.params.api})`,
    };
  },

  async apply(ctx, target) {
    const sdk = await ecsSdk();
    const settings = [{ name: SETTING, value: ctx.params.value }];
    if (ctx.params.api === 'UpdateCluster') {
      await awsCall('ecs:UpdateCluster', () =>
        ctx.ecs.send(new sdk.UpdateClusterCommand({ cluster: target.arn, settings })),
      );
      return { calls: ['ecs:UpdateCluster'] };
    }
    await awsCall('ecs:UpdateClusterSettings', () =>
      ctx.ecs.send(new sdk.UpdateClusterSettingsCommand({ cluster: target.arn, settings })),
    );
    return { calls: ['ecs:UpdateClusterSettings'] };
  },
});
