/** td-efs-no-transit-encryption: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { check, evaluateOne, only, registerTaskDefinitionEvent, taskDefinition } from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-efs-no-transit-encryption', () => {
  it('fires when transit encryption is DISABLED or unset (normalized to DISABLED)', () => {
    const ev = check(
      'td-efs-no-transit-encryption',
      taskDefinition({
        volumes: [
          { name: 'a', efsTransitEncryption: 'DISABLED' },
          { name: 'b', efsTransitEncryption: 'ENABLED' },
        ],
      }),
    );
    expect(ev).toEqual([
      {
        path: 'volumes[0].efsVolumeConfiguration.transitEncryption',
        message: 'EFS volume "a" has transit encryption DISABLED',
      },
    ]);
  });

  it('does not fire for ENABLED, host volumes or no volumes', () => {
    expect(
      check(
        'td-efs-no-transit-encryption',
        taskDefinition({ volumes: [{ name: 'a', efsTransitEncryption: 'ENABLED' }] }),
      ),
    ).toEqual([]);
    expect(
      check(
        'td-efs-no-transit-encryption',
        taskDefinition({ volumes: [{ name: 'h', hostSourcePath: '/data' }] }),
      ),
    ).toEqual([]);
    expect(check('td-efs-no-transit-encryption', taskDefinition())).toEqual([]);
  });

  it('end to end: unset and DISABLED are flagged, ENABLED is not', async () => {
    const f = only(
      await findingsOf({
        volumes: [
          { name: 'unset', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0' } },
          {
            name: 'disabled',
            efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'DISABLED' },
          },
          {
            name: 'enabled',
            efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' },
          },
          { name: 'scratch' },
        ],
      }),
      'td-efs-no-transit-encryption',
    );
    expect(f.evidence.map((e) => e.path)).toEqual([
      'volumes[0].efsVolumeConfiguration.transitEncryption',
      'volumes[1].efsVolumeConfiguration.transitEncryption',
    ]);
    expect(f.controls).toMatchObject({ securityHub: 'ECS.18', checkov: 'CKV_AWS_97' });
  });
});

describe('td-efs-no-transit-encryption: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-efs-no-transit-encryption', taskDefinition())).toEqual([]);
  });
});
