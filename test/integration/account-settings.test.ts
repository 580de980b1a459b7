/**
 * The ECS.12 account default read (ListAccountSettings containerInsights, effective) with the real SDK v3
 * ECS client against moto_server, through the AWS enricher and its client pool, end to end through the
 * engine. moto accepts `containerInsights` in ListAccountSettings (it rejects only newer setting names)
 * but ignores `effectiveSettings` and `principalArn`, and returns nothing for a setting never put: the
 * reader treats "nothing" as AWS's default, `disabled`.
 */
import { ECSClient, ListAccountSettingsCommand, PutAccountSettingCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsEnricher } from '../../shared/aws/enricher';
import { evaluateRaw, type EngineDeps } from '../../shared/engine/run';
import { MemoryWindowCounter } from '../../shared/engine/windows';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { cloudTrailEvent } from '../unit/rules/helpers';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** A CreateCluster that sets no containerInsights, without responseElements (ECS.12's v2 case). */
function createCluster(name: string): Record<string, unknown> {
  return cloudTrailEvent({
    eventName: 'CreateCluster',
    requestParameters: { clusterName: name },
    account: ACCOUNT,
    region: REGION,
  });
}

describe('the account default of Container Insights against moto_server', () => {
  let moto: Moto;
  let ecs: ECSClient;
  let enricherEcs: ECSClient;
  let listCalls: number;

  beforeAll(async () => {
    moto = await startMoto();
    ecs = new ECSClient(motoClientConfig(moto, REGION));
    enricherEcs = new ECSClient(motoClientConfig(moto, REGION));
    enricherEcs.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ListAccountSettingsCommand') listCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'countListAccountSettings' },
    );
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    listCalls = 0;
  });

  const deps = async (now?: () => number): Promise<EngineDeps> => ({
    policy: DEFAULT_POLICY,
    counter: new MemoryWindowCounter(),
    enricher: await createAwsEnricher({ clients: { ecs: enricherEcs }, ...(now ? { now } : {}) }),
  });

  it('moto answers ListAccountSettings for containerInsights (so the read is tested here, not only mocked)', async () => {
    await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enhanced' }));
    const out = await ecs.send(
      new ListAccountSettingsCommand({ name: 'containerInsights', effectiveSettings: true }),
    );
    expect(out.settings?.map((s) => [s.name, s.value])).toEqual([['containerInsights', 'enhanced']]);
  });

  it('account default disabled (never set): a cluster created without the setting is a finding', async () => {
    const r = await evaluateRaw(createCluster('no-setting'), await deps());
    expect(r.findings.map((f) => f.ruleId)).toEqual(['cluster-container-insights-disabled']);
    expect(r.findings[0]!.resource.arn).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/no-setting`);
    expect(r.findings[0]!.evidence[0]!.message).toMatch(/account default is "disabled"/);
    expect(r.incomplete).toBeUndefined();
    expect(r.enrichmentFailures).toBeUndefined();
  });

  it('account default enabled or enhanced: no finding', async () => {
    for (const value of ['enabled', 'enhanced']) {
      await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value }));
      const r = await evaluateRaw(createCluster(`on-${value}`), await deps());
      expect(r.findings, value).toEqual([]);
    }
  });

  it('the value is cached per account and region for a bounded time, then read again', async () => {
    let clock = 1_000_000;
    const d = await deps(() => clock);
    await evaluateRaw(createCluster('a'), d);
    await evaluateRaw(createCluster('b'), d);
    expect(listCalls).toBe(1);
    // Someone turns it on: within the cache's lifetime the old value holds, after it the new one.
    await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled' }));
    clock += 60_000;
    expect((await evaluateRaw(createCluster('c'), d)).findings).toHaveLength(1);
    clock += 5 * 60_000;
    expect((await evaluateRaw(createCluster('d'), d)).findings).toEqual([]);
    expect(listCalls).toBe(2);
  });
});
