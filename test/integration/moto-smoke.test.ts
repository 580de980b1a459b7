import { ECSClient, CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';

describe('moto_server harness', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('serves ECS to the real SDK client on loopback', async () => {
    const ecs = new ECSClient(motoClientConfig(moto));
    await ecs.send(new CreateClusterCommand({ clusterName: 'smoke' }));
    const out = await ecs.send(new DescribeClustersCommand({ clusters: ['smoke'] }));
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.clusters?.[0]?.clusterName).toBe('smoke');
    expect(out.clusters?.[0]?.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
  });
});
