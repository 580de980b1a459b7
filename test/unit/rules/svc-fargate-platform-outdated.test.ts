/** svc-fargate-platform-outdated: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../../shared/rules/workload/helpers';
import { check, createService, evaluateOne, paramsWith, service, withRule } from './helpers';

describe('svc-fargate-platform-outdated', () => {
  const pinned = (over: Parameters<typeof service>[0], params?: unknown) =>
    check('svc-fargate-platform-outdated', service(over), params);

  it('fires for a Fargate service pinned below 1.4.0', () => {
    expect(pinned({ platformVersion: '1.3.0' })).toEqual([
      {
        path: 'platformVersion',
        message: 'service "checkout-api" is pinned to Fargate platform 1.3.0 (< 1.4.0)',
      },
    ]);
    expect(pinned({ platformVersion: '1.0.0' })).toHaveLength(1);
    expect(pinned({ platformVersion: '1.2' })).toHaveLength(1);
  });

  it('does not fire for LATEST (any case), 1.4.0 or newer, or no platform version', () => {
    for (const platformVersion of ['LATEST', 'latest', '1.4.0', '1.4', '1.10.0', '2.0.0', undefined])
      expect(pinned({ platformVersion }), String(platformVersion)).toEqual([]);
  });

  it('applies to FARGATE and FARGATE_SPOT capacity providers, not to EC2 or unknown capacity', () => {
    expect(
      pinned({ launchType: undefined, capacityProviders: ['FARGATE_SPOT'], platformVersion: '1.3.0' }),
    ).toHaveLength(1);
    expect(
      pinned({
        launchType: undefined,
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        platformVersion: '1.3.0',
      }),
    ).toHaveLength(1);
    expect(pinned({ launchType: 'EC2', platformVersion: '1.3.0' })).toEqual([]);
    expect(
      pinned({ launchType: undefined, capacityProviders: ['asg-capacity'], platformVersion: '1.3.0' }),
    ).toEqual([]);
    expect(pinned({ launchType: undefined, platformVersion: '1.3.0' })).toEqual([]);
  });

  it('honours the minimumVersion parameter', () => {
    expect(
      pinned(
        { platformVersion: '1.3.0' },
        paramsWith('svc-fargate-platform-outdated', { minimumVersion: '1.3.0' }),
      ),
    ).toEqual([]);
  });

  it('compares versions numerically', () => {
    expect(compareVersions('1.3.0', '1.4.0')).toBeLessThan(0);
    expect(compareVersions('1.10.0', '1.4.0')).toBeGreaterThan(0);
    expect(compareVersions('1.4', '1.4.0')).toBe(0);
  });

  it('end to end: LATEST, 1.3.0, 1.4.0, EC2 and FARGATE_SPOT', async () => {
    const outdated = async (request: Record<string, unknown>) =>
      withRule((await evaluateOne(createService(request))).findings, 'svc-fargate-platform-outdated');
    expect(await outdated({ platformVersion: 'LATEST' })).toEqual([]);
    expect((await outdated({ platformVersion: '1.3.0' }))[0]?.controls.securityHub).toBe('ECS.10');
    expect(await outdated({ platformVersion: '1.4.0' })).toEqual([]);
    expect(
      await outdated({ launchType: 'EC2', platformVersion: '1.3.0', networkConfiguration: undefined }),
    ).toEqual([]);
    expect(
      await outdated({
        launchType: undefined,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        platformVersion: '1.3.0',
      }),
    ).toHaveLength(1);
  });
});

describe('svc-fargate-platform-outdated: compliant input', () => {
  it('a compliant service passes (direct)', () => {
    expect(check('svc-fargate-platform-outdated', service())).toEqual([]);
  });
});
