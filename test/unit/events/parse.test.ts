/** parseEvent (shared/events/parse.ts): every corpus event, the envelope traps, and rejection of non-events. */
import { describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { InvalidEventError } from '../../../shared/events/errors';
import { parseEvent, type ParsedEvent } from '../../../shared/events/parse';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { detailOf, fixture, fixtureNames } from './fixtures';

const KIND_BY_DETAIL_TYPE: Record<string, ParsedEvent['kind']> = {
  'ECS Task State Change': 'task',
  'ECS Container Instance State Change': 'containerInstance',
  'ECS Deployment State Change': 'deployment',
  'ECS Service Action': 'serviceAction',
  'AWS API Call via CloudTrail': 'cloudTrail',
};

/** The InvalidEventError `fn` throws (fails the test when it throws nothing or something else). */
function rejection(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEventError);
    return err as InvalidEventError;
  }
  throw new Error('expected an InvalidEventError, nothing was thrown');
}

async function asyncRejection(p: Promise<unknown>): Promise<InvalidEventError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEventError);
    return err as InvalidEventError;
  }
  throw new Error('expected an InvalidEventError, nothing was thrown');
}

const deps = () => ({ policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() });

describe('parseEvent: the event corpus', () => {
  const names = fixtureNames();

  it('all 38 copies are here', () => {
    expect(names).toHaveLength(38);
  });

  for (const name of names) {
    it(`${name} parses, as the kind its detail-type says`, () => {
      const raw = fixture(name);
      const parsed = parseEvent(raw);
      expect(parsed.kind).toBe(KIND_BY_DETAIL_TYPE[raw['detail-type'] as string] ?? 'other');
      expect(parsed.envelope.id).toBe(raw.id);
      expect(parsed.envelope.account).toMatch(/^\d{12}$/);
    });
  }

  it('the two version fields: envelope "0" is a string, detail.version a number', () => {
    const parsed = parseEvent(fixture('ecs-task-state-change-running-awsvpc.json'));
    expect(parsed.envelope.version).toBe('0');
    expect(parsed.kind === 'task' && parsed.detail.version).toBe(3);
  });

  it('an envelope without version is still an event (the field is not read)', () => {
    const raw = fixture('ecs-service-action-steady-state.json');
    delete raw.version;
    expect(parseEvent(raw).kind).toBe('serviceAction');
  });

  it('the redacted non-UUID id "0000000" style is accepted (ids are plain strings)', () => {
    const raw = fixture('ecs-service-action-steady-state.json');
    raw.id = '0000000';
    expect(parseEvent(raw).envelope.id).toBe('0000000');
  });

  it('string "null" cpu, a container without image, and an unknown extra field are accepted', () => {
    const running = fixture('ecs-task-state-change-running-awsvpc.json');
    const containers = detailOf(running).containers as Record<string, unknown>[];
    expect(containers[1]?.cpu).toBe('null');
    expect(containers[1]).not.toHaveProperty('image');
    expect(parseEvent(running).kind).toBe('task');

    const malformed = fixture('ecs-task-state-change-malformed-missing-fields.json');
    expect(detailOf(malformed).someFutureField).toBeDefined();
    const parsed = parseEvent(malformed);
    expect(parsed.kind).toBe('task');
    expect(parsed.kind === 'task' && parsed.detail.version).toBeUndefined();
  });

  it('sessionCredentialFromConsole "true" and mfaAuthenticated "false" are strings and accepted', () => {
    const raw = fixture('cloudtrail-update-service-assign-public-ip.json');
    expect(detailOf(raw).sessionCredentialFromConsole).toBe('true');
    expect(parseEvent(raw).kind).toBe('cloudTrail');
  });
});

describe('parseEvent: envelopes', () => {
  it('accepts an archive replay (replay-name) and keeps the name', () => {
    const parsed = parseEvent(fixture('cloudtrail-update-service-replayed-from-archive.json'));
    expect(parsed.kind).toBe('cloudTrail');
    expect(parsed.envelope['replay-name']).toEqual(expect.any(String));
  });

  it('unwraps the EventBridge WITH_METADATA record {Data, Metadata, SystemMetadata}', () => {
    const plain = fixture('cloudtrail-create-service-assign-public-ip.json');
    const wrapped = {
      Data: fixture('cloudtrail-create-service-assign-public-ip.json'),
      Metadata: { EventBusName: 'guardrail-bus' },
      SystemMetadata: { IngestionTime: '2026-03-02T08:05:03Z' },
    };
    expect(parseEvent(wrapped)).toEqual(parseEvent(plain));
  });

  it('a WITH_METADATA delivery is an array of records: each element parses', () => {
    const batch = ['ecs-service-action-steady-state.json', 'ecs-container-instance-state-change-active.json'].map(
      (n) => ({ Data: fixture(n), Metadata: {}, SystemMetadata: {} }),
    );
    expect(batch.map((r) => parseEvent(r).kind)).toEqual(['serviceAction', 'containerInstance']);
    // The array itself is not one event; the caller splits it (the CLI does).
    expect(rejection(() => parseEvent(batch)).message).toBe('not an event: expected a JSON object, got array');
  });

  it('accepts unknown detail-types (ignored downstream), also from other sources', async () => {
    for (const detailType of [
      'ECS Container Instance Health Change',
      'ECS Daemon Service Action',
      'EC2 Instance State-change Notification',
    ]) {
      const raw = fixture('ecs-service-action-steady-state.json');
      raw['detail-type'] = detailType;
      raw.detail = { overallStatus: 'IMPAIRED', capacityProviderName: null, anything: [1, 2] };
      expect(parseEvent(raw).kind, detailType).toBe('other');
      const result = await evaluateRaw(raw, deps());
      expect(result.findings).toEqual([]);
      expect(result.event.detailType).toBe(detailType);
    }
  });

  it('matches the literal "AWS API Call via CloudTrail" only (the China-site wording is another type)', () => {
    const raw = fixture('cloudtrail-create-service-assign-public-ip.json');
    raw['detail-type'] = 'Amazon API Call via CloudTrail';
    expect(parseEvent(raw).kind).toBe('other');
  });
});

describe('parseEvent: rejecting what is not an event', () => {
  it('non-objects, naming what was found', () => {
    for (const [input, got] of [
      [null, 'null'],
      [42, 'number'],
      ['{"detail-type":"x"}', 'string'],
      [[], 'array'],
      [true, 'boolean'],
    ] as const) {
      const err = rejection(() => parseEvent(input));
      expect(err.message).toBe(`not an event: expected a JSON object, got ${got}`);
      expect(err.path).toBeUndefined();
    }
  });

  it('objects without detail-type or detail', () => {
    for (const input of [{}, { 'detail-type': 'ECS Service Action' }, { detail: {} }, { Data: 'x' }, { Records: [] }])
      expect(rejection(() => parseEvent(input)).message).toMatch(/^not an event: no "detail-type"\/"detail"/);
  });

  const cases: [string, (raw: Record<string, unknown>) => void, string, RegExp][] = [
    ['missing id', (r) => delete r.id, 'id', /is required/],
    ['numeric id', (r) => (r.id = 7), 'id', /expected string, got number/],
    ['9-digit account (an unnormalized redaction)', (r) => (r.account = '000000000'), 'account', /12-digit/],
    ['account as a number', (r) => (r.account = 111122223333), 'account', /got number/],
    ['time that is not ISO-8601', (r) => (r.time = 'yesterday'), 'time', /ISO-8601/],
    ['missing region', (r) => delete r.region, 'region', /is required/],
    ['resources not an array', (r) => (r.resources = 'arn:aws:ecs:x'), 'resources', /got string/],
    ['detail an array', (r) => (r.detail = []), 'detail', /JSON object/],
    ['detail a string', (r) => (r.detail = 'x'), 'detail', /JSON object/],
  ];
  for (const [label, edit, path, problem] of cases) {
    it(`envelope: ${label} -> "${path}"`, () => {
      const raw = fixture('ecs-service-action-steady-state.json');
      edit(raw);
      const err = rejection(() => parseEvent(raw));
      expect(err.path).toBe(path);
      expect(err.problem).toMatch(problem);
      expect(err.message).toBe(`${path}: ${err.problem}`);
    });
  }

  const detailCases: [string, string, (d: Record<string, unknown>) => void, string][] = [
    ['ecs-task-state-change-running-awsvpc.json', 'task without taskArn', (d) => delete d.taskArn, 'detail.taskArn'],
    ['ecs-task-state-change-running-awsvpc.json', 'detail.version as a string', (d) => (d.version = '3'), 'detail.version'],
    [
      'ecs-task-state-change-running-awsvpc.json',
      'attachment details not a list',
      (d) => ((d.attachments as Record<string, unknown>[])[0]!.details = {}),
      'detail.attachments.0.details',
    ],
    [
      'ecs-container-instance-state-change-active.json',
      'attributes not a list',
      (d) => (d.attributes = 'privileged'),
      'detail.attributes',
    ],
    [
      'ecs-container-instance-state-change-active.json',
      'attribute without name',
      (d) => ((d.attributes as Record<string, unknown>[])[2] = { value: 'x' }),
      'detail.attributes.2.name',
    ],
    ['ecs-service-action-operation-throttled.json', 'service action without eventName', (d) => delete d.eventName, 'detail.eventName'],
    ['ecs-deployment-state-change-failed-circuit-breaker.json', 'deployment eventName a number', (d) => (d.eventName = 1), 'detail.eventName'],
    ['cloudtrail-create-service-assign-public-ip.json', 'CloudTrail without eventID', (d) => delete d.eventID, 'detail.eventID'],
    ['cloudtrail-create-service-assign-public-ip.json', 'CloudTrail bad eventTime', (d) => (d.eventTime = 'Mar 2, 2026'), 'detail.eventTime'],
  ];
  for (const [name, label, edit, path] of detailCases) {
    it(`detail: ${label} -> "${path}"`, () => {
      const raw = fixture(name);
      edit(detailOf(raw));
      const err = rejection(() => parseEvent(raw));
      expect(err.path).toBe(path);
      expect(err.message.startsWith(`${path}: `)).toBe(true);
    });
  }

  it('a wrong type in a field a rule reads is rejected by evaluateRaw, naming the path', async () => {
    const raw = fixture('cloudtrail-register-task-definition-privileged.json');
    const resp = detailOf(raw).responseElements as { taskDefinition: { containerDefinitions: Record<string, unknown>[] } };
    resp.taskDefinition.containerDefinitions[0]!.privileged = 'true';
    const err = await asyncRejection(evaluateRaw(raw, deps()));
    expect(err.path).toBe('detail.responseElements.taskDefinition.containerDefinitions.0.privileged');
    expect(err.problem).toBe('expected boolean, got string');
  });

  it('a wrong type in the request is named under requestParameters', async () => {
    const raw = fixture('cloudtrail-create-service-assign-public-ip.json');
    delete detailOf(raw).responseElements;
    (detailOf(raw).requestParameters as Record<string, unknown>).enableExecuteCommand = 'yes';
    const err = await asyncRejection(evaluateRaw(raw, deps()));
    expect(err.path).toBe('detail.requestParameters.enableExecuteCommand');
  });

  it('error messages never contain the offending value', async () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const raw = fixture('cloudtrail-register-task-definition-privileged.json');
    const resp = detailOf(raw).responseElements as { taskDefinition: { containerDefinitions: Record<string, unknown>[] } };
    resp.taskDefinition.containerDefinitions[0]!.environment = [{ name: 'AWS_ACCESS_KEY_ID', value: { key: secret } }];
    const err = await asyncRejection(evaluateRaw(raw, deps()));
    expect(err.path).toBe('detail.responseElements.taskDefinition.containerDefinitions.0.environment.0.value');
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('IOSFODNN7');

    const env = fixture('ecs-service-action-steady-state.json');
    env.account = secret;
    const envErr = rejection(() => parseEvent(env));
    expect(envErr.path).toBe('account');
    expect(envErr.message).not.toContain(secret);
  });
});
