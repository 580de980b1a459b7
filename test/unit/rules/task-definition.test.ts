/** Task definition rules (shared/rules/task-definition.ts): directly and end to end through evaluateRaw. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { taskDefinitionRules } from '../../../shared/rules/task-definition';
import { detailOf, fixture } from '../events/fixtures';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  engine,
  only,
  paramsWith,
  registerTaskDefinitionEvent,
  ruleIds,
  taskDefinition,
  withRule,
} from './helpers';

const TESTED = [
  'td-privileged',
  'td-host-network',
  'td-host-pid',
  'td-host-ipc',
  'td-root-user',
  'td-writable-root-fs',
  'td-dangerous-capabilities',
  'td-secrets-in-environment',
  'td-no-logging',
  'td-mutable-image',
  'td-untrusted-registry',
  'td-efs-no-transit-encryption',
  'td-sensitive-host-mount',
];

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('task definition rules: module', () => {
  it('this file tests every rule of the module', () => {
    expect(taskDefinitionRules.map((r) => r.id).sort()).toEqual([...TESTED].sort());
  });

  it('a compliant task definition passes every rule (direct)', () => {
    for (const id of TESTED) expect(check(id, taskDefinition()), id).toEqual([]);
  });

  it('a compliant registration yields no finding at all (end to end, built and corpus event)', async () => {
    expect((await findingsOf({})).map((f) => f.ruleId)).toEqual([]);
    const r = await evaluateOne(fixture('cloudtrail-register-task-definition-compliant-fargate.json'));
    expect(r.findings).toEqual([]);
    expect(r.incomplete).toBeUndefined();
  });

  it('the privileged fixture fires exactly the rules it violates, on the ARN of the response', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-register-task-definition-privileged.json'));
    expect(ruleIds(findings)).toEqual([
      'td-dangerous-capabilities',
      'td-host-network',
      'td-host-pid',
      'td-no-logging',
      'td-privileged',
      'td-root-user',
      'td-sensitive-host-mount',
      'td-untrusted-registry',
      'td-writable-root-fs',
    ]);
    for (const f of findings) {
      expect(f.resource).toEqual({
        type: 'AWS::ECS::TaskDefinition',
        arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
        name: 'node-exporter:7',
      });
      expect(f.account).toBe('111122223333');
      expect(f.region).toBe('us-west-2');
      expect(f.mode).toBe('notify');
      expect(f.event.eventName).toBe('RegisterTaskDefinition');
      expect(f.event.actor?.roleArn).toBe('arn:aws:iam::111122223333:role/DeployRole');
    }
  });

  it('the same violation seen twice has the same findingId; another revision has another', async () => {
    const def = { containerDefinitions: [apiContainer({ privileged: true })] };
    const a = only(await findingsOf(def), 'td-privileged');
    const b = only(await findingsOf(def), 'td-privileged');
    const c = only(
      (await evaluateOne(registerTaskDefinitionEvent(def, { revision: 43 }))).findings,
      'td-privileged',
    );
    expect(a.findingId).toBe(b.findingId);
    expect(a.findingId).toMatch(/^[0-9a-f]{32}$/);
    expect(c.findingId).not.toBe(a.findingId);
  });
});

describe('td-privileged', () => {
  it('fires for privileged: true, one evidence per offending container', () => {
    const ev = check(
      'td-privileged',
      taskDefinition({
        containers: [
          container({ name: 'a', privileged: true }),
          container({ name: 'b', privileged: false }),
          container({ name: 'c', privileged: true }),
        ],
      }),
    );
    expect(ev).toEqual([
      { path: 'containerDefinitions[0].privileged', message: 'container "a" is privileged', container: 'a' },
      { path: 'containerDefinitions[2].privileged', message: 'container "c" is privileged', container: 'c' },
    ]);
  });

  it('does not fire for privileged false or absent', () => {
    expect(
      check('td-privileged', taskDefinition({ containers: [container({ privileged: false })] })),
    ).toEqual([]);
    expect(check('td-privileged', taskDefinition())).toEqual([]);
  });

  it('end to end: ONE critical finding listing both privileged containers, with its controls', async () => {
    const findings = await findingsOf({
      containerDefinitions: [
        apiContainer({ name: 'a', privileged: true }),
        apiContainer({ name: 'b', privileged: true }),
      ],
    });
    const f = only(findings, 'td-privileged');
    expect(f.severity).toBe('critical');
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b']);
    expect(f.controls.securityHub).toBe('ECS.4');
    expect(f.controls.checkov).toBe('CKV_AWS_334');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:42');
  });

  it('end to end: the huge near-limit registration flags only worker-07', async () => {
    const { findings } = await evaluateOne(
      fixture('cloudtrail-register-task-definition-huge-near-limits.json'),
    );
    expect(only(findings, 'td-privileged').evidence.map((e) => e.container)).toEqual(['worker-07']);
  });
});

describe('td-host-network / td-host-pid / td-host-ipc', () => {
  const cases = [
    { id: 'td-host-network', field: 'networkMode', others: ['awsvpc', 'bridge', 'none'], severity: 'high' },
    { id: 'td-host-pid', field: 'pidMode', others: ['task'], severity: 'high' },
    { id: 'td-host-ipc', field: 'ipcMode', others: ['task', 'none'], severity: 'medium' },
  ] as const;

  for (const { id, field, others, severity } of cases) {
    it(`${id}: fires when ${field} is host`, () => {
      expect(check(id, taskDefinition({ [field]: 'host' }))).toEqual([
        { path: field, message: `${field} is "host"` },
      ]);
    });

    it(`${id}: does not fire for ${others.join(', ')} or an absent ${field}`, () => {
      for (const value of others) expect(check(id, taskDefinition({ [field]: value })), value).toEqual([]);
      const td = taskDefinition();
      const { [field]: _drop, ...without } = td;
      expect(check(id, { ...without, kind: 'TaskDefinition' })).toEqual([]);
    });

    it(`${id}: end to end (${severity})`, async () => {
      const findings = await findingsOf({ [field]: 'host' });
      expect(only(findings, id).severity).toBe(severity);
      expect(withRule(await findingsOf({ [field]: others[0] }), id)).toEqual([]);
    });
  }

  it('cross-references of the host-mode rules', async () => {
    const findings = await findingsOf({ networkMode: 'host', pidMode: 'host', ipcMode: 'host' });
    expect(only(findings, 'td-host-network').controls).toMatchObject({
      securityHub: 'ECS.17',
      config: 'ecs-task-definition-network-mode-not-host',
    });
    expect(only(findings, 'td-host-pid').controls).toMatchObject({
      securityHub: 'ECS.3',
      checkov: 'CKV_AWS_335',
    });
    expect(only(findings, 'td-host-ipc').controls.securityHub).toBeUndefined();
  });
});

describe('td-root-user', () => {
  const fires = (user: string | undefined): boolean =>
    check(
      'td-root-user',
      taskDefinition({ containers: [container(user === undefined ? { user: undefined } : { user })] }),
    ).length > 0;

  it('fires for no user, an empty user, root, 0, root:root, 0:0, root:<group>, 0:<gid>', () => {
    for (const user of [undefined, '', 'root', '0', 'root:root', '0:0', 'root:1000', '0:1000', ' root '])
      expect(fires(user), `user ${JSON.stringify(user)}`).toBe(true);
  });

  it('does not fire for non-root users', () => {
    for (const user of ['1000', '1000:1000', 'app', 'app:app', 'rootless', '10', '00', 'nobody', '65534:0'])
      expect(fires(user), `user ${JSON.stringify(user)}`).toBe(false);
  });

  it('says whether the user is missing or explicitly root', () => {
    const ev = check(
      'td-root-user',
      taskDefinition({
        containers: [container({ name: 'a', user: undefined }), container({ name: 'b', user: '0:0' })],
      }),
    );
    expect(ev).toEqual([
      {
        path: 'containerDefinitions[0].user',
        message: 'container "a" sets no user (runs as the image default, usually root)',
        container: 'a',
      },
      {
        path: 'containerDefinitions[1].user',
        message: 'container "b" runs as root (user "0:0")',
        container: 'b',
      },
    ]);
  });

  it('is not applicable to Windows task definitions', () => {
    for (const osFamily of [
      'WINDOWS_SERVER_2019_FULL',
      'WINDOWS_SERVER_2022_CORE',
      'windows_server_2016_full',
    ])
      expect(
        check('td-root-user', taskDefinition({ osFamily, containers: [container({ user: undefined })] })),
        osFamily,
      ).toEqual([]);
    // Linux (explicit or unknown platform) is evaluated.
    expect(fires(undefined)).toBe(true);
    expect(
      check(
        'td-root-user',
        taskDefinition({ osFamily: undefined, containers: [container({ user: 'root' })] }),
      ),
    ).toHaveLength(1);
  });

  it('end to end: one finding for three root containers; nothing for a Windows task definition', async () => {
    const containers = [
      apiContainer({ name: 'a', user: undefined }),
      apiContainer({ name: 'b', user: 'root' }),
      apiContainer({ name: 'c', user: '0' }),
      apiContainer({ name: 'd', user: '1000' }),
    ];
    const f = only(await findingsOf({ containerDefinitions: containers }), 'td-root-user');
    expect(f.severity).toBe('medium');
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b', 'c']);
    expect(f.controls.securityHub).toBe('ECS.20');

    const windows = await findingsOf({
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' },
      containerDefinitions: [apiContainer({ user: undefined, readonlyRootFilesystem: false })],
    });
    expect(withRule(windows, 'td-root-user')).toEqual([]);
    expect(withRule(windows, 'td-writable-root-fs')).toEqual([]);
  });
});

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

describe('td-dangerous-capabilities', () => {
  const adds = (capabilitiesAdd: string[], params?: unknown) =>
    check(
      'td-dangerous-capabilities',
      taskDefinition({ containers: [container({ capabilitiesAdd })] }),
      params,
    );

  it('fires for every capability of the default deny list', () => {
    const deny = [
      'ALL',
      'SYS_ADMIN',
      'NET_ADMIN',
      'SYS_MODULE',
      'SYS_RAWIO',
      'SYS_PTRACE',
      'DAC_READ_SEARCH',
      'BPF',
      'PERFMON',
      'SYS_BOOT',
      'MAC_ADMIN',
      'MAC_OVERRIDE',
    ];
    for (const cap of deny) expect(adds([cap]), cap).toHaveLength(1);
  });

  it('accepts the CAP_ prefix and any case, and names the normalized capabilities', () => {
    for (const cap of ['CAP_SYS_ADMIN', 'sys_admin', 'cap_sys_admin', 'Cap_Sys_Admin', 'SyS_AdMiN'])
      expect(adds([cap]), cap).toEqual([
        {
          path: 'containerDefinitions[0].linuxParameters.capabilities.add',
          message: 'container "app" adds SYS_ADMIN',
          container: 'app',
        },
      ]);
    expect(adds(['NET_BIND_SERVICE', 'cap_net_admin', 'CHOWN', 'ALL'])[0]?.message).toBe(
      'container "app" adds NET_ADMIN, ALL',
    );
  });

  it('does not fire for harmless capabilities or drops', () => {
    expect(adds([])).toEqual([]);
    expect(adds(['NET_BIND_SERVICE', 'CHOWN', 'CAP_SETUID', 'SYS_TIME'])).toEqual([]);
  });

  it('uses a custom deny list from the policy (and then only that list)', () => {
    const params = paramsWith('td-dangerous-capabilities', { denyList: ['net_raw'] });
    expect(adds(['CAP_NET_RAW'], params)).toHaveLength(1);
    expect(adds(['SYS_ADMIN'], params)).toEqual([]);
  });

  it('end to end: add is flagged, drop ALL is not', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'debug', linuxParameters: { capabilities: { add: ['CAP_SYS_PTRACE'] } } }),
          apiContainer({ name: 'app', linuxParameters: { capabilities: { drop: ['ALL'] } } }),
        ],
      }),
      'td-dangerous-capabilities',
    );
    expect(f.severity).toBe('high');
    expect(f.evidence).toEqual([
      {
        path: 'containerDefinitions[0].linuxParameters.capabilities.add',
        message: 'container "debug" adds SYS_PTRACE',
        container: 'debug',
      },
    ]);
  });
});

// ---------------------------------------------------------------- secrets

interface SecretCase {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  /** Distinctive parts of the value that must never appear in a finding. */
  readonly parts: readonly string[];
  readonly reason: string;
}

// Obviously fake values: AWS documentation example keys, jwt.io's sample token, Slack's doc webhook.
const AWS_EXAMPLE_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAFAKEfakeFAKEfakeFAKEfake0123456789\n-----END RSA PRIVATE KEY-----';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

const VALUE_FORMATS: readonly SecretCase[] = [
  {
    label: 'AWS access key id (AKIA)',
    name: 'UPSTREAM_CONFIG',
    value: AWS_EXAMPLE_KEY_ID,
    parts: ['IOSFODNN7EXAMPLE'],
    reason: 'value matches the AWS access key id format',
  },
  {
    label: 'AWS temporary access key id (ASIA)',
    name: 'UPSTREAM_CONFIG',
    value: 'ASIAIOSFODNN7EXAMPLE',
    parts: ['IOSFODNN7EXAMPLE'],
    reason: 'value matches the AWS access key id format',
  },
  {
    label: 'AWS key id inside a longer value',
    name: 'S3_URL',
    value: `s3://${AWS_EXAMPLE_KEY_ID}:x@bucket`,
    parts: ['IOSFODNN7EXAMPLE'],
    reason: 'value matches the AWS access key id format',
  },
  {
    label: 'PEM private key (RSA)',
    name: 'TLS_KEY_PEM',
    value: PEM,
    parts: ['MIIEowIBAAKCAQEAFAKEfakeFAKEfakeFAKEfake0123456789', 'BEGIN RSA'],
    reason: 'value matches the PEM private key format',
  },
  {
    label: 'PEM private key (PKCS#8)',
    name: 'TLS_KEY_PEM',
    value: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANFAKEfakeFAKE\n-----END PRIVATE KEY-----',
    parts: ['MIIEvQIBADANFAKEfakeFAKE'],
    reason: 'value matches the PEM private key format',
  },
  {
    label: 'PEM private key (OpenSSH)',
    name: 'DEPLOY_KEY_FILE',
    value: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktFAKEfake\n-----END OPENSSH PRIVATE KEY-----',
    parts: ['b3BlbnNzaC1rZXktFAKEfake'],
    reason: 'value matches the PEM private key format',
  },
  {
    label: 'Slack bot token (xoxb-)',
    name: 'SLACK_BOT',
    value: 'xoxb-000000000000-0000000000000-FAKEfakeFAKEfakeFAKEfake',
    parts: ['000000000000-0000000000000-FAKEfakeFAKEfakeFAKEfake'],
    reason: 'value matches the Slack token format',
  },
  {
    label: 'Slack user token (xoxp-)',
    name: 'SLACK_USER',
    value: 'xoxp-000000000000-000000000000-FAKEfakeFAKE',
    parts: ['000000000000-000000000000-FAKEfakeFAKE'],
    reason: 'value matches the Slack token format',
  },
  {
    label: 'Slack refresh token (xoxe-, any letter after xox)',
    name: 'SLACK_ROTATION',
    value: 'xoxe-1-FAKEfakeFAKEfakeFAKEfake',
    parts: ['FAKEfakeFAKEfakeFAKEfake'],
    reason: 'value matches the Slack token format',
  },
  {
    label: 'GitHub classic token (ghp_)',
    name: 'GH_CONFIG',
    value: 'ghp_FAKE0123456789abcdefFAKE0123456789ab',
    parts: ['FAKE0123456789abcdefFAKE0123456789ab'],
    reason: 'value matches the GitHub token format',
  },
  {
    label: 'GitHub fine-grained token (github_pat_)',
    name: 'GH_CONFIG',
    value: 'github_pat_11FAKE0000000000000000_fakeFAKEfakeFAKEfakeFAKE',
    parts: ['11FAKE0000000000000000_fakeFAKEfakeFAKEfakeFAKE'],
    reason: 'value matches the GitHub token format',
  },
  {
    label: 'Slack webhook URL',
    name: 'ALERT_HOOK',
    value: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    parts: ['T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'hooks.slack.com'],
    reason: 'value matches the Slack webhook URL format',
  },
  {
    label: 'JWT',
    name: 'BEARER',
    value: JWT,
    parts: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
    reason: 'value matches the JWT format',
  },
];

/** A long, non-benign value that matches no format: only the name can make it a secret. */
const PLAIN = 'correct-horse-battery-staple';
const NAME_PATTERNS: readonly [name: string, pattern: string][] = [
  ['DB_PASSWORD', 'PASSWORD'],
  ['MYSQL_ROOT_PASSWD', 'PASSWD'],
  ['OAUTH_CLIENT_SECRET', 'SECRET'],
  ['NPM_TOKEN', 'TOKEN'],
  ['STRIPE_API_KEY', 'API_KEY'],
  ['SENDGRID_APIKEY', 'APIKEY'],
  ['MINIO_ACCESS_KEY', 'ACCESS_KEY'],
  ['JWT_PRIVATE_KEY', 'PRIVATE_KEY'],
  ['GOOGLE_APPLICATION_CREDENTIALS_JSON', 'CREDENTIAL'],
  ['db_password', 'PASSWORD'],
  ['x-api-key', 'API_KEY'],
  ['service.apikey', 'APIKEY'],
  ['AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_ACCESS_KEY'],
  ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY_ID'],
  ['AWS_SESSION_TOKEN', 'AWS_SESSION_TOKEN'],
  ['ECS_ENGINE_AUTH_DATA', 'ECS_ENGINE_AUTH_DATA'],
];

/** Assert that neither the value nor any 8-character run of its distinctive parts is in the JSON. */
function expectNoLeak(json: string, value: string, parts: readonly string[]): void {
  expect(json.includes(value), 'the whole value leaked').toBe(false);
  for (const part of [value, ...parts]) {
    if (part.length <= 8) {
      expect(json.includes(part), `"${part}" leaked`).toBe(false);
      continue;
    }
    for (let i = 0; i + 8 <= part.length; i++) {
      const run = part.slice(i, i + 8);
      if (/^[-\s]+$|BEGIN |PRIVATE|https:\/\/|END /.test(run)) continue; // generic text, not the secret
      expect(json.includes(run), `a part of the value leaked: "${run}"`).toBe(false);
    }
  }
}

const env = (name: string, value: string | undefined) =>
  taskDefinition({
    containers: [container({ environment: value === undefined ? [{ name }] : [{ name, value }] })],
  });

describe('td-secrets-in-environment', () => {
  it('the leak check itself catches a whole value and a fragment of one', () => {
    expect(() => expectNoLeak(`{"m":"${AWS_EXAMPLE_SECRET}"}`, AWS_EXAMPLE_SECRET, [])).toThrow();
    expect(() => expectNoLeak('{"m":"...K7MDENG/bPx..."}', AWS_EXAMPLE_SECRET, [])).toThrow();
    expect(() => expectNoLeak('{"m":"nothing here"}', AWS_EXAMPLE_SECRET, [])).not.toThrow();
  });

  describe('value formats (whatever the name)', () => {
    for (const c of VALUE_FORMATS) {
      it(`${c.label}: flagged by value, never showing it`, () => {
        const ev = check('td-secrets-in-environment', env(c.name, c.value));
        expect(ev).toEqual([
          {
            path: 'containerDefinitions[0].environment[0]',
            message: `environment variable "${c.name}" in container "app" looks like a credential: ${c.reason}`,
            container: 'app',
          },
        ]);
        expectNoLeak(JSON.stringify(ev), c.value, c.parts);
      });
    }

    it('a value format wins even when the value would otherwise be short or look like a reference', () => {
      const ev = check('td-secrets-in-environment', env('NOTE', `arn:${AWS_EXAMPLE_KEY_ID}`));
      expect(ev[0]?.message).toContain('AWS access key id format');
    });
  });

  describe('name patterns (with a long plain value)', () => {
    for (const [name, pattern] of NAME_PATTERNS) {
      it(`${name} -> ${pattern}`, () => {
        const ev = check('td-secrets-in-environment', env(name, PLAIN));
        expect(ev).toHaveLength(1);
        expect(ev[0]?.message).toBe(
          `environment variable "${name}" in container "app" looks like a credential: name matches the credential pattern ${pattern}`,
        );
        expectNoLeak(JSON.stringify(ev), PLAIN, []);
      });
    }

    it('ECS_ENGINE_AUTH_DATA is flagged although it contains no generic fragment', () => {
      const ev = check(
        'td-secrets-in-environment',
        env('ECS_ENGINE_AUTH_DATA', '{"https://index.docker.io/v1/":{"auth":"ZmFrZTpmYWtl"}}'),
      );
      expect(ev).toHaveLength(1);
      expect(JSON.stringify(ev)).not.toContain('ZmFrZTpmYWtl');
    });

    it('names without a pattern and no secret-looking value are not flagged', () => {
      for (const name of ['LOG_LEVEL', 'PORT', 'DATABASE_HOST', 'KEYBOARD_LAYOUT', 'PASS', 'TOKYO_REGION'])
        expect(check('td-secrets-in-environment', env(name, PLAIN)), name).toEqual([]);
    });
  });

  describe('not a secret', () => {
    it('booleans and flags under a credential-like name', () => {
      for (const value of ['yes', 'no', 'true', 'false', '0', '1', 'TRUE', 'False', 'YES', ' no '])
        expect(check('td-secrets-in-environment', env('REQUIRE_PASSWORD', value)), value).toEqual([]);
    });

    it('references: ARNs, ssm: and secretsmanager: paths', () => {
      for (const value of [
        'arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/checkout/db-AbCdEf',
        'arn:aws:ssm:us-west-2:111122223333:parameter/prod/db/password',
        'ssm:/prod/checkout/db-password',
        'secretsmanager:prod/checkout/db-AbCdEf',
      ])
        expect(check('td-secrets-in-environment', env('DB_PASSWORD_REF', value)), value).toEqual([]);
    });

    it('values under 8 characters that match no format; 8 characters are flagged', () => {
      expect(check('td-secrets-in-environment', env('DB_PASSWORD', 'hunter2'))).toEqual([]);
      expect(check('td-secrets-in-environment', env('DB_PASSWORD', 'hunter22'))).toHaveLength(1);
    });

    it('empty and absent values', () => {
      expect(check('td-secrets-in-environment', env('DB_PASSWORD', ''))).toEqual([]);
      expect(check('td-secrets-in-environment', env('DB_PASSWORD', undefined))).toEqual([]);
    });
  });

  describe('log configuration options', () => {
    const withOptions = (options: Record<string, string>) =>
      taskDefinition({ containers: [container({ logDriver: 'splunk', logOptions: options })] });

    it('flags a credential-like option key and names the key, not the value', () => {
      const token = 'FAKE0000-1111-2222-3333-444444444444';
      const ev = check(
        'td-secrets-in-environment',
        withOptions({ 'splunk-url': 'https://splunk.example.com:8088', 'splunk-token': token }),
      );
      expect(ev).toEqual([
        {
          path: 'containerDefinitions[0].logConfiguration.options.splunk-token',
          message:
            'log option "splunk-token" in container "app" looks like a credential: name matches the credential pattern TOKEN',
          container: 'app',
        },
      ]);
      expectNoLeak(JSON.stringify(ev), token, []);
    });

    it('flags an option value in a credential format under any key', () => {
      const ev = check('td-secrets-in-environment', withOptions({ tag: AWS_EXAMPLE_KEY_ID }));
      expect(ev[0]?.message).toContain('AWS access key id format');
      expectNoLeak(JSON.stringify(ev), AWS_EXAMPLE_KEY_ID, ['IOSFODNN7EXAMPLE']);
    });

    it('does not flag ordinary options, nor credential-like keys with benign values', () => {
      expect(
        check(
          'td-secrets-in-environment',
          withOptions({
            'awslogs-group': '/ecs/checkout-api',
            'awslogs-stream-prefix': 'app',
            mode: 'non-blocking',
          }),
        ),
      ).toEqual([]);
      for (const value of [
        'true',
        'disabled',
        'arn:aws:secretsmanager:us-west-2:111122223333:secret:splunk-AbCdEf',
      ])
        expect(check('td-secrets-in-environment', withOptions({ 'splunk-token': value })), value).toEqual([]);
    });
  });

  it('allowNames and extraNames parameters', () => {
    const allow = paramsWith('td-secrets-in-environment', { allowNames: ['TOKEN_ENDPOINT'] });
    expect(
      check('td-secrets-in-environment', env('TOKEN_ENDPOINT', 'https://auth.example.com/oauth'), allow),
    ).toEqual([]);
    // An allowed name is still checked for value formats.
    expect(check('td-secrets-in-environment', env('TOKEN_ENDPOINT', AWS_EXAMPLE_KEY_ID), allow)).toHaveLength(
      1,
    );
    const extra = paramsWith('td-secrets-in-environment', { extraNames: ['passphrase'] });
    expect(check('td-secrets-in-environment', env('GPG_PASSPHRASE', PLAIN), extra)).toHaveLength(1);
    expect(check('td-secrets-in-environment', env('GPG_PASSPHRASE', PLAIN))).toEqual([]);
  });

  it('lists every offending variable of every container in one finding', () => {
    const ev = check(
      'td-secrets-in-environment',
      taskDefinition({
        containers: [
          container({
            name: 'a',
            environment: [
              { name: 'PORT', value: '8080' },
              { name: 'AWS_ACCESS_KEY_ID', value: AWS_EXAMPLE_KEY_ID },
            ],
          }),
          container({
            name: 'b',
            environment: [{ name: 'AWS_SECRET_ACCESS_KEY', value: AWS_EXAMPLE_SECRET }],
          }),
        ],
      }),
    );
    expect(ev.map((e) => e.path)).toEqual([
      'containerDefinitions[0].environment[1]',
      'containerDefinitions[1].environment[0]',
    ]);
  });

  it('end to end: one critical finding; no secret value anywhere in any finding JSON', async () => {
    const all = [...VALUE_FORMATS.map((c) => ({ name: c.name, value: c.value }))];
    const environment = [
      ...all,
      { name: 'AWS_ACCESS_KEY_ID', value: AWS_EXAMPLE_KEY_ID },
      { name: 'AWS_SECRET_ACCESS_KEY', value: AWS_EXAMPLE_SECRET },
      { name: 'DB_PASSWORD', value: PLAIN },
      { name: 'FEATURE_FLAG', value: 'true' },
    ];
    const findings = await findingsOf({
      containerDefinitions: [
        apiContainer({
          environment,
          logConfiguration: {
            logDriver: 'splunk',
            options: {
              'splunk-url': 'https://splunk.example.com:8088',
              'splunk-token': 'FAKE0000-1111-2222-3333',
            },
          },
        }),
      ],
    });
    const f = only(findings, 'td-secrets-in-environment');
    expect(f.severity).toBe('critical');
    expect(f.controls).toMatchObject({
      securityHub: 'ECS.8',
      prowler: 'ecs_task_definitions_no_environment_secrets',
    });
    // Every variable but FEATURE_FLAG, plus the log option.
    expect(f.evidence).toHaveLength(environment.length - 1 + 1);
    expect(f.evidence.map((e) => e.message).join('\n')).toContain('"AWS_SECRET_ACCESS_KEY"');
    const json = JSON.stringify(findings);
    for (const c of VALUE_FORMATS) expectNoLeak(json, c.value, c.parts);
    expectNoLeak(json, AWS_EXAMPLE_SECRET, ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY']);
    expectNoLeak(json, PLAIN, []);
    expectNoLeak(json, 'FAKE0000-1111-2222-3333', []);
  });

  it('end to end: secrets in `secrets` (valueFrom) are the fix, not a finding', async () => {
    const findings = await findingsOf({
      containerDefinitions: [
        apiContainer({
          secrets: [
            { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-west-2:111122223333:secret:db' },
          ],
        }),
      ],
    });
    expect(findings).toEqual([]);
  });
});

// ---------------------------------------------------------------- logging, images, volumes

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

describe('td-mutable-image', () => {
  const msg = (image: string | undefined) =>
    check('td-mutable-image', taskDefinition({ containers: [container({ image })] }))[0]?.message;

  it('fires for latest and for no tag at all', () => {
    expect(msg('nginx:latest')).toBe('container "app" image uses the "latest" tag');
    expect(msg('nginx')).toBe('container "app" image has neither a tag nor a digest');
    expect(msg('library/nginx')).toContain('neither a tag nor a digest');
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com/app:latest')).toContain('"latest"');
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com/team/app')).toContain('neither');
  });

  it('a registry port is not a tag', () => {
    expect(msg('localhost:5000/img')).toContain('neither a tag nor a digest');
    expect(msg('registry.example.com:5000/team/img')).toContain('neither a tag nor a digest');
    expect(msg('localhost:5000/img:latest')).toContain('"latest"');
    expect(msg('localhost:5000/img:2.1.0')).toBeUndefined();
  });

  it('does not fire for a version tag, a digest, or tag + digest', () => {
    const digest = 'sha256:3f1c2b7a9e0d4c6b8a7f5e3d1c9b0a8f7e6d5c4b3a29180716253443526170ff';
    for (const image of [
      'nginx:1.27.3',
      `nginx@${digest}`,
      `nginx:1.27.3@${digest}`,
      `nginx:latest@${digest}`,
      `localhost:5000/img@${digest}`,
      'public.ecr.aws/docker/library/nginx:1.27-alpine',
    ])
      expect(msg(image), image).toBeUndefined();
  });

  it('ignores a container without an image', () => {
    expect(msg(undefined)).toBeUndefined();
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'a', image: 'public.ecr.aws/nginx/nginx:latest' }),
          apiContainer({ name: 'b', image: 'public.ecr.aws/nginx/nginx' }),
          apiContainer({ name: 'c', image: 'public.ecr.aws/nginx/nginx:1.27' }),
        ],
      }),
      'td-mutable-image',
    );
    expect(f.severity).toBe('medium');
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b']);
  });
});

describe('td-untrusted-registry', () => {
  const msg = (image: string, params?: unknown) =>
    check('td-untrusted-registry', taskDefinition({ containers: [container({ image })] }), params)[0]
      ?.message;

  it('Docker Hub short names and explicit docker.io are untrusted by default', () => {
    for (const image of [
      'nginx',
      'nginx:1.27',
      'library/nginx:1.27',
      'bitnami/redis:7.2',
      'docker.io/library/nginx:1.27',
    ])
      expect(msg(image), image).toBe('container "app" pulls from Docker Hub (docker.io)');
  });

  it('other public or private registries are untrusted by default', () => {
    expect(msg('quay.io/prometheus/node-exporter:v1.8.2')).toBe('container "app" pulls from quay.io');
    expect(msg('ghcr.io/org/app:1.0')).toBe('container "app" pulls from ghcr.io');
    expect(msg('localhost:5000/img:1.0')).toBe('container "app" pulls from localhost:5000');
    expect(msg('public.ecr.aws.evil.example/img:1.0')).toContain('public.ecr.aws.evil.example');
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com.evil.example/img:1.0')).toContain(
      'evil.example',
    );
  });

  it('private ECR (any account and region, China too) and public.ecr.aws are trusted', () => {
    for (const image of [
      '111122223333.dkr.ecr.us-west-2.amazonaws.com/checkout-api:1.0',
      '123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app@sha256:3f1c2b7a9e0d4c6b8a7f5e3d1c9b0a8f7e6d5c4b3a29180716253443526170ff',
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0',
      'public.ecr.aws/docker/library/nginx:1.27',
    ])
      expect(msg(image), image).toBeUndefined();
  });

  it('a custom allow-list from the policy replaces the default', () => {
    const params = paramsWith('td-untrusted-registry', {
      allowRegistries: ['quay.io', '*.example.com', 'docker.io'],
    });
    expect(msg('quay.io/prometheus/node-exporter:v1.8.2', params)).toBeUndefined();
    expect(msg('registry.example.com/team/app:1.0', params)).toBeUndefined();
    expect(msg('nginx:1.27', params)).toBeUndefined();
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com/app:1.0', params)).toContain('dkr.ecr');
    expect(msg('example.com.evil.example/app:1.0', params)).toContain('evil.example');
  });

  it('ignores a container without an image', () => {
    expect(
      check('td-untrusted-registry', taskDefinition({ containers: [container({ image: undefined })] })),
    ).toEqual([]);
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'hub', image: 'nginx:1.27' }),
          apiContainer({ name: 'ecr' }),
        ],
      }),
      'td-untrusted-registry',
    );
    expect(f.evidence).toEqual([
      {
        path: 'containerDefinitions[0].image',
        message: 'container "hub" pulls from Docker Hub (docker.io)',
        container: 'hub',
      },
    ]);
  });
});

describe('td-efs-no-transit-encryption', () => {
  it('fires when transit encryption is DISABLED or unset (normalized to DISABLED)', () => {
    const ev = check(
      'td-efs-no-transit-encryption',
      taskDefinition({
        volumes: [
          { name: 'a', efsTransitEncryption: 'DISABLED' },
          { name: 'b', efsTransitEncryption: 'ENABLED' },
        ],
      }),
    );
    expect(ev).toEqual([
      {
        path: 'volumes[0].efsVolumeConfiguration.transitEncryption',
        message: 'EFS volume "a" has transit encryption DISABLED',
      },
    ]);
  });

  it('does not fire for ENABLED, host volumes or no volumes', () => {
    expect(
      check(
        'td-efs-no-transit-encryption',
        taskDefinition({ volumes: [{ name: 'a', efsTransitEncryption: 'ENABLED' }] }),
      ),
    ).toEqual([]);
    expect(
      check(
        'td-efs-no-transit-encryption',
        taskDefinition({ volumes: [{ name: 'h', hostSourcePath: '/data' }] }),
      ),
    ).toEqual([]);
    expect(check('td-efs-no-transit-encryption', taskDefinition())).toEqual([]);
  });

  it('end to end: unset and DISABLED are flagged, ENABLED is not', async () => {
    const f = only(
      await findingsOf({
        volumes: [
          { name: 'unset', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0' } },
          {
            name: 'disabled',
            efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'DISABLED' },
          },
          {
            name: 'enabled',
            efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' },
          },
          { name: 'scratch' },
        ],
      }),
      'td-efs-no-transit-encryption',
    );
    expect(f.evidence.map((e) => e.path)).toEqual([
      'volumes[0].efsVolumeConfiguration.transitEncryption',
      'volumes[1].efsVolumeConfiguration.transitEncryption',
    ]);
    expect(f.controls).toMatchObject({ securityHub: 'ECS.18', checkov: 'CKV_AWS_97' });
  });
});

describe('td-sensitive-host-mount', () => {
  const mounted = (hostSourcePath: string, params?: unknown) =>
    check('td-sensitive-host-mount', taskDefinition({ volumes: [{ name: 'v', hostSourcePath }] }), params)[0]
      ?.message;

  it('fires for /, every sensitive path, and paths under them', () => {
    for (const p of [
      '/',
      '/etc',
      '/etc/passwd',
      '/proc',
      '/proc/1/root',
      '/sys/fs/cgroup',
      '/dev',
      '/boot',
      '/root/.ssh',
      '/var/run/docker.sock',
      '/run/docker.sock',
      '/run/containerd/containerd.sock',
      '/var/lib/docker',
      '/var/lib/docker/volumes',
    ])
      expect(mounted(p), p).toBeDefined();
  });

  it('normalizes trailing and repeated slashes, and names the normalized path', () => {
    expect(mounted('/etc/')).toBe('volume "v" mounts host path /etc');
    expect(mounted('//var//run/docker.sock')).toBe('volume "v" mounts host path /var/run/docker.sock');
    expect(mounted('/var/run/docker.sock/')).toBe('volume "v" mounts host path /var/run/docker.sock');
    expect(mounted('///')).toBe('volume "v" mounts host path /');
  });

  it('resolves . and .. segments (no escape through /tmp/../etc)', () => {
    expect(mounted('/var/log/../../etc/shadow')).toBe('volume "v" mounts host path /etc/shadow');
    expect(mounted('/./proc')).toBe('volume "v" mounts host path /proc');
    expect(mounted('/data/./app/../cache')).toBeUndefined();
  });

  it('does not fire for siblings with a common prefix or ordinary paths', () => {
    for (const p of [
      '/etcetera',
      '/etc2',
      '/proceed',
      '/device',
      '/rooted',
      '/var/run/docker.sock.d',
      '/data',
      '/var/log/app',
      '/var/lib/dockerd',
    ])
      expect(mounted(p), p).toBeUndefined();
  });

  it('ignores volumes without a host source path', () => {
    expect(
      check(
        'td-sensitive-host-mount',
        taskDefinition({
          volumes: [{ name: 'docker-managed' }, { name: 'efs', efsTransitEncryption: 'ENABLED' }],
        }),
      ),
    ).toEqual([]);
  });

  it('uses custom sensitive paths from the policy (root stays sensitive)', () => {
    const params = paramsWith('td-sensitive-host-mount', { sensitivePaths: ['/data/'] });
    expect(mounted('/data/secrets', params)).toBeDefined();
    expect(mounted('/', params)).toBeDefined();
    expect(mounted('/etc', params)).toBeUndefined();
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({
        networkMode: 'bridge',
        requiresCompatibilities: ['EC2'],
        volumes: [
          { name: 'docker-sock', host: { sourcePath: '//var//run/docker.sock' } },
          { name: 'logs', host: { sourcePath: '/var/log/app' } },
          { name: 'scratch', host: {} },
        ],
      }),
      'td-sensitive-host-mount',
    );
    expect(f.severity).toBe('high');
    expect(f.evidence).toEqual([
      {
        path: 'volumes[0].host.sourcePath',
        message: 'volume "docker-sock" mounts host path /var/run/docker.sock',
      },
    ]);
  });
});

describe('task definition sources', () => {
  it('the request is evaluated when the response is missing; the ARN is then built from the family', async () => {
    const event = registerTaskDefinitionEvent({ containerDefinitions: [apiContainer({ privileged: true })] });
    detailOf(event).responseElements = null;
    const f = only((await evaluateOne(event)).findings, 'td-privileged');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api');
  });

  it('the response (with defaults filled in) wins over the request', async () => {
    const event = registerTaskDefinitionEvent({ containerDefinitions: [apiContainer()] });
    const resp = detailOf(event).responseElements as { taskDefinition: { containerDefinitions: unknown[] } };
    resp.taskDefinition.containerDefinitions = [apiContainer({ privileged: true })];
    expect(ruleIds((await evaluateOne(event)).findings)).toEqual(['td-privileged']);
  });

  it('a task definition registered through several events keeps one findingId per rule', async () => {
    const e = engine();
    const def = { containerDefinitions: [apiContainer({ user: undefined })] };
    const a = await e.runAll([registerTaskDefinitionEvent(def), registerTaskDefinitionEvent(def)]);
    const ids = new Set(withRule(a, 'td-root-user').map((f) => f.findingId));
    expect(ids.size).toBe(1);
  });
});
