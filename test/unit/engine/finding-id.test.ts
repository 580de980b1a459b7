/** findingId: a stable hash of rule + resource ARN (+ aggregation key and window). */
import { describe, expect, it } from 'vitest';
import { findingIdOf } from '../../../shared/engine/finding-id';
import { evaluateRaw } from '../../../shared/engine/run';
import type { Finding } from '../../../shared/model/finding';
import {
  apiThrottle,
  byRule,
  deps,
  ecsThrottle,
  findingsOf,
  fixture,
  okContainer,
  registerTd,
  serviceArn,
  tdArn,
} from './builders';

const privileged = (family: string, revision: number, time: string, id?: string) =>
  registerTd({
    family,
    revision,
    time,
    ...(id ? { id } : {}),
    containers: [okContainer('app', { privileged: true, user: 'root' })],
  });

const idsByRule = (findings: readonly Finding[]): Record<string, string> =>
  Object.fromEntries(findings.map((f) => [f.ruleId, f.findingId]));

describe('findingIdOf', () => {
  it('is deterministic, 32 hex characters', () => {
    const a = findingIdOf('td-privileged', tdArn('web', 1));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(findingIdOf('td-privileged', tdArn('web', 1))).toBe(a);
  });

  it('differs per rule, per resource, per aggregation key and per window', () => {
    const ids = new Set([
      findingIdOf('td-privileged', tdArn('web', 1)),
      findingIdOf('td-root-user', tdArn('web', 1)),
      findingIdOf('td-privileged', tdArn('web', 2)),
      findingIdOf('throttle-api-calls', 'arn:aws:iam::1:role/a'),
      findingIdOf('throttle-api-calls', 'arn:aws:iam::1:role/a', { key: 'k1', windowStartMs: 0 }),
      findingIdOf('throttle-api-calls', 'arn:aws:iam::1:role/a', { key: 'k2', windowStartMs: 0 }),
      findingIdOf('throttle-api-calls', 'arn:aws:iam::1:role/a', { key: 'k1', windowStartMs: 300_000 }),
    ]);
    expect(ids.size).toBe(7);
  });

  it('cannot be confused by moving text between the rule and the ARN', () => {
    expect(findingIdOf('a', 'bc')).not.toBe(findingIdOf('ab', 'c'));
  });
});

describe('stability across events', () => {
  it('the same rule and ARN seen in different events (time, event id, delivery) keep their ids', async () => {
    const first = await findingsOf(privileged('web', 3, '2026-03-02T08:00:00Z'));
    const later = await findingsOf(privileged('web', 3, '2026-05-20T17:45:00Z'));
    const duplicate = await findingsOf(privileged('web', 3, '2026-03-02T08:00:00Z'));
    expect(first.map((f) => f.ruleId).sort()).toEqual(['td-privileged', 'td-root-user']);
    expect(idsByRule(later)).toEqual(idsByRule(first));
    expect(idsByRule(duplicate)).toEqual(idsByRule(first));
    for (const f of first) expect(f.findingId).toBe(findingIdOf(f.ruleId, tdArn('web', 3)));
  });

  it('differs per resource and per rule', async () => {
    const a = idsByRule(await findingsOf(privileged('web', 3, '2026-03-02T08:00:00Z')));
    const b = idsByRule(await findingsOf(privileged('web', 4, '2026-03-02T08:00:00Z')));
    for (const rule of Object.keys(a)) expect(b[rule]).not.toBe(a[rule]);
    expect(new Set(Object.values(a)).size).toBe(Object.keys(a).length);
  });

  it('an ECS task state change and the CloudTrail RunTask of the same task share task finding ids', async () => {
    const run = fixture('cloudtrail-run-task-public-ip-with-overrides.json');
    const viaCloudTrail = byRule(await findingsOf(run), 'task-exec-enabled')[0]!;
    const stateChange = {
      version: '0',
      id: 'f0e1d2c3-0000-4000-8000-000000000001',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '111122223333',
      time: '2026-03-02T08:20:00Z',
      region: 'us-west-2',
      resources: [viaCloudTrail.resource.arn],
      detail: { taskArn: viaCloudTrail.resource.arn, lastStatus: 'RUNNING', enableExecuteCommand: true },
    };
    const viaStateChange = byRule(await findingsOf(stateChange), 'task-exec-enabled')[0]!;
    expect(viaStateChange.findingId).toBe(viaCloudTrail.findingId);
    expect(viaCloudTrail.findingId).toBe(findingIdOf('task-exec-enabled', viaCloudTrail.resource.arn));
  });

  it('the sample RegisterTaskDefinition gives the ARN of its response and ids derived from it', async () => {
    const findings = await findingsOf(fixture('cloudtrail-register-task-definition-privileged.json'));
    const arn = 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7';
    for (const f of findings) {
      expect(f.resource.arn).toBe(arn);
      expect(f.findingId).toBe(findingIdOf(f.ruleId, arn));
    }
  });
});

describe('aggregated rules', () => {
  it('include the key and the window: same window same id, next window a new id', async () => {
    const d = deps();
    const ids: string[] = [];
    for (const t of ['2026-03-02T08:00:01Z', '2026-03-02T08:14:59Z', '2026-03-02T08:15:00Z']) {
      const r = await evaluateRaw(ecsThrottle(t), d);
      ids.push(byRule(r.findings, 'throttle-ecs-operation')[0]!.findingId);
    }
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);

    const svc = serviceArn('checkout-api');
    const key = `111122223333|us-west-2|${svc}|ECS_OPERATION_THROTTLED`;
    const start = Date.parse('2026-03-02T08:00:00Z');
    expect(ids[0]).toBe(findingIdOf('throttle-ecs-operation', svc, { key, windowStartMs: start }));
  });

  it('differ per key part (event name, service, caller)', async () => {
    const idOf = async (raw: unknown, rule: string, n = 1) => {
      const d = deps();
      let last: Finding | undefined;
      for (let i = 0; i < n; i++) last = byRule((await evaluateRaw(raw, d)).findings, rule)[0] ?? last;
      return last!.findingId;
    };
    const t = '2026-03-02T08:00:00Z';
    const ids = new Set([
      await idOf(ecsThrottle(t), 'throttle-ecs-operation'),
      await idOf(
        ecsThrottle(t, { eventName: 'SERVICE_DISCOVERY_OPERATION_THROTTLED' }),
        'throttle-ecs-operation',
      ),
      await idOf(ecsThrottle(t, { service: serviceArn('other') }), 'throttle-ecs-operation'),
      await idOf(apiThrottle(t), 'throttle-api-calls', 10),
      await idOf(apiThrottle(t, { role: 'someone-else' }), 'throttle-api-calls', 10),
      await idOf(apiThrottle(t, { eventName: 'ListTasks' }), 'throttle-api-calls', 10),
    ]);
    expect(ids.size).toBe(6);
  });
});
