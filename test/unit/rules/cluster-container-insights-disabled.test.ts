/** cluster-container-insights-disabled: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { fixture } from '../events/fixtures';
import { ACCOUNT, REGION, check, cloudTrailEvent, cluster, evaluateOne, only, ruleIds } from './helpers';

const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`;

function createCluster(settings: { name: string; value: string }[] | undefined, withResponse = true) {
  return cloudTrailEvent({
    eventName: 'CreateCluster',
    requestParameters: { clusterName: 'prod-cluster', ...(settings ? { settings } : {}) },
    ...(withResponse
      ? {
          responseElements: {
            cluster: {
              clusterArn: CLUSTER_ARN,
              clusterName: 'prod-cluster',
              status: 'ACTIVE',
              registeredContainerInstancesCount: 0,
              runningTasksCount: 0,
              pendingTasksCount: 0,
              activeServicesCount: 0,
              statistics: [],
              tags: [],
              settings: settings ?? [{ name: 'containerInsights', value: 'disabled' }],
              capacityProviders: [],
              defaultCapacityProviderStrategy: [],
            },
          },
        }
      : {}),
  });
}

describe('cluster-container-insights-disabled', () => {
  it('fires when the containerInsights setting is disabled', () => {
    expect(
      check('cluster-container-insights-disabled', cluster({ settings: { containerInsights: 'disabled' } })),
    ).toEqual([
      {
        path: 'settings.containerInsights',
        message: 'cluster "prod-cluster" has Container Insights disabled',
      },
    ]);
  });

  it('does not fire for enabled, enhanced, or settings the event does not show', () => {
    for (const value of ['enabled', 'enhanced'])
      expect(
        check('cluster-container-insights-disabled', cluster({ settings: { containerInsights: value } })),
        value,
      ).toEqual([]);
    expect(check('cluster-container-insights-disabled', cluster({ settings: {} }))).toEqual([]);
    expect(check('cluster-container-insights-disabled', cluster({ settings: undefined }))).toEqual([]);
  });

  it('end to end: CreateCluster with Container Insights disabled (low)', async () => {
    const { findings } = await evaluateOne(createCluster([{ name: 'containerInsights', value: 'disabled' }]));
    expect(ruleIds(findings)).toEqual(['cluster-container-insights-disabled']);
    const f = only(findings, 'cluster-container-insights-disabled');
    expect(f.severity).toBe('low');
    expect(f.controls.securityHub).toBe('ECS.12');
    expect(f.resource).toEqual({ type: 'AWS::ECS::Cluster', arn: CLUSTER_ARN, name: 'prod-cluster' });
  });

  it('end to end: CreateCluster with Container Insights enabled or enhanced is no finding', async () => {
    for (const value of ['enabled', 'enhanced'])
      expect(
        (await evaluateOne(createCluster([{ name: 'containerInsights', value }]))).findings,
        value,
      ).toEqual([]);
  });

  it('end to end: without a response the request is used and the ARN built from the name', async () => {
    const f = only(
      (await evaluateOne(createCluster([{ name: 'containerInsights', value: 'disabled' }], false))).findings,
      'cluster-container-insights-disabled',
    );
    expect(f.resource.arn).toBe(CLUSTER_ARN);
  });

  it('end to end: UpdateClusterSettings (cluster given as an ARN) and UpdateCluster', async () => {
    for (const eventName of ['UpdateClusterSettings', 'UpdateCluster']) {
      const event = cloudTrailEvent({
        eventName,
        requestParameters: {
          cluster: CLUSTER_ARN,
          settings: [{ name: 'containerInsights', value: 'disabled' }],
        },
      });
      const f = only((await evaluateOne(event)).findings, 'cluster-container-insights-disabled');
      expect(f.resource.arn, eventName).toBe(CLUSTER_ARN);
    }
  });

  it('end to end: an account-level PutAccountSetting is not a cluster finding', async () => {
    const r = await evaluateOne(fixture('cloudtrail-put-account-setting-container-insights-disabled.json'));
    expect(r.findings).toEqual([]);
  });
});
