/** Compliant service and task launches yield no finding end to end. */
import { describe, expect, it } from 'vitest';
import { createService, evaluateOne, runTask, startedTask } from './helpers';

describe('workload events', () => {
  it('a compliant CreateService and RunTask yield no finding end to end', async () => {
    expect((await evaluateOne(createService({}))).findings).toEqual([]);
    expect((await evaluateOne(runTask({}, [startedTask('a')]))).findings).toEqual([]);
  });
});
