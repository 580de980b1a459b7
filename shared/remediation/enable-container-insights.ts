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
import {
  enableContainerInsightsSpec,
  type ContainerInsightsParams,
} from '../plugins/actions/enable-container-insights';
import { clusterResource } from '../events/ecs-resources';
import { nameOf, tagsOf } from './ecs-helpers';
import { awsCall } from './errors';
import { defineAction, ecsSdk, type ActionContext, type ActionTarget, type Observed } from './types';

const SETTING = 'containerInsights' as const;

export const enableContainerInsights = defineAction<ContainerInsightsParams>({
  ...enableContainerInsightsSpec,

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
