/** The account-setting cache (bounded in time and size) and the reader's answer for "never set". */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { AccountSettingCache, effectiveAccountSetting } from '../../../shared/aws/account-settings';
import { EnrichmentError } from '../../../shared/engine/enrich';

const A = { account: '111122223333', region: 'eu-west-1' };
const B = { account: '444455556666', region: 'eu-west-1' };

/** An ECS client stub that answers ListAccountSettings with `answer` and records the input. */
function ecsAnswering(answer: () => Promise<unknown>): ECSClient & { inputs: unknown[] } {
  const inputs: unknown[] = [];
  return {
    inputs,
    send: (command: { input: unknown }) => {
      inputs.push(command.input);
      return answer();
    },
  } as unknown as ECSClient & { inputs: unknown[] };
}

describe('effectiveAccountSetting', () => {
  it('asks for the effective setting of the account root (the account default) and returns its value', async () => {
    const ecs = ecsAnswering(async () => ({ settings: [{ name: 'containerInsights', value: 'enhanced' }] }));
    expect(await effectiveAccountSetting(ecs, 'containerInsights', A)).toBe('enhanced');
    expect(ecs.inputs).toEqual([
      { name: 'containerInsights', effectiveSettings: true, principalArn: 'arn:aws:iam::111122223333:root' },
    ]);
  });

  it("no setting in the answer is AWS's default, disabled; a GovCloud region gets its partition", async () => {
    const ecs = ecsAnswering(async () => ({ settings: [] }));
    expect(await effectiveAccountSetting(ecs, 'containerInsights', { ...A, region: 'us-gov-west-1' })).toBe(
      'disabled',
    );
    expect(ecs.inputs[0]).toMatchObject({ principalArn: 'arn:aws-us-gov:iam::111122223333:root' });
  });

  it('access denied becomes an EnrichmentError naming the operation and the code, never the message body', async () => {
    const denied = Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const ecs = ecsAnswering(() => Promise.reject(denied));
    const err = await effectiveAccountSetting(ecs, 'containerInsights', A).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrichmentError);
    expect(err).toMatchObject({
      operation: 'ecs:ListAccountSettings',
      code: 'AccessDeniedException',
      retryable: false,
    });
  });
});

describe('AccountSettingCache', () => {
  it('one read per (account, region, name) while fresh; concurrent callers share it', async () => {
    const cache = new AccountSettingCache({ now: () => 0 });
    let loads = 0;
    const load = async () => {
      loads++;
      return 'disabled';
    };
    const [x, y] = await Promise.all([
      cache.get('containerInsights', A, load),
      cache.get('containerInsights', A, load),
    ]);
    expect([x, y, loads]).toEqual(['disabled', 'disabled', 1]);
    await cache.get('containerInsights', B, load);
    expect(loads).toBe(2);
  });

  it('expires after its time to live: settings change', async () => {
    let clock = 0;
    const cache = new AccountSettingCache({ ttlMs: 1_000, now: () => clock });
    let value = 'disabled';
    const load = async () => value;
    expect(await cache.get('containerInsights', A, load)).toBe('disabled');
    value = 'enabled';
    clock = 999;
    expect(await cache.get('containerInsights', A, load)).toBe('disabled');
    clock = 1_001;
    expect(await cache.get('containerInsights', A, load)).toBe('enabled');
  });

  it('an error is not remembered: the next call reads again', async () => {
    const cache = new AccountSettingCache({ now: () => 0 });
    await expect(
      cache.get('containerInsights', A, () => Promise.reject(new Error('throttled'))),
    ).rejects.toThrow();
    await Promise.resolve();
    expect(await cache.get('containerInsights', A, async () => 'enabled')).toBe('enabled');
  });

  it('is bounded: the least recently added entry goes first', async () => {
    const cache = new AccountSettingCache({ maxEntries: 2, now: () => 0 });
    for (const region of ['r-1', 'r-2', 'r-3'])
      await cache.get('containerInsights', { ...A, region }, async () => 'x');
    expect(cache.size).toBe(2);
  });
});
