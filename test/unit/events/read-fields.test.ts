/**
 * Every field a rule reads, by the event that carries it, and a property: a value of the wrong JSON type
 * in ANY of them makes the event invalid (InvalidEventError naming that field's path, never the value),
 * instead of a finding on a guess or a silent "incomplete". The table is exhaustive over what
 * shared/events/normalize.ts hands to the rules (shared/rules/**: resources, signals, the finding's
 * event and actor), one row per field; unknown fields and fields nothing reads stay ignored
 * (strict-where-read.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/events/errors';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { loadFixture, REPO_ROOT } from '../../helpers/fixtures';

/** The JSON type a field must have. `shape`: an object a call's fields are read from (a string there is a truncated record: unknown, not invalid). */
type Family = 'string' | 'boolean' | 'number' | 'array' | 'object' | 'shape';
type Row = readonly [path: string, family: Family];

type Obj = Record<string, unknown>;
const sample = (path: string): Obj => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Obj;

/** Every optional structure a rule reads, filled in with valid values, so each row's field exists. */
function fullTaskDefinition(td: Obj): void {
  td.runtimePlatform = { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' };
  td.requiresCompatibilities = ['EC2'];
  td.tags = [{ key: 'team', value: 'platform' }];
  td.volumes = [{ name: 'data', host: { sourcePath: '/data' }, efsVolumeConfiguration: { transitEncryption: 'ENABLED' } }];
  const c = (td.containerDefinitions as Obj[])[0]!;
  c.linuxParameters = { capabilities: { add: ['NET_BIND_SERVICE'] } };
  c.environment = [{ name: 'PORT', value: '8080' }];
  c.logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/x' } };
}

/** The events the rows edit (the corpus, so every field sits in a real event shape). */
const BASES: Record<string, () => Obj> = {
  registerResponse: () => {
    const e = loadFixture('cloudtrail-register-task-definition-privileged.json');
    const resp = (e.detail as Obj).responseElements as Obj;
    fullTaskDefinition(resp.taskDefinition as Obj);
    resp.tags = [{ key: 'team', value: 'platform' }];
    Object.assign((e.detail as Obj).userIdentity as Obj, { invokedBy: 'ecs.amazonaws.com' });
    return e;
  },
  registerRequest: () => {
    const e = loadFixture('cloudtrail-register-task-definition-privileged.json');
    delete (e.detail as Obj).responseElements;
    fullTaskDefinition((e.detail as Obj).requestParameters as Obj);
    return e;
  },
  createService: () => {
    const e = loadFixture('cloudtrail-create-service-assign-public-ip.json');
    const svc = ((e.detail as Obj).responseElements as Obj).service as Obj;
    svc.capacityProviderStrategy = [{ capacityProvider: 'FARGATE', weight: 1 }];
    return e;
  },
  createServiceRequest: () => {
    const e = loadFixture('cloudtrail-create-service-assign-public-ip.json');
    delete (e.detail as Obj).responseElements;
    return e;
  },
  createTaskSet: () => loadFixture('cloudtrail-create-task-set-assign-public-ip.json'),
  runTask: () => loadFixture('cloudtrail-run-task-public-ip-with-overrides.json'),
  createCluster: () => sample('events/cloudtrail-create-cluster-container-insights-disabled.json'),
  putAccountSetting: () => loadFixture('cloudtrail-put-account-setting-container-insights-disabled.json'),
  throttled: () => loadFixture('cloudtrail-throttling-exception.json'),
  taskState: () => loadFixture('ecs-task-state-change-running-awsvpc.json'),
  containerInstance: () => loadFixture('ecs-container-instance-state-change-active.json'),
  deployment: () => loadFixture('ecs-deployment-state-change-failed-circuit-breaker.json'),
  serviceAction: () => loadFixture('ecs-service-action-operation-throttled.json'),
};

/** The fields of a task definition the td-* rules (and the finding: ARN, name, tags) read. */
const TASK_DEFINITION: readonly Row[] = [
  ['family', 'string'],
  ['networkMode', 'string'], // td-host-network
  ['pidMode', 'string'], // td-host-pid
  ['ipcMode', 'string'], // td-host-ipc
  ['runtimePlatform', 'object'], // td-root-user, td-writable-root-fs (Windows not applicable)
  ['runtimePlatform.operatingSystemFamily', 'string'],
  ['requiresCompatibilities', 'array'],
  ['requiresCompatibilities.0', 'string'],
  ['containerDefinitions', 'array'],
  ['containerDefinitions.0', 'object'],
  ['containerDefinitions.0.name', 'string'], // evidence, exemptions per container
  ['containerDefinitions.0.image', 'string'], // td-mutable-image, td-untrusted-registry
  ['containerDefinitions.0.privileged', 'boolean'], // td-privileged
  ['containerDefinitions.0.user', 'string'], // td-root-user
  ['containerDefinitions.0.readonlyRootFilesystem', 'boolean'], // td-writable-root-fs
  ['containerDefinitions.0.linuxParameters', 'object'], // td-dangerous-capabilities
  ['containerDefinitions.0.linuxParameters.capabilities', 'object'],
  ['containerDefinitions.0.linuxParameters.capabilities.add', 'array'],
  ['containerDefinitions.0.environment', 'array'], // td-secrets-in-environment
  ['containerDefinitions.0.environment.0', 'object'],
  ['containerDefinitions.0.environment.0.name', 'string'],
  ['containerDefinitions.0.environment.0.value', 'string'],
  ['containerDefinitions.0.logConfiguration', 'object'], // td-no-logging, td-secrets-in-environment
  ['containerDefinitions.0.logConfiguration.logDriver', 'string'],
  ['containerDefinitions.0.logConfiguration.options', 'object'],
  ['volumes', 'array'], // td-sensitive-host-mount, td-efs-no-transit-encryption
  ['volumes.0', 'object'],
  ['volumes.0.name', 'string'],
  ['volumes.0.host', 'object'],
  ['volumes.0.host.sourcePath', 'string'],
  ['volumes.0.efsVolumeConfiguration', 'object'],
  ['volumes.0.efsVolumeConfiguration.transitEncryption', 'string'],
  ['tags', 'array'], // exemptions, the protect tag
  ['tags.0', 'object'],
  ['tags.0.key', 'string'],
  ['tags.0.value', 'string'],
];

const NETWORK: readonly Row[] = [
  ['networkConfiguration', 'object'], // svc-public-ip, taskset-public-ip, task-public-ip
  ['networkConfiguration.awsvpcConfiguration', 'object'],
  ['networkConfiguration.awsvpcConfiguration.assignPublicIp', 'string'],
  ['networkConfiguration.awsvpcConfiguration.subnets', 'array'],
  ['networkConfiguration.awsvpcConfiguration.securityGroups', 'array'],
];

const under = (prefix: string, rows: readonly Row[]): Row[] =>
  rows.map(([p, f]) => [`${prefix}.${p}`, f] as const);

const CT = 'detail';
const REQ = 'detail.requestParameters';
const RESP = 'detail.responseElements';

/** Base -> the fields read there. */
const READ: Record<keyof typeof BASES, readonly Row[]> = {
  registerResponse: [
    [RESP, 'shape'],
    [`${RESP}.taskDefinition`, 'shape'],
    [`${RESP}.taskDefinition.taskDefinitionArn`, 'string'],
    [`${RESP}.taskDefinition.revision`, 'number'],
    ...under(`${RESP}.taskDefinition`, TASK_DEFINITION),
    [`${RESP}.tags`, 'array'],
    // The envelope and the CloudTrail record: the finding's account, region, event and actor.
    ['id', 'string'],
    ['detail-type', 'string'],
    ['source', 'string'],
    ['account', 'string'],
    ['time', 'string'],
    ['region', 'string'],
    ['resources', 'array'],
    ['resources.0', 'string'],
    ['detail', 'object'],
    [`${CT}.eventSource`, 'string'],
    [`${CT}.eventName`, 'string'],
    [`${CT}.eventID`, 'string'],
    [`${CT}.eventTime`, 'string'],
    [`${CT}.awsRegion`, 'string'],
    [`${CT}.recipientAccountId`, 'string'],
    [`${CT}.errorCode`, 'string'],
    [`${CT}.userIdentity`, 'object'],
    [`${CT}.userIdentity.arn`, 'string'],
    [`${CT}.userIdentity.type`, 'string'],
    [`${CT}.userIdentity.invokedBy`, 'string'],
    [`${CT}.userIdentity.sessionContext`, 'object'],
    [`${CT}.userIdentity.sessionContext.sessionIssuer`, 'object'],
    [`${CT}.userIdentity.sessionContext.sessionIssuer.arn`, 'string'],
  ],
  registerRequest: [[REQ, 'shape'], ...under(REQ, TASK_DEFINITION)],
  createService: [
    [`${RESP}.service`, 'shape'],
    ...under(`${RESP}.service`, [
      ['serviceArn', 'string'],
      ['serviceName', 'string'],
      ['clusterArn', 'string'],
      ['taskDefinition', 'string'],
      ['launchType', 'string'], // svc-fargate-platform-outdated
      ['platformVersion', 'string'],
      ['capacityProviderStrategy', 'array'],
      ['capacityProviderStrategy.0', 'object'],
      ['capacityProviderStrategy.0.capacityProvider', 'string'],
      ['enableExecuteCommand', 'boolean'], // svc-exec-enabled
      ['deploymentController', 'object'],
      ['deploymentController.type', 'string'],
      ['status', 'string'],
      ['tags', 'array'],
      ...NETWORK,
    ]),
  ],
  createServiceRequest: [
    [REQ, 'shape'],
    ...under(REQ, [['serviceName', 'string'], ['cluster', 'string'], ['enableExecuteCommand', 'boolean'], ...NETWORK]),
  ],
  createTaskSet: [
    [`${RESP}.taskSet`, 'shape'],
    ...under(`${RESP}.taskSet`, [['taskSetArn', 'string'], ['serviceArn', 'string'], ['taskDefinition', 'string'], ...NETWORK]),
    ...under(REQ, [['service', 'string'], ['cluster', 'string'], ...NETWORK]),
  ],
  runTask: [
    [REQ, 'shape'],
    ...under(REQ, [
      ['cluster', 'string'],
      ['group', 'string'],
      ['launchType', 'string'],
      ['taskDefinition', 'string'],
      ['enableExecuteCommand', 'boolean'], // task-exec-enabled
      ...NETWORK,
    ]),
    [RESP, 'shape'],
    [`${RESP}.tasks`, 'array'],
    [`${RESP}.failures`, 'array'],
    ...under(`${RESP}.tasks.0`, [
      ['taskArn', 'string'],
      ['clusterArn', 'string'],
      ['taskDefinitionArn', 'string'],
      ['group', 'string'],
      ['lastStatus', 'string'],
      ['launchType', 'string'],
      ['enableExecuteCommand', 'boolean'],
      ['attachments', 'array'],
      ['attachments.0', 'object'],
      ['attachments.0.type', 'string'],
      ['attachments.0.details', 'array'],
      ['attachments.0.details.0', 'object'],
      ['attachments.0.details.0.name', 'string'],
      ['attachments.0.details.0.value', 'string'],
    ]),
  ],
  createCluster: [
    [`${RESP}.cluster`, 'shape'],
    ...under(`${RESP}.cluster`, [
      ['clusterArn', 'string'],
      ['clusterName', 'string'],
      ['settings', 'array'], // cluster-container-insights-disabled
      ['settings.0', 'object'],
      ['settings.0.name', 'string'],
      ['settings.0.value', 'string'],
      ['tags', 'array'],
    ]),
  ],
  putAccountSetting: [
    [`${RESP}.setting`, 'shape'],
    ...under(`${RESP}.setting`, [
      ['name', 'string'],
      ['value', 'string'],
      ['principalArn', 'string'],
    ]),
  ],
  throttled: [
    // throttle-api-calls: the key parts.
    [`${CT}.errorCode`, 'string'],
    [`${CT}.eventSource`, 'string'],
    [`${CT}.eventName`, 'string'],
    [`${CT}.userIdentity.arn`, 'string'],
  ],
  taskState: [
    ['detail.taskArn', 'string'],
    ['detail.clusterArn', 'string'],
    ['detail.taskDefinitionArn', 'string'],
    ['detail.group', 'string'], // task-exec-enabled: standalone only
    ['detail.lastStatus', 'string'],
    ['detail.launchType', 'string'],
    ['detail.startedBy', 'string'],
    ['detail.enableExecuteCommand', 'boolean'],
    ['detail.version', 'number'],
    ['detail.attachments', 'array'], // task-public-ip (ENI)
    ['detail.attachments.0', 'object'],
    ['detail.attachments.0.type', 'string'],
    ['detail.attachments.0.details', 'array'],
    ['detail.attachments.0.details.0.name', 'string'],
    ['detail.attachments.0.details.0.value', 'string'],
  ],
  containerInstance: [
    ['detail.containerInstanceArn', 'string'],
    ['detail.clusterArn', 'string'],
    ['detail.ec2InstanceId', 'string'],
    ['detail.attributes', 'array'], // instance-privileged-allowed, instance-imds-reachable
    ['detail.attributes.0', 'object'],
    ['detail.attributes.0.name', 'string'],
    ['detail.attributes.0.value', 'string'],
  ],
  deployment: [
    ['detail.eventName', 'string'], // ops-deployment-failed
    ['detail.deploymentId', 'string'],
    ['detail.reason', 'string'],
  ],
  serviceAction: [
    ['detail.eventName', 'string'], // throttle-ecs-operation, ops-task-placement-failure
    ['detail.clusterArn', 'string'],
    ['detail.reason', 'string'],
  ],
};

const CASES = (Object.entries(READ) as [keyof typeof BASES, readonly Row[]][]).flatMap(([base, rows]) =>
  rows.map(([path, family]) => ({ base, path, family })),
);

/** Values of any JSON type but the field's (never null: absent and null are "not shown"). */
function wrongValue(family: Family): fc.Arbitrary<unknown> {
  const json = {
    string: fc.oneof(fc.string(), fc.constantFrom('false', 'true', '0', '1', '')),
    boolean: fc.boolean(),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    array: fc.array(fc.oneof(fc.string(), fc.boolean(), fc.integer()), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), { maxKeys: 3 }),
  };
  const others = (Object.keys(json) as (keyof typeof json)[]).filter(
    (k) => k !== family && !(family === 'shape' && (k === 'object' || k === 'string')),
  );
  return fc.oneof(...others.map((k) => json[k] as fc.Arbitrary<unknown>));
}

function setAt(root: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Obj = root;
  for (const k of keys.slice(0, -1)) {
    const next = (Array.isArray(o) ? (o as unknown[])[Number(k)] : o[k]) as Obj | undefined;
    if (typeof next !== 'object' || next === null) throw new Error(`fixture has no ${path} (at ${k})`);
    o = next;
  }
  const last = keys[keys.length - 1]!;
  if (Array.isArray(o)) (o as unknown[])[Number(last)] = value;
  else o[last] = value;
}

function rejection(raw: Obj): InvalidEventError | undefined {
  try {
    normalize(parseEvent(raw));
  } catch (err) {
    if (err instanceof InvalidEventError) return err;
    throw err;
  }
  return undefined;
}

describe('every field a rule reads has a JSON type the event must respect', () => {
  it('each base event is valid as it is, and every listed field exists or can be set in it', () => {
    for (const [name, make] of Object.entries(BASES)) expect(rejection(make()), name).toBeUndefined();
    for (const c of CASES) expect(() => setAt(BASES[c.base]!(), c.path, null), c.path).not.toThrow();
  });

  it('property: a wrong JSON type in any read field rejects the event, naming that path and never the value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CASES).chain((c) => fc.tuple(fc.constant(c), wrongValue(c.family))),
        ([c, value]) => {
          const raw = BASES[c.base]!();
          setAt(raw, c.path, value);
          const err = rejection(raw);
          expect(err, `${c.base} ${c.path} = ${JSON.stringify(value)}`).toBeInstanceOf(InvalidEventError);
          expect(err!.path).toBe(c.path);
          const shown = typeof value === 'string' ? value : JSON.stringify(value);
          if (shown.length >= 6) expect(err!.message).not.toContain(shown);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('each row once with a canary string or object: rejected at its path, the canary never in the message', () => {
    const CANARY = 'AKIAIOSFODNN7EXAMPLE';
    for (const c of CASES) {
      const raw = BASES[c.base]!();
      const value = c.family === 'string' ? { [CANARY]: CANARY } : c.family === 'shape' ? [CANARY] : CANARY;
      setAt(raw, c.path, value);
      const err = rejection(raw);
      expect(err, `${c.base} ${c.path}`).toBeInstanceOf(InvalidEventError);
      expect(err!.path, c.base).toBe(c.path);
      expect(err!.message).not.toContain(CANARY);
    }
  });

  it('every object row refuses an array (valibot objects and records take arrays unless told not to)', () => {
    for (const c of CASES.filter((x) => x.family === 'object' || x.family === 'shape')) {
      const raw = BASES[c.base]!();
      setAt(raw, c.path, []);
      expect(rejection(raw)?.path, `${c.base} ${c.path}`).toBe(c.path);
    }
  });

  it('the issue\'s two examples: "privileged": "false" and containerDefinitions as an object', () => {
    const priv = BASES.registerResponse!();
    setAt(priv, `${RESP}.taskDefinition.containerDefinitions.0.privileged`, 'false');
    expect(rejection(priv)?.message).toBe(
      'detail.responseElements.taskDefinition.containerDefinitions.0.privileged: expected boolean, got string',
    );
    const defs = BASES.registerRequest!();
    setAt(defs, `${REQ}.containerDefinitions`, { app: { image: 'x' } });
    expect(rejection(defs)?.path).toBe('detail.requestParameters.containerDefinitions');
  });

  it('a string where a call\'s shape is read is a truncated record (unknown, incomplete), not invalid', () => {
    const raw = BASES.registerResponse!();
    setAt(raw, 'detail.requestParameters', '{"family":"node-exporter","containerDefinitions":[{"na');
    setAt(raw, 'detail.responseElements', '{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-we');
    expect(rejection(raw)).toBeUndefined();
    expect(normalize(parseEvent(raw)).incomplete?.reason).toMatch(/truncated/);
  });
});

