/**
 * The credential detector keeps its verdict on a variable name (an estate reuses few names across thousands of
 * task definitions): never for a name that holds a value (`DB_PASSWORD=hunter2`: it may be a credential), never
 * more than 4,096 names, and the verdict is the same with or without the memory.
 */
import { describe, expect, it } from 'vitest';
import {
  compileSecretPatterns,
  DEFAULT_SECRET_PATTERNS,
  secretReason,
  type SecretPatterns,
} from '../../../shared/rules/secrets';

const fresh = (): SecretPatterns => ({ ...DEFAULT_SECRET_PATTERNS });

describe('name verdicts of the credential detector', () => {
  it('never keeps a name that holds a value, nor a name with a token in it', () => {
    const c = compileSecretPatterns(fresh());
    expect(secretReason('DB_PASSWORD=hunter2', 'x'.repeat(20), c)).toMatch(/credential pattern PASSWORD/);
    expect(secretReason('AKIAABCDEFGHIJKLMNOP', 'v', c)).toMatch(/AWS access key id/);
    expect(secretReason('DB_PASSWORD', 'x'.repeat(20), c)).toMatch(/credential pattern PASSWORD/);
    const kept = [...c.nameVerdicts!.keys()];
    expect(kept).toEqual(['DB_PASSWORD']);
  });

  it('stays bounded however many names an estate uses', () => {
    const c = compileSecretPatterns(fresh());
    for (let i = 0; i < 10_000; i++) secretReason(`VAR_${i}`, 'value-long-enough', c);
    expect(c.nameVerdicts!.size).toBeLessThanOrEqual(4096);
  });

  it('gives the same verdict the first time and from memory', () => {
    const c = compileSecretPatterns(fresh());
    const cases: [string, string][] = [
      ['API_TOKEN', 'abcdefghijkl'],
      ['API_TOKEN', 'true'],
      ['API_TOKEN', 'arn:aws:secretsmanager:us-east-1:1:secret:x'],
      ['LOG_LEVEL', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['LOG_LEVEL', 'debug-verbose'],
    ];
    const first = cases.map(([n, v]) => secretReason(n, v, c));
    const again = cases.map(([n, v]) => secretReason(n, v, c));
    expect(again).toEqual(first);
    expect(first).toEqual([
      'name matches the credential pattern TOKEN',
      undefined,
      undefined,
      'value matches the GitHub token format',
      undefined,
    ]);
  });
});
