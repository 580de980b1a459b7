import { describe, expect, it } from 'vitest';
import { awsClientConfig, ClientCache, providerFor, RETRY_PROFILES } from '../../../shared/aws/client-pool';

describe('awsClientConfig', () => {
  it.each(['enrich', 'sweep', 'remediate'] as const)(
    '%s: its retry profile and a request timeout that fires',
    (p) => {
      const c = awsClientConfig(p, { region: 'eu-west-1' });
      expect(c).toMatchObject({ region: 'eu-west-1', ...RETRY_PROFILES[p] });
      expect(c.requestHandler).toEqual({
        connectionTimeout: 5_000,
        requestTimeout: 20_000,
        throwOnRequestTimeout: true,
      });
    },
  );

  it('keeps the profiles the code used: enrich adaptive x5, sweep adaptive x8, remediate standard x2, backfill standard x5', () => {
    expect(RETRY_PROFILES).toEqual({
      enrich: { retryMode: 'adaptive', maxAttempts: 5 },
      sweep: { retryMode: 'adaptive', maxAttempts: 8 },
      remediate: { retryMode: 'standard', maxAttempts: 2 },
      backfill: { retryMode: 'standard', maxAttempts: 5 },
    });
    expect(awsClientConfig('sweep', { maxAttempts: 3, requestTimeoutMs: 100 })).toMatchObject({
      maxAttempts: 3,
      requestHandler: { requestTimeout: 100 },
    });
  });
});

describe('ClientCache', () => {
  it('creates once per key and forgets a failed creation', async () => {
    const cache = new ClientCache<string>();
    let made = 0;
    const a = await cache.get('ecs/1/r', () => `c${++made}`);
    expect(await cache.get('ecs/1/r', () => `c${++made}`)).toBe(a);
    await expect(cache.get('ecs/2/r', () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
    expect(await cache.get('ecs/2/r', () => 'ok')).toBe('ok');
  });
});

describe('providerFor', () => {
  it('is undefined for the ambient account, else a provider asked again on every refresh', async () => {
    let calls = 0;
    const source = {
      credentialsFor: async (account: string) =>
        account === 'home'
          ? undefined
          : { roleArn: `role-${account}`, accessKeyId: `k${++calls}`, secretAccessKey: 's' },
    };
    expect(await providerFor(source, 'home', 'r')).toBeUndefined();
    const p = (await providerFor(source, '111', 'r'))!;
    expect(p.roleArn).toBe('role-111');
    expect((await p.provider()).accessKeyId).toBe('k2');
  });
});
