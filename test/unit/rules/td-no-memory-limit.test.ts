/** td-no-memory-limit (replaces AWS Config's discontinued memory-hard-limit rule). */
import { describe, expect, it } from 'vitest';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  registerTaskDefinitionEvent,
  taskDefinition,
  withRule,
} from './helpers';

const ec2 = (over: Parameters<typeof taskDefinition>[0] = {}) =>
  taskDefinition({
    requiresCompatibilities: ['EC2'],
    containers: [container(), container({ name: 'sidecar', memory: 256 })],
    ...over,
  });

describe('td-no-memory-limit', () => {
  it('fires for each container without a hard limit when the task sets no memory and can run on EC2', () => {
    expect(check('td-no-memory-limit', ec2())).toEqual([
      {
        path: 'containerDefinitions[0].memory',
        message: 'container "app" has no hard memory limit and the task sets no memory',
        container: 'app',
      },
    ]);
  });

  it('edge: EXTERNAL, absent and empty requiresCompatibilities can run on instances (any case); FARGATE-only cannot', () => {
    expect(check('td-no-memory-limit', ec2({ requiresCompatibilities: ['external'] }))).toHaveLength(1);
    expect(check('td-no-memory-limit', ec2({ requiresCompatibilities: undefined }))).toHaveLength(1);
    expect(check('td-no-memory-limit', ec2({ requiresCompatibilities: [] }))).toHaveLength(1);
    expect(check('td-no-memory-limit', ec2({ requiresCompatibilities: ['FARGATE', 'EC2'] }))).toHaveLength(1);
    expect(check('td-no-memory-limit', ec2({ requiresCompatibilities: ['FARGATE'] }))).toEqual([]);
  });

  it('does not fire with a task-level memory, or when every container has a hard limit', () => {
    expect(check('td-no-memory-limit', ec2({ memory: '1024' }))).toEqual([]);
    expect(check('td-no-memory-limit', ec2({ containers: [container({ memory: 512 })] }))).toEqual([]);
  });

  it('hostile: a soft limit only (memoryReservation) or a zero/negative limit is no hard limit; a blank task memory is none', () => {
    expect(check('td-no-memory-limit', ec2({ containers: [container({ memory: 0 })] }))).toHaveLength(1);
    expect(
      check('td-no-memory-limit', ec2({ memory: '  ', containers: [container({ memory: -1 })] })),
    ).toHaveLength(1);
  });

  it('end to end: an EC2 definition with only memoryReservation fires; memory given as a number is an invalid event', async () => {
    const raw = registerTaskDefinitionEvent({
      requiresCompatibilities: ['EC2'],
      memory: undefined,
      cpu: undefined,
      containerDefinitions: [apiContainer({ memoryReservation: 256 })],
    });
    expect(only((await evaluateOne(raw)).findings, 'td-no-memory-limit').evidence).toHaveLength(1);
    expect(
      withRule((await evaluateOne(registerTaskDefinitionEvent())).findings, 'td-no-memory-limit'),
    ).toEqual([]);
    const bad = registerTaskDefinitionEvent({ containerDefinitions: [apiContainer({ memory: '512' })] });
    await expect(evaluateOne(bad)).rejects.toThrow(/containerDefinitions\.0\.memory: expected number/);
    const badTask = registerTaskDefinitionEvent({ memory: 1024 });
    await expect(evaluateOne(badTask)).rejects.toThrow(/taskDefinition\.memory/);
  });
});
