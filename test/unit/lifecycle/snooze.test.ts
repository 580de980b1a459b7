/**
 * Snooze from Slack (docs/slack-app.md): no reminder before `snoozedUntil`, then the usual reminder; the
 * opening notification of a re-opened finding is never held back by it.
 */
import { describe, expect, it } from 'vitest';
import { decideNotification } from '../../../shared/lifecycle/lifecycle';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import type { FindingRecord } from '../../../shared/store/types';
import { finding } from '../notify/fixtures';

const record = (over: Partial<FindingRecord> = {}): FindingRecord => ({
  findingId: 'f1',
  status: 'open',
  finding: finding({ findingId: 'f1', mode: 'notify' }),
  firstSeen: '2026-12-01T00:00:00.000Z',
  lastSeen: '2026-12-03T00:00:00.000Z',
  count: 9,
  lastNotifiedAt: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('snooze', () => {
  it('a reminder that is due is held back until snoozedUntil', () => {
    const d = decideNotification(
      record({ snoozedUntil: '2026-12-08T00:00:00.000Z' }),
      { opened: false },
      '2026-12-03T00:00:00.000Z',
      DEFAULT_POLICY,
    );
    expect(d).toEqual({ notify: false, reason: 'snoozed until 2026-12-08T00:00:00.000Z' });
  });

  it('after snoozedUntil the reminder goes out', () => {
    const d = decideNotification(
      record({ snoozedUntil: '2026-12-02T00:00:00.000Z' }),
      { opened: false },
      '2026-12-03T00:00:00.000Z',
      DEFAULT_POLICY,
    );
    expect(d).toMatchObject({ notify: true, kind: 'reminder' });
  });

  it('never holds back the opening notification', () => {
    const d = decideNotification(
      record({ snoozedUntil: '2027-01-01T00:00:00.000Z', lastNotifiedAt: undefined }),
      { opened: true },
      '2026-12-03T00:00:00.000Z',
      DEFAULT_POLICY,
    );
    expect(d).toMatchObject({ notify: true, kind: 'opened' });
  });

  it('a finding in approve mode notifies and reminds like notify mode', () => {
    const r = record({ finding: finding({ findingId: 'f1', mode: 'approve' }) });
    expect(
      decideNotification(r, { opened: false }, '2026-12-03T00:00:00.000Z', DEFAULT_POLICY),
    ).toMatchObject({
      notify: true,
      kind: 'reminder',
    });
  });
});
