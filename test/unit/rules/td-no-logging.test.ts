/** td-no-logging: the rule on its own (direct checks) and end to end through the engine. */
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

describe('td-no-logging', () => {
  it('fires for a container without a log driver', () => {
    const ev = check(
      'td-no-logging',
      taskDefinition({
        containers: [container({ name: 'a' }), container({ name: 'b', logDriver: undefined })],
      }),
    );
    expect(ev).toEqual([
      {
        path: 'containerDefinitions[1].logConfiguration',
        message: 'container "b" has no log driver',
        container: 'b',
      },
    ]);
  });

  it('does not fire for awslogs, awsfirelens, splunk, json-file', () => {
    for (const logDriver of ['awslogs', 'awsfirelens', 'splunk', 'json-file'])
      expect(
        check('td-no-logging', taskDefinition({ containers: [container({ logDriver })] })),
        logDriver,
      ).toEqual([]);
  });

  it('end to end: no logConfiguration, or one without logDriver', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'a', logConfiguration: undefined }),
          apiContainer({ name: 'b', logConfiguration: { options: { 'awslogs-group': '/x' } } }),
          apiContainer({ name: 'c' }),
        ],
      }),
      'td-no-logging',
    );
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b']);
    expect(f.controls.securityHub).toBe('ECS.9');
  });
});

describe('td-no-logging: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-no-logging', taskDefinition())).toEqual([]);
  });
});
