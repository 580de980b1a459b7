/** cluster-missing-tags: the rule on its own (opt-in), and CreateCluster / TagResource end to end. */
import { describe, expect, it } from 'vitest';
import { getRule } from '../../../shared/rules/registry';
import { ACCOUNT, check, cloudTrailEvent, cluster, paramsWith, REGION, stubEnricherWith } from './helpers';
import { policyOn, runWith, tagEventOf } from './tags-helpers';

const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`;
const createCluster = (request: Record<string, unknown>, response?: Record<string, unknown>) =>
  cloudTrailEvent({
    eventName: 'CreateCluster',
    requestParameters: { clusterName: 'prod-cluster', ...request },
    ...(response ? { responseElements: response } : {}),
  });

describe('cluster-missing-tags', () => {
  it('is opt-in (off), low, Security Hub ECS.14', () => {
    expect(getRule('cluster-missing-tags')).toMatchObject({
      defaultMode: 'off',
      severity: 'low',
      controls: { securityHub: 'ECS.14' },
    });
  });

  it('fires on a cluster with no tag, or without a required key; no verdict when tags are unknown', () => {
    expect(check('cluster-missing-tags', cluster({ tags: {} }))).toEqual([
      { path: 'tags', message: 'cluster "prod-cluster" has no tag' },
    ]);
    expect(
      check(
        'cluster-missing-tags',
        cluster({ tags: { env: 'prod' } }),
        paramsWith('cluster-missing-tags', { requiredTagKeys: ['owner'] }),
      ),
    ).toHaveLength(1);
    expect(check('cluster-missing-tags', cluster({ tags: { env: 'prod' } }))).toEqual([]);
    expect(check('cluster-missing-tags', cluster({ tags: undefined }))).toEqual([]);
  });

  it('end to end: CreateCluster without tags fires (request only and with a response), with tags it does not', async () => {
    const on = policyOn('cluster-missing-tags');
    expect((await runWith(on, createCluster({}))).map((f) => f.ruleId)).toEqual(['cluster-missing-tags']);
    const resp = { cluster: { clusterArn: CLUSTER_ARN, clusterName: 'prod-cluster', status: 'ACTIVE' } };
    expect((await runWith(on, createCluster({}, resp))).map((f) => f.ruleId)).toEqual([
      'cluster-missing-tags',
    ]);
    expect(await runWith(on, createCluster({ tags: [{ key: 'owner', value: 'platform' }] }, resp))).toEqual(
      [],
    );
  });

  it('end to end: UpdateCluster shows no tags: no verdict', async () => {
    const on = policyOn('cluster-missing-tags');
    const update = cloudTrailEvent({
      eventName: 'UpdateCluster',
      requestParameters: { cluster: 'prod-cluster', settings: [] },
    });
    expect((await runWith(on, update)).filter((f) => f.ruleId === 'cluster-missing-tags')).toEqual([]);
  });

  it('end to end: UntagResource on the cluster re-reads it (DescribeClusters with tags)', async () => {
    const on = policyOn('cluster-missing-tags', { requiredTagKeys: ['owner'] });
    const enricher = stubEnricherWith(
      {},
      { clusters: { [CLUSTER_ARN]: cluster({ arn: CLUSTER_ARN, tags: { env: 'prod' } }) } },
    );
    const found = await runWith(on, tagEventOf('UntagResource', CLUSTER_ARN), enricher);
    expect(found.find((f) => f.ruleId === 'cluster-missing-tags')?.evidence[0]?.message).toContain('"owner"');
    expect(enricher.calls).toEqual([`describeCluster ${CLUSTER_ARN}`]);
  });
});
