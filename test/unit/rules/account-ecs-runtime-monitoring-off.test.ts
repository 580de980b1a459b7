/** account-ecs-runtime-monitoring-off (GuardDuty.12): the detector as the sweep reads it (GetDetector). */
import { describe, expect, it } from 'vitest';
import type { GuardDutyDetectorResource } from '../../../shared/model/resources';
import { getRule } from '../../../shared/rules/registry';
import { frameworksOf } from '../../../shared/rules/frameworks';
import { ACCOUNT, REGION, check } from './helpers';

const detector = (over: Partial<GuardDutyDetectorResource> = {}): GuardDutyDetectorResource => ({
  kind: 'GuardDutyDetector',
  arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/12abc34d567e8fa901bc2d34e56789f0`,
  account: ACCOUNT,
  region: REGION,
  exists: true,
  status: 'ENABLED',
  features: { RUNTIME_MONITORING: 'ENABLED', EKS_RUNTIME_MONITORING: 'DISABLED' },
  runtimeConfiguration: { ECS_FARGATE_AGENT_MANAGEMENT: 'ENABLED', EKS_ADDON_MANAGEMENT: 'DISABLED' },
  ...over,
});
const ID = 'account-ecs-runtime-monitoring-off';

describe(ID, () => {
  it('passes with Runtime Monitoring and ECS Fargate agent management enabled', () => {
    expect(check(ID, detector())).toEqual([]);
  });

  it('fires without a detector, with a suspended one, without the feature, without ECS agent management', () => {
    expect(check(ID, detector({ exists: false, features: {}, runtimeConfiguration: {} }))).toEqual([
      { path: 'detectorId', message: 'GuardDuty has no detector in this account and region' },
    ]);
    expect(check(ID, detector({ status: 'SUSPENDED' })).map((e) => e.path)).toEqual(['status']);
    expect(check(ID, detector({ features: { RUNTIME_MONITORING: 'DISABLED' } })).map((e) => e.path)).toEqual([
      'features.RUNTIME_MONITORING',
    ]);
    expect(check(ID, detector({ features: {} }))[0]!.message).toBe('Runtime Monitoring is not configured');
    expect(
      check(ID, detector({ runtimeConfiguration: { ECS_FARGATE_AGENT_MANAGEMENT: 'DISABLED' } }))[0]!.path,
    ).toBe('features.RUNTIME_MONITORING.additionalConfiguration.ECS_FARGATE_AGENT_MANAGEMENT');
  });

  it('is GuardDuty.12 with the project own mapping (Security Hub lists no requirement)', () => {
    const f = frameworksOf(getRule(ID)!);
    expect(f.ownMapping).toEqual(['nist-800-53-r5', 'pci-dss-4.0.1']);
    expect(getRule(ID)!.controls.securityHub).toBe('GuardDuty.12');
  });
});
