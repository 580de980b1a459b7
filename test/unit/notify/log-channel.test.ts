import { describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '../../../shared/notify/ledger';
import { Notifier } from '../../../shared/notify/notifier';
import { silentLogger } from '../../../shared/notify/types';
import { parsePolicy } from '../../../shared/policy/load';
import { finding } from './fixtures';

describe('log channel (scratch)', () => {
  it('delivers through the registry once, then reports it already delivered', async () => {
    const lines: string[] = [];
    const notifier = new Notifier({
      policy: parsePolicy('notifications:\n  slack: { enabled: false }\n  log: { enabled: true }\n'),
      ledger: new MemoryDeliveryLedger(),
      logger: silentLogger,
      log: { write: (l) => lines.push(l) },
    });
    const n = { finding: finding({ severity: 'high' }), kind: 'opened' as const, dedupeId: 'd1' };
    expect((await notifier.deliver([n]))[0]!.delivered).toEqual(['log']);
    expect((await notifier.deliver([n]))[0]!.alreadyDelivered).toEqual(['log']);
    expect(lines).toHaveLength(1);
  });
});
