/** td-secrets-in-environment: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  paramsWith,
  registerTaskDefinitionEvent,
  taskDefinition,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

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

describe('td-secrets-in-environment: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-secrets-in-environment', taskDefinition())).toEqual([]);
  });
});
