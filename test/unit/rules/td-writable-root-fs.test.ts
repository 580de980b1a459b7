/** td-writable-root-fs: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  registerTaskDefinitionEvent,
  taskDefinition,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-writable-root-fs', () => {
  it('fires when readonlyRootFilesystem is false or absent', () => {
    const ev = check(
      'td-writable-root-fs',
      taskDefinition({
        containers: [
          container({ name: 'a', readonlyRootFilesystem: false }),
          container({ name: 'b', readonlyRootFilesystem: undefined }),
          container({ name: 'c', readonlyRootFilesystem: true }),
        ],
      }),
    );
    expect(ev.map((e) => [e.container, e.path])).toEqual([
      ['a', 'containerDefinitions[0].readonlyRootFilesystem'],
      ['b', 'containerDefinitions[1].readonlyRootFilesystem'],
    ]);
  });

  it('does not fire when true, nor on Windows', () => {
    expect(check('td-writable-root-fs', taskDefinition())).toEqual([]);
    expect(
      check(
        'td-writable-root-fs',
        taskDefinition({
          osFamily: 'WINDOWS_SERVER_2019_CORE',
          containers: [container({ readonlyRootFilesystem: false })],
        }),
      ),
    ).toEqual([]);
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({ containerDefinitions: [apiContainer({ readonlyRootFilesystem: undefined })] }),
      'td-writable-root-fs',
    );
    expect(f.severity).toBe('medium');
    expect(f.controls).toMatchObject({ securityHub: 'ECS.5', checkov: 'CKV_AWS_336' });
  });
});

describe('td-writable-root-fs: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-writable-root-fs', taskDefinition())).toEqual([]);
  });
});
