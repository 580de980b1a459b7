/** cluster-container-insights-disabled: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Enricher } from '../../../shared/engine/enrich';
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

  it('end to end: PutAccountSetting containerInsights=disabled fires on the account setting, not a cluster', async () => {
    const r = await evaluateOne(fixture('cloudtrail-put-account-setting-container-insights-disabled.json'));
    expect(ruleIds(r.findings)).toEqual(['cluster-container-insights-disabled']);
    const f = only(r.findings, 'cluster-container-insights-disabled');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::AccountSetting',
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:account-setting/containerInsights`,
      name: 'containerInsights (arn:aws:iam::111122223333:role/DeployRole)',
    });
    expect(f.evidence[0]!.message).toMatch(/for arn:aws:iam::111122223333:role\/DeployRole/);
    expect(f.controls.securityHub).toBe('ECS.12');
    expect(f.action).toBeUndefined();
  });
});

/** An enricher that reads only account settings (what a CreateCluster needs). */
const fakeEnricher = (o: { accountSetting: NonNullable<Enricher['accountSetting']> }): Enricher => ({
  describeTaskDefinition: () => Promise.resolve(undefined),
  publicIps: () => Promise.resolve([]),
  describeService: () => Promise.resolve(undefined),
  accountSetting: o.accountSetting,
});

describe('cluster-container-insights-disabled: the account default (v2)', () => {
  const putSetting = (eventName: string, setting: Record<string, unknown>, withResponse = true) =>
    cloudTrailEvent({
      eventName,
      requestParameters: setting,
      ...(withResponse ? { responseElements: { setting: { ...setting, type: 'user' } } } : {}),
    });

  it('PutAccountSettingDefault containerInsights=disabled fires on the account default', async () => {
    const f = only(
      (
        await evaluateOne(
          putSetting('PutAccountSettingDefault', { name: 'containerInsights', value: 'disabled' }),
        )
      ).findings,
      'cluster-container-insights-disabled',
    );
    expect(f.resource.arn).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:account-setting/containerInsights`);
    expect(f.evidence[0]!.message).toMatch(/as the account default/);
  });

  it('PutAccountSetting for the root user is the account default; from the request when no response', async () => {
    const event = putSetting(
      'PutAccountSetting',
      { name: 'containerInsights', value: 'disabled', principalArn: `arn:aws:iam::${ACCOUNT}:root` },
      false,
    );
    expect(
      only((await evaluateOne(event)).findings, 'cluster-container-insights-disabled').resource.name,
    ).toBe('containerInsights');
  });

  it('enabled, enhanced, another setting, or a refused call: no finding', async () => {
    for (const value of ['enabled', 'enhanced'])
      expect(
        (await evaluateOne(putSetting('PutAccountSettingDefault', { name: 'containerInsights', value })))
          .findings,
        value,
      ).toEqual([]);
    expect(
      (await evaluateOne(putSetting('PutAccountSetting', { name: 'taskLongArnFormat', value: 'disabled' })))
        .findings,
    ).toEqual([]);
    const refused = cloudTrailEvent({
      eventName: 'PutAccountSettingDefault',
      errorCode: 'AccessDeniedException',
      requestParameters: { name: 'containerInsights', value: 'disabled' },
    });
    expect((await evaluateOne(refused)).findings).toEqual([]);
  });

  it('a setting name that is no ECS name (a hostile event building an ARN) is ignored', async () => {
    for (const name of ['containerInsights/../cluster/prod', '', 'a b', 'x'.repeat(65)])
      expect(
        (await evaluateOne(putSetting('PutAccountSettingDefault', { name, value: 'disabled' }))).findings,
        JSON.stringify(name),
      ).toEqual([]);
  });

  it('a wrong JSON type in the setting (value a boolean) makes the event invalid, naming the path', async () => {
    await expect(
      evaluateOne(putSetting('PutAccountSettingDefault', { name: 'containerInsights', value: false })),
    ).rejects.toMatchObject({ name: 'InvalidEventError', path: 'detail.responseElements.setting.value' });
  });

  it('a cluster created without the setting: fires when the account default is not enabled/enhanced', () => {
    const created = (accountContainerInsights?: string) =>
      cluster({
        settings: {},
        containerInsightsFromAccount: true,
        ...(accountContainerInsights ? { accountContainerInsights } : {}),
      });
    expect(check('cluster-container-insights-disabled', created('disabled'))).toEqual([
      {
        path: 'settings.containerInsights',
        message:
          'cluster "prod-cluster" was created without a Container Insights setting and the account default is "disabled"',
      },
    ]);
    for (const on of ['enabled', 'enhanced'])
      expect(check('cluster-container-insights-disabled', created(on)), on).toEqual([]);
    // Without enrichment: no verdict.
    expect(check('cluster-container-insights-disabled', created())).toEqual([]);
    // Its own setting wins over the account default.
    expect(
      check('cluster-container-insights-disabled', {
        ...created('disabled'),
        settings: { containerInsights: 'enabled' },
      }),
    ).toEqual([]);
  });

  it('end to end: CreateCluster without the setting, enriched: the account default decides, read once per scope', async () => {
    const reads: string[] = [];
    const enricher = fakeEnricher({
      accountSetting: async (name, scope) => {
        reads.push(`${scope.account}/${scope.region}/${name}`);
        return 'disabled';
      },
    });
    const event = createCluster(undefined, false);
    const { findings, skipped } = await evaluateOne(event, enricher);
    expect(ruleIds(findings)).toEqual(['cluster-container-insights-disabled']);
    expect(skipped).toBeUndefined();
    expect(reads).toEqual([`${ACCOUNT}/${REGION}/containerInsights`]);
    const on = fakeEnricher({ accountSetting: async () => 'enhanced' });
    expect((await evaluateOne(event, on)).findings).toEqual([]);
  });

  it('end to end: CreateCluster without the setting, not enriched: no verdict, not incomplete, the skip is said', async () => {
    const r = await evaluateOne(createCluster(undefined, false));
    expect(r.findings).toEqual([]);
    expect(r.incomplete).toBeUndefined();
    expect(r.skipped).toEqual([
      'account default of Container Insights (cluster-container-insights-disabled)',
    ]);
  });

  it('end to end: an UpdateCluster without the setting never asks for the account default', async () => {
    let asked = false;
    const enricher = fakeEnricher({
      accountSetting: async () => {
        asked = true;
        return 'disabled';
      },
    });
    const event = cloudTrailEvent({
      eventName: 'UpdateCluster',
      requestParameters: { cluster: CLUSTER_ARN, configuration: {} },
    });
    expect((await evaluateOne(event, enricher)).findings).toEqual([]);
    expect(asked).toBe(false);
  });
});
