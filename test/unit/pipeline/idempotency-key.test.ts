import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../../shared/events/parse';
import { idempotencyKeyOf, resourceArnOf } from '../../../shared/pipeline/idempotency-key';
import { loadEvent, type RawEvent } from '../../helpers/pipeline-harness';

const key = (name: string, edit: (e: RawEvent) => void = () => undefined): string => {
  const e = loadEvent(name);
  edit(e);
  return idempotencyKeyOf(parseEvent(e));
};

describe('idempotencyKeyOf', () => {
  it('task events: task ARN + detail.version, whatever the envelope id', () => {
    const a = key('ecs-task-state-change-stopped-essential-container-exited');
    const b = key('ecs-task-state-change-stopped-duplicate-same-version');
    expect(a).toBe('task|arn:aws:ecs:us-east-2:111122223333:task/e9511a82-9247-4239-89e9-ffd548ed9ee4|4');
    expect(b).toBe(a);
    expect(
      key('ecs-task-state-change-stopped-essential-container-exited', (e) => (e.detail.version = 5)),
    ).not.toBe(a);
  });

  it('container instance events: instance ARN + detail.version', () => {
    expect(key('ecs-container-instance-state-change-active')).toMatch(
      /^instance\|arn:aws:ecs:us-east-1:111122223333:container-instance\/b54a2a04-046f-4331-9d74-3f6d7f6ca315\|\d+$/,
    );
  });

  it('CloudTrail events: account + detail.eventID, whatever the envelope id', () => {
    const a = key('cloudtrail-create-service-assign-public-ip');
    expect(a).toMatch(/^cloudtrail\|\d{12}\|[0-9a-f-]{36}$/);
    expect(key('cloudtrail-create-service-assign-public-ip', (e) => (e.id = 'other'))).toBe(a);
  });

  it('a record from another account reusing an event id is not a duplicate of the real one', () => {
    const real = key('cloudtrail-create-service-assign-public-ip');
    const forged = key('cloudtrail-create-service-assign-public-ip', (e) => {
      e.account = '999988887777';
      e.detail.recipientAccountId = '999988887777';
    });
    expect(forged).not.toBe(real);
  });

  it('everything else, and task events without a version: the envelope id', () => {
    const sa = loadEvent('ecs-service-action-operation-throttled');
    expect(key('ecs-service-action-operation-throttled')).toBe(`event|${sa.id}`);
    const dep = loadEvent('ecs-deployment-state-change-failed-circuit-breaker');
    expect(key('ecs-deployment-state-change-failed-circuit-breaker')).toBe(`event|${dep.id}`);
    expect(
      key('ecs-task-state-change-stopped-essential-container-exited', (e) => {
        delete e.detail.version;
        e.id = 'env-1';
      }),
    ).toBe('event|env-1');
  });

  it('resourceArnOf names the task, the instance, or resources[0]', () => {
    const task = loadEvent('ecs-task-state-change-running-awsvpc');
    expect(resourceArnOf(parseEvent(task))).toBe(task.detail.taskArn);
    const sa = loadEvent('ecs-service-action-operation-throttled');
    expect(resourceArnOf(parseEvent(sa))).toBe(sa.resources[0]);
    expect(resourceArnOf(parseEvent(loadEvent('cloudtrail-throttling-exception')))).toBeUndefined();
  });
});
