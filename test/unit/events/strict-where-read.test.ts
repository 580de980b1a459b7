/**
 * Validation is strict only on the fields that are read: a field nothing reads may hold any JSON type
 * without rejecting the event (and its real violations); a field a rule reads with the wrong JSON type
 * makes the event invalid, naming the field, never the value.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { InvalidEventError } from '../../../shared/events/errors';
import { parseEvent } from '../../../shared/events/parse';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { detailOf, fixture } from './fixtures';

const deps = () => ({ policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() });
type Obj = Record<string, unknown>;
const PRIVILEGED = 'cloudtrail-register-task-definition-privileged.json';

async function rejection(raw: unknown): Promise<InvalidEventError> {
  try {
    await evaluateRaw(raw, deps());
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEventError);
    return err as InvalidEventError;
  }
  throw new Error('expected an InvalidEventError, nothing was thrown');
}

const containersOf = (raw: Obj, where: 'request' | 'response'): Obj[] =>
  where === 'request'
    ? ((detailOf(raw).requestParameters as Obj).containerDefinitions as Obj[])
    : (((detailOf(raw).responseElements as Obj).taskDefinition as Obj).containerDefinitions as Obj[]);

describe('a field nothing reads, with an unexpected type, does not reject the event', () => {
  const unread: [string, string, (raw: Obj) => void][] = [
    [PRIVILEGED, 'CloudTrail readOnly "false" (a string)', (r) => (detailOf(r).readOnly = 'false')],
    [PRIVILEGED, 'CloudTrail errorMessage a number', (r) => (detailOf(r).errorMessage = 42)],
    [PRIVILEGED, 'userIdentity.principalId an object', (r) => ((detailOf(r).userIdentity as Obj).principalId = {})],
    [PRIVILEGED, 'userIdentity.accountId a number', (r) => ((detailOf(r).userIdentity as Obj).accountId = 1)],
    [
      PRIVILEGED,
      'sessionIssuer.userName a list',
      (r) =>
        (((detailOf(r).userIdentity as Obj).sessionContext as Obj).sessionIssuer as Obj).userName = ['x'],
    ],
    [PRIVILEGED, 'envelope version a number', (r) => (r.version = 0)],
    [PRIVILEGED, 'replay-name an object', (r) => (r['replay-name'] = { name: 'x' })],
    ['ecs-task-state-change-running-awsvpc.json', 'task desiredStatus a number', (r) => (detailOf(r).desiredStatus = 1)],
    [
      'ecs-task-state-change-running-awsvpc.json',
      'attachment status a boolean',
      (r) => ((detailOf(r).attachments as Obj[])[0]!.status = true),
    ],
    ['ecs-container-instance-state-change-active.json', 'container instance status a list', (r) => (detailOf(r).status = [])],
    [
      'ecs-deployment-state-change-failed-circuit-breaker.json',
      'deployment updatedAt a number',
      (r) => (detailOf(r).updatedAt = 1_700_000_000),
    ],
    ['ecs-deployment-state-change-failed-circuit-breaker.json', 'deployment eventType a number', (r) => (detailOf(r).eventType = 2)],
    [
      'ecs-service-action-task-placement-failure-ec2-cpu.json',
      'service action capacityProviderArns a string',
      (r) => (detailOf(r).capacityProviderArns = 'arn:x'),
    ],
    ['ecs-service-action-task-placement-failure-ec2-cpu.json', 'service action createdAt an object', (r) => (detailOf(r).createdAt = {})],
  ];
  for (const [name, label, edit] of unread) {
    it(`${label}: same findings as without the edit`, async () => {
      const before = await evaluateRaw(fixture(name), deps());
      const raw = fixture(name);
      edit(raw);
      expect(() => parseEvent(raw)).not.toThrow();
      const after = await evaluateRaw(raw, deps());
      expect(after.findings.map((f) => f.ruleId).sort()).toEqual(before.findings.map((f) => f.ruleId).sort());
      if (name === PRIVILEGED) expect(after.findings.map((f) => f.ruleId)).toContain('td-privileged');
    });
  }
});

describe('a field a rule reads, with the wrong JSON type, makes the event invalid', () => {
  it('"privileged": "false" (a string) in the response is invalid, not a privileged finding', async () => {
    const raw = fixture(PRIVILEGED);
    containersOf(raw, 'response')[0]!.privileged = 'false';
    const err = await rejection(raw);
    expect(err.path).toBe('detail.responseElements.taskDefinition.containerDefinitions.0.privileged');
    expect(err.problem).toBe('expected boolean, got string');
    expect(err.message).not.toMatch(/false/);
  });

  it('"privileged": "false" in the request (no response elements) is invalid too', async () => {
    const raw = fixture(PRIVILEGED);
    delete detailOf(raw).responseElements;
    containersOf(raw, 'request')[0]!.privileged = 'false';
    const err = await rejection(raw);
    expect(err.path).toBe('detail.requestParameters.containerDefinitions.0.privileged');
  });

  it('containerDefinitions given as an object is invalid, not "incomplete"', async () => {
    const raw = fixture(PRIVILEGED);
    ((detailOf(raw).responseElements as Obj).taskDefinition as Obj).containerDefinitions = { x: 1 };
    const err = await rejection(raw);
    expect(err.path).toBe('detail.responseElements.taskDefinition.containerDefinitions');
    expect(err.problem).toBe('expected Array, got object');
  });

  it('containerDefinitions as an object in the request (no response elements) is invalid', async () => {
    const raw = fixture(PRIVILEGED);
    delete detailOf(raw).responseElements;
    (detailOf(raw).requestParameters as Obj).containerDefinitions = 'node-exporter';
    const err = await rejection(raw);
    expect(err.path).toBe('detail.requestParameters.containerDefinitions');
    expect(err.problem).toBe('expected Array, got string');
  });

  it('a truncated registration ("omitted") is still incomplete, not invalid', async () => {
    const result = await evaluateRaw(fixture('cloudtrail-register-task-definition-truncated-omitted.json'), deps());
    expect(result.incomplete?.reason).toMatch(/truncated or missing/);
  });

  it('enableExecuteCommand "true" (a string) on a task state change is invalid', async () => {
    const raw = fixture('ecs-task-state-change-running-awsvpc.json');
    detailOf(raw).enableExecuteCommand = 'true';
    expect((await rejection(raw)).path).toBe('detail.enableExecuteCommand');
  });
});
