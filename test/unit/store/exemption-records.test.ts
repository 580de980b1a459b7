/**
 * Exemption records (made from Slack) honoured like policy exemptions: merged into the policy, exact
 * ARNs only (a `*` in a record never widens it), expired ones left out, and the pipeline's per-container
 * cache read at most once a minute.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { CachedExemptionRecords } from '../../../shared/store/dynamodb-exemption-records';
import {
  MemoryExemptionRecords,
  toPolicyExemption,
  withExemptionRecords,
  type ExemptionRecord,
} from '../../../shared/store/exemption-records';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const rec = (over: Partial<ExemptionRecord> = {}): ExemptionRecord => ({
  id: 'r1',
  rule: 'td-privileged',
  arn: ARN,
  until: '2026-12-10',
  reason: 'SEC-1',
  createdBy: 'slack:T0A/U0B',
  createdAt: '2026-12-08T02:00:00.000Z',
  ...over,
});

describe('exemption records', () => {
  it('become policy exemptions after the file own list, with who made them in the reason', () => {
    const p = withExemptionRecords(DEFAULT_POLICY, [rec()], new Date('2026-12-09T00:00:00Z'));
    expect(p.exemptions.at(-1)).toEqual({
      rule: 'td-privileged',
      arn: ARN,
      until: '2026-12-10',
      reason: 'SEC-1 (exempted by slack:T0A/U0B on 2026-12-08)',
    });
  });

  it('hold through their until day (UTC), then no longer', () => {
    expect(
      withExemptionRecords(DEFAULT_POLICY, [rec()], new Date('2026-12-10T23:59:59Z')).exemptions,
    ).toHaveLength(1);
    expect(withExemptionRecords(DEFAULT_POLICY, [rec()], new Date('2026-12-11T00:00:00Z'))).toBe(
      DEFAULT_POLICY,
    );
  });

  it('a record whose ARN holds a glob character is never turned into a wider exemption', () => {
    expect(
      toPolicyExemption(rec({ arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/*' })),
    ).toBeUndefined();
    expect(toPolicyExemption(rec({ arn: `${ARN}?` }))).toBeUndefined();
  });

  it('keep the container of a task definition exemption (only that container is exempted)', () => {
    const p = withExemptionRecords(
      DEFAULT_POLICY,
      [rec({ container: 'app' })],
      new Date('2026-12-09T00:00:00Z'),
    );
    expect(p.exemptions.at(-1)).toMatchObject({ container: 'app', arn: ARN });
  });

  it('the cache reads the store at most once per TTL and again after it; a failed read is not cached', async () => {
    let reads = 0;
    let fail = false;
    const inner = new MemoryExemptionRecords();
    await inner.put(rec());
    const counting = {
      put: (r: ExemptionRecord) => inner.put(r),
      listActive: async (now: Date) => {
        reads++;
        if (fail) throw new Error('ProvisionedThroughputExceededException');
        return inner.listActive(now);
      },
    };
    let clock = 0;
    const cached = new CachedExemptionRecords(counting, 60_000, () => clock);
    const now = new Date('2026-12-09T00:00:00Z');
    await cached.listActive(now);
    await cached.listActive(now);
    expect(reads).toBe(1);
    clock = 60_000;
    fail = true;
    await expect(cached.listActive(now)).rejects.toThrow();
    fail = false;
    expect(await cached.listActive(now)).toHaveLength(1);
    expect(reads).toBe(3);
    // A record past its day is filtered even from the cache.
    expect(await cached.listActive(new Date('2026-12-11T00:00:00Z'))).toEqual([]);
  });
});
