/** The sweep's running tasks -> the inventory: best effort, a failure is one warning, never a failed sweep. */
import { describe, expect, it } from 'vitest';
import type { RunningTask } from '../../../shared/model/running';
import { MemoryRunningInventory } from '../../../shared/store/memory-running-inventory';
import { recordRunning } from '../../../shared/sweep/run';

const task = (id: string): RunningTask => ({
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${id}`,
  account: '123456789012',
  region: 'us-east-1',
  status: 'RUNNING',
  owner: {
    arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
    type: 'AWS::ECS::Service',
    name: 'web',
  },
  version: 3,
  at: new Date().toISOString(),
  containers: [
    { name: 'web', image: 'team/web:1', repository: 'team/web', digest: 'sha256:' + 'a'.repeat(64) },
  ],
});

describe('recordRunning', () => {
  it('records every task', async () => {
    const inventory = new MemoryRunningInventory();
    await recordRunning(inventory, [task('a'), task('b')], undefined);
    expect(await inventory.tasksOfRepository('team/web')).toHaveLength(2);
  });

  it('a failing store: the others are recorded, one warning names the count and the error type only', async () => {
    const inner = new MemoryRunningInventory();
    const flaky = {
      ...inner,
      apply: (t: RunningTask) =>
        t.taskArn.endsWith('/b')
          ? Promise.reject(new Error('ProvisionedThroughputExceeded secret-ish'))
          : inner.apply(t),
      tasksOf: inner.tasksOf.bind(inner),
      tasksOfRepository: inner.tasksOfRepository.bind(inner),
      taskOf: inner.taskOf.bind(inner),
    };
    const warnings: string[] = [];
    await recordRunning(flaky, [task('a'), task('b'), task('c')], (m) => warnings.push(m));
    expect(await inner.tasksOfRepository('team/web')).toHaveLength(2);
    expect(warnings).toEqual(['running inventory: 1 of 3 running task(s) not recorded (Error)']);
  });
});
