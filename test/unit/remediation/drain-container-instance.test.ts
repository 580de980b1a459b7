import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../shared/policy/load';

describe('drain-container-instance (scratch)', () => {
  it('takes its parameter from remediation.actions and refuses others', () => {
    expect(parsePolicy('').remediation?.actions['drain-container-instance']).toEqual({ status: 'DRAINING' });
    expect(() =>
      parsePolicy('remediation:\n  actions:\n    drain-container-instance: { status: ACTIVE }\n'),
    ).toThrow('remediation.actions.drain-container-instance.status');
  });
});
