import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RemediationCallError } from '../../../shared/aws/call-error';
import { EnrichmentError } from '../../../shared/engine/enrich';
import { GuardrailError } from '../../../shared/base/errors';
import { InvalidEventError } from '../../../shared/events/errors';
import { PolicyError } from '../../../shared/policy/errors';
import { StoreContentionError } from '../../../shared/store/dynamodb-store';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('GuardrailError', () => {
  it('is the base of every error class in shared/ and cli/ (only the base extends Error)', () => {
    const direct = ['shared', 'cli']
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => /class \w+ extends Error\b/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(ROOT.length + 1).replaceAll('\\', '/'));
    expect(direct).toEqual(['shared/base/errors.ts']);
  });

  it('keeps each class its literal name and message', () => {
    const errors = [
      new InvalidEventError('is required', 'detail.x'),
      new PolicyError('unknown key', 'rules.x'),
      new EnrichmentError('ecs:DescribeServices', 'ThrottlingException', true, 'throttled'),
      new RemediationCallError(
        'ecs:UpdateService',
        Object.assign(new Error('m'), { name: 'AccessDeniedException' }),
      ),
      new StoreContentionError('busy'),
    ];
    for (const e of errors) expect(e).toBeInstanceOf(GuardrailError);
    expect(errors.map((e) => e.name)).toEqual([
      'InvalidEventError',
      'PolicyError',
      'EnrichmentError',
      'RemediationCallError',
      'StoreContentionError',
    ]);
    expect(errors[0]!.message).toBe('detail.x: is required');
    expect(errors[3]!.message).toBe('AccessDeniedException on ecs:UpdateService');
  });
});
