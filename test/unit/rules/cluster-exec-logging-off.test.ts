/** cluster-exec-logging-off (CKV_AWS_223). */
import { describe, expect, it } from 'vitest';
import { check, cloudTrailEvent, cluster, evaluateOne, only, withRule } from './helpers';

const EVIDENCE = {
  path: 'configuration.executeCommandConfiguration.logging',
  message: 'ECS Exec logging is NONE: commands run in containers are not recorded',
};
const withLogging = (logging: string) => ({ executeCommandConfiguration: { logging } });

describe('cluster-exec-logging-off', () => {
  it('fires when logging is NONE (any case)', () => {
    expect(check('cluster-exec-logging-off', cluster({ execLogging: 'NONE' }))).toEqual([EVIDENCE]);
    expect(check('cluster-exec-logging-off', cluster({ execLogging: ' none' }))).toEqual([EVIDENCE]);
  });

  it('does not fire on DEFAULT, OVERRIDE or when the event does not show it', () => {
    expect(check('cluster-exec-logging-off', cluster({ execLogging: 'DEFAULT' }))).toEqual([]);
    expect(check('cluster-exec-logging-off', cluster({ execLogging: 'OVERRIDE' }))).toEqual([]);
    expect(check('cluster-exec-logging-off', cluster())).toEqual([]);
  });

  it('end to end: CreateCluster (response) and UpdateCluster (request only)', async () => {
    const create = cloudTrailEvent({
      eventName: 'CreateCluster',
      requestParameters: {
        clusterName: 'prod-cluster',
        configuration: withLogging('NONE'),
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      },
      responseElements: {
        cluster: {
          clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster',
          clusterName: 'prod-cluster',
          configuration: withLogging('NONE'),
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        },
      },
    });
    expect(only((await evaluateOne(create)).findings, 'cluster-exec-logging-off').evidence).toEqual([
      EVIDENCE,
    ]);
    const update = (configuration: unknown) =>
      cloudTrailEvent({
        eventName: 'UpdateCluster',
        requestParameters: { cluster: 'prod-cluster', configuration },
      });
    expect(
      only((await evaluateOne(update(withLogging('NONE')))).findings, 'cluster-exec-logging-off').resource
        .arn,
    ).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster');
    expect(
      withRule((await evaluateOne(update(withLogging('DEFAULT')))).findings, 'cluster-exec-logging-off'),
    ).toEqual([]);
    // UpdateClusterSettings shows no configuration: no verdict.
    const settings = cloudTrailEvent({
      eventName: 'UpdateClusterSettings',
      requestParameters: {
        cluster: 'prod-cluster',
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      },
    });
    expect(withRule((await evaluateOne(settings)).findings, 'cluster-exec-logging-off')).toEqual([]);
  });

  it('hostile: logging as a number is an invalid event naming the path', async () => {
    const raw = cloudTrailEvent({
      eventName: 'UpdateCluster',
      requestParameters: {
        cluster: 'prod-cluster',
        configuration: { executeCommandConfiguration: { logging: 0 } },
      },
    });
    await expect(evaluateOne(raw)).rejects.toThrow(/executeCommandConfiguration\.logging: expected string/);
  });
});
