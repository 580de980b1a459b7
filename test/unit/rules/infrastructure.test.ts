/** Cluster and container instance rules (shared/rules/infrastructure.ts): directly and end to end. */
import { describe, expect, it } from 'vitest';
import { infrastructureRules } from '../../../shared/rules/infrastructure';
import { detailOf, fixture } from '../events/fixtures';
import {
  ACCOUNT,
  REGION,
  check,
  cloudTrailEvent,
  cluster,
  containerInstance,
  evaluateOne,
  only,
  ruleIds,
  withRule,
} from './helpers';

const TESTED = [
  'cluster-container-insights-disabled',
  'instance-privileged-allowed',
  'instance-imds-reachable',
];

const PRIVILEGED = 'com.amazonaws.ecs.capability.privileged-container';
const TASK_ENI = 'ecs.capability.task-eni';
const BLOCK_IMDS = 'ecs.capability.task-eni-block-instance-metadata';
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

/** The corpus's container instance event with its attribute list replaced. */
function instanceEvent(attributes: string[]) {
  const event = fixture('ecs-container-instance-state-change-active.json');
  detailOf(event).attributes = attributes.map((name) => ({ name }));
  return event;
}

describe('infrastructure rules: module', () => {
  it('this file tests every rule of the module', () => {
    expect(infrastructureRules.map((r) => r.id).sort()).toEqual([...TESTED].sort());
  });
});

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

describe('instance-privileged-allowed', () => {
  it('fires when the agent advertises the privileged-container capability', () => {
    expect(
      check('instance-privileged-allowed', containerInstance([TASK_ENI, BLOCK_IMDS, PRIVILEGED])),
    ).toEqual([{ path: 'attributes', message: `agent advertises ${PRIVILEGED}` }]);
  });

  it('does not fire without it (ECS_DISABLE_PRIVILEGED=true), nor on a look-alike name', () => {
    expect(check('instance-privileged-allowed', containerInstance([TASK_ENI, BLOCK_IMDS]))).toEqual([]);
    expect(check('instance-privileged-allowed', containerInstance([]))).toEqual([]);
    expect(
      check(
        'instance-privileged-allowed',
        containerInstance(['com.amazonaws.ecs.capability.privileged-container-x']),
      ),
    ).toEqual([]);
  });

  it('end to end: the AWS documentation example instance (medium)', async () => {
    const { findings } = await evaluateOne(fixture('ecs-container-instance-state-change-active.json'));
    expect(ruleIds(findings)).toEqual(['instance-privileged-allowed']);
    const f = only(findings, 'instance-privileged-allowed');
    expect(f.severity).toBe('medium');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::ContainerInstance',
      arn: 'arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315',
    });
  });
});

describe('instance-imds-reachable', () => {
  it('fires with task-eni but without the block-instance-metadata capability', () => {
    expect(check('instance-imds-reachable', containerInstance([TASK_ENI]))).toEqual([
      { path: 'attributes', message: `awsvpc tasks can reach IMDS: ${BLOCK_IMDS} is absent` },
    ]);
  });

  it('does not fire when IMDS is blocked, or when the instance runs no awsvpc tasks', () => {
    expect(check('instance-imds-reachable', containerInstance([TASK_ENI, BLOCK_IMDS]))).toEqual([]);
    expect(check('instance-imds-reachable', containerInstance([BLOCK_IMDS]))).toEqual([]);
    expect(check('instance-imds-reachable', containerInstance([]))).toEqual([]);
  });

  it('end to end: high; the doc example (no task-eni) does not fire', async () => {
    const f = only(
      (await evaluateOne(instanceEvent([TASK_ENI, 'ecs.capability.execution-role-ecr-pull']))).findings,
      'instance-imds-reachable',
    );
    expect(f.severity).toBe('high');
    expect((await evaluateOne(instanceEvent([TASK_ENI, BLOCK_IMDS]))).findings).toEqual([]);
    expect(
      withRule(
        (await evaluateOne(fixture('ecs-container-instance-state-change-active.json'))).findings,
        'instance-imds-reachable',
      ),
    ).toEqual([]);
  });

  it('end to end: an instance that is fully hardened yields no finding', async () => {
    expect(
      (await evaluateOne(instanceEvent([TASK_ENI, BLOCK_IMDS, 'com.amazonaws.ecs.capability.task-iam-role'])))
        .findings,
    ).toEqual([]);
  });
});
