/**
 * A secret in an event never reaches any output: not the finding JSON, not an InvalidEventError message,
 * not the CLI's stdout or stderr (table and json), not even partly. One generator per pattern of
 * td-secrets-in-environment: the credential-like names and the known value formats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/events/errors';
import { evaluateRaw } from '../../../shared/engine/run';
import type { Finding } from '../../../shared/model/finding';
import { toAsff } from '../../../shared/notify/channels/securityhub/asff';
import { encodeNotification } from '../../../shared/notify/outbox';
import { slackMessage } from '../../../shared/notify/channels/slack/message';
import { snsMessage } from '../../../shared/notify/channels/sns/message';
import { renderHtmlReport } from '../../../cli/report-html';
import { deps, fixture, okContainer, registerTd, type Json } from '../engine/builders';
import { run } from '../cli/memory-io';
import { setAt } from './mutate';

const RUNS = Number(process.env.GUARDRAIL_FUZZ_RUNS ?? 200);
const FC = { timeout: 5_000, interruptAfterTimeLimit: 15_000 } as const;

interface Secret {
  readonly pattern: string;
  /** The environment variable name to put it under. */
  readonly name: string;
  readonly value: string;
  /** The random parts of the value: none of their 8-character pieces may appear in any output. */
  readonly parts: readonly string[];
}

/**
 * Random text over an alphabet. (Not fc.string: its bias injects words such as "propertyIsEnumerable"
 * that legitimately occur in output text and would read as a leak.)
 */
const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = `${UPPER_DIGITS}abcdefghijklmnopqrstuvwxyz`;
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;
/** Free-form password material: long, varied, never a flag, a reference or a value format. */
const password = chars(`${ALNUM}!#%&*+,-./:;<=>?@^_~ `, 12, 40).filter(
  (s) => !/^(arn:|ssm:|secretsmanager:)/i.test(s.trim()) && s.trim().length >= 12,
);
/** A name with nothing credential-like in it, for the value-format secrets. */
const neutralName = fc.constantFrom('CONFIG_BLOB', 'SETTINGS', 'INIT_DATA', 'BOOTSTRAP', 'payload');

const NAME_FRAGMENTS = [
  'PASSWORD',
  'PASSWD',
  'SECRET',
  'TOKEN',
  'API_KEY',
  'APIKEY',
  'ACCESS_KEY',
  'PRIVATE_KEY',
  'CREDENTIAL',
];
const EXACT_NAMES = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SESSION_TOKEN',
  'ECS_ENGINE_AUTH_DATA',
];

const byName: fc.Arbitrary<Secret> = fc
  .tuple(
    fc.constantFrom(...NAME_FRAGMENTS, ...EXACT_NAMES),
    fc.constantFrom('', 'DB_', 'app-', 'my.'),
    fc.constantFrom('', '_1', '_FILE_CONTENT', '-prod'),
    fc.boolean(),
    password,
  )
  .map(([fragment, prefix, suffix, lower, value]) => {
    const exact = EXACT_NAMES.includes(fragment);
    const name = exact ? fragment : `${prefix}${fragment}${suffix}`;
    return { pattern: `name ${fragment}`, name: lower ? name.toLowerCase() : name, value, parts: [value] };
  });

const formats: Record<string, fc.Arbitrary<Omit<Secret, 'name'>>> = {
  'AWS access key id': fc
    .tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER_DIGITS, 16, 16))
    .map(([p, r]) => ({ pattern: 'AWS access key id', value: `${p}${r}`, parts: [r] })),
  'PEM private key': fc
    .tuple(
      fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED '),
      chars(B64, 64, 64),
      chars(B64, 20, 60),
    )
    .map(([kind, l1, l2]) => ({
      pattern: 'PEM private key',
      value: `-----BEGIN ${kind}PRIVATE KEY-----\n${l1}\n${l2}\n-----END ${kind}PRIVATE KEY-----`,
      parts: [l1, l2],
    })),
  'Slack token': fc
    .tuple(fc.constantFrom('a', 'b', 'p', 'o', 's', 'r'), chars('0123456789', 10, 13), chars(ALNUM, 24, 32))
    .map(([k, team, r]) => ({
      pattern: 'Slack token',
      value: `xox${k}-${team}-${r}`,
      parts: [team.length >= 8 ? team : '', r].filter(Boolean),
    })),
  'GitHub token': fc.oneof(
    chars(ALNUM, 36, 36).map((r) => ({ pattern: 'GitHub token', value: `ghp_${r}`, parts: [r] })),
    chars(`${ALNUM}_`, 82, 82).map((r) => ({
      pattern: 'GitHub token',
      value: `github_pat_${r}`,
      parts: [r],
    })),
  ),
  'Slack webhook URL': fc
    .tuple(
      fc.constantFrom('services', 'workflows'),
      chars(UPPER_DIGITS, 9, 11),
      chars(UPPER_DIGITS, 9, 11),
      chars(ALNUM, 24, 24),
    )
    .map(([kind, t, b, r]) => ({
      pattern: 'Slack webhook URL',
      value: `https://hooks.slack.com/${kind}/T${t}/B${b}/${r}`,
      parts: [t, b, r],
    })),
  JWT: fc.tuple(chars(B64URL, 10, 30), chars(B64URL, 20, 80), chars(B64URL, 43, 43)).map(([h, p, s]) => ({
    pattern: 'JWT',
    value: `eyJ${h}.eyJ${p}.${s}`,
    parts: [h, p, s].filter((x) => x.length >= 8),
  })),
};

const byFormat: fc.Arbitrary<Secret> = fc
  .tuple(fc.oneof(...Object.values(formats)), neutralName)
  .map(([s, name]) => ({ ...s, name }));

const anySecret = fc.oneof(byName, byFormat);

/** Every 8-character piece of every random part of the secret. */
function pieces(secret: Secret): string[] {
  const out = new Set<string>([secret.value]);
  for (const p of secret.parts) for (let i = 0; i + 8 <= p.length; i++) out.add(p.slice(i, i + 8));
  return [...out];
}

function expectNoLeak(output: string, secret: Secret, where: string): void {
  for (const piece of pieces(secret))
    if (output.includes(piece))
      throw new Error(`${where} contains a piece of the ${secret.pattern} secret: ${JSON.stringify(piece)}`);
}

/** A RegisterTaskDefinition with the secret as an environment value and as a log option value. */
function eventWith(secret: Secret): Record<string, Json> {
  return registerTd({
    family: 'leaky',
    containers: [
      okContainer('app', {
        environment: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: secret.name, value: secret.value },
        ],
        logConfiguration: {
          logDriver: 'splunk',
          options: { 'splunk-token': secret.value, 'splunk-url': 'https://splunk.example.com' },
        },
      }),
    ],
  });
}

describe('secrets never reach an output', () => {
  it('the generators produce what the rule calls a secret (so the next properties test real findings)', async () => {
    for (const [pattern, arb] of Object.entries(formats)) {
      const s = fc.sample(arb, 1)[0]!;
      const r = await evaluateRaw(eventWith({ ...s, name: 'CONFIG_BLOB' }), deps());
      const f = r.findings.find((x) => x.ruleId === 'td-secrets-in-environment');
      expect(f?.evidence.map((e) => e.message)).toContain(
        `environment variable "CONFIG_BLOB" in container "app" looks like a credential: value matches the ${pattern} format`,
      );
    }
  });

  it('finding JSON: the variable is named with the reason, the value never appears', async () => {
    await fc.assert(
      fc.asyncProperty(anySecret, async (secret) => {
        const r = await evaluateRaw(eventWith(secret), deps());
        const f = r.findings.find((x) => x.ruleId === 'td-secrets-in-environment');
        expect(f, secret.pattern).toBeDefined();
        const messages = f!.evidence.map((e) => e.message);
        expect(messages.some((m) => m.includes(`"${secret.name}"`))).toBe(true);
        expect(messages.some((m) => m.includes('"splunk-token"'))).toBe(true);
        expectNoLeak(JSON.stringify(r), secret, 'the finding JSON');
      }),
      { numRuns: RUNS, ...FC },
    );
  });

  it('InvalidEventError: a secret in a wrongly-typed field is not in the message', async () => {
    const ENV_VALUE = ['detail', 'requestParameters', 'containerDefinitions', 0, 'environment', 1, 'value'];
    const C0 = ['detail', 'requestParameters', 'containerDefinitions', 0];
    await fc.assert(
      fc.asyncProperty(
        anySecret,
        fc.constantFrom(
          { at: [...C0, 'privileged'], as: 'string' },
          { at: [...C0, 'readonlyRootFilesystem'], as: 'string' },
          { at: [...C0, 'user'], as: 'array' },
          { at: [...C0, 'environment'], as: 'string' },
          { at: ENV_VALUE, as: 'array' },
          { at: ENV_VALUE, as: 'object' },
          { at: ENV_VALUE, as: 'number-key' },
          { at: [...C0, 'logConfiguration', 'options'], as: 'string' },
          { at: [...C0, 'logConfiguration', 'options', 'splunk-token'], as: 'array' },
          // Issue 15: a secret used as a log-option KEY, its value of the wrong type.
          { at: [...C0, 'logConfiguration', 'options'], as: 'secret-key' },
          { at: ['detail', 'eventName'], as: 'array' },
          { at: ['detail', 'eventTime'], as: 'string' },
          { at: ['account'], as: 'string' },
          { at: ['time'], as: 'string' },
          { at: ['id'], as: 'object' },
          { at: ['detail'], as: 'string' },
        ),
        async (secret, { at, as }) => {
          const value: Json =
            as === 'string'
              ? secret.value
              : as === 'array'
                ? [secret.value]
                : as === 'object'
                  ? { value: secret.value }
                  : { [secret.value]: 1 };
          const raw = setAt(eventWith(secret), at, value);
          let err: unknown;
          try {
            await evaluateRaw(raw, deps());
          } catch (e) {
            err = e;
          }
          expect(err, `${at.join('.')} as ${as}`).toBeInstanceOf(InvalidEventError);
          const e = err as InvalidEventError;
          expectNoLeak(`${e.message}\n${e.path ?? ''}\n${e.problem}\n${e.stack ?? ''}`, secret, 'the error');
        },
      ),
      { numRuns: RUNS, ...FC },
    );
  });

  it('CLI stdout and stderr, table, json and sarif, valid and broken input', async () => {
    await fc.assert(
      fc.asyncProperty(
        anySecret,
        fc.constantFrom('table', 'json', 'sarif'),
        fc.constantFrom(
          'valid',
          'wrong-type',
          'cut-after',
          'cut-inside',
          'corrupt-after',
          'unquoted',
          'pretty-cut',
        ),
        async (secret, format, how) => {
          const event = eventWith(secret);
          let stdin: string;
          const line = JSON.stringify(event);
          const encoded = JSON.stringify(secret.value).slice(1, -1);
          const end = line.indexOf(encoded) + encoded.length;
          switch (how) {
            case 'valid':
              stdin = line;
              break;
            case 'wrong-type':
              stdin = JSON.stringify(
                setAt(
                  event,
                  ['detail', 'requestParameters', 'containerDefinitions', 0, 'privileged'],
                  secret.value,
                ),
              );
              break;
            case 'cut-after':
              stdin = `${JSON.stringify(registerTd({ containers: [okContainer('x')] }))}\n${line.slice(0, end)}`;
              break;
            case 'cut-inside':
              stdin = line.slice(0, end - 3);
              break;
            case 'corrupt-after':
              // A JSON syntax error right behind the secret: V8's message quotes the text around it.
              stdin = `${line.slice(0, end + 1)}x${line.slice(end + 1)}`;
              break;
            case 'unquoted':
              // `"value":AKIA..."`: V8 says `Unexpected token 'A', ..."value":AKIA..." is not valid JSON`.
              stdin = `${line.slice(0, end - encoded.length - 1)}${line.slice(end - encoded.length)}`;
              break;
            case 'pretty-cut': {
              const pretty = JSON.stringify(event, null, 2);
              const p = pretty.indexOf(encoded) + encoded.length;
              stdin = `${pretty.slice(0, p + 1)} nonsense ${pretty.slice(p + 1)}`;
              break;
            }
          }
          const r = await run(['evaluate', '--format', format, '--include-exempt', '-'], { stdin });
          expect([0, 2]).toContain(r.code);
          if (how === 'valid') expect(r.stdout + r.stderr).toContain('td-secrets-in-environment');
          else expect(r.code).toBe(2);
          expectNoLeak(r.stdout, secret, `stdout (${format}, ${how})`);
          expectNoLeak(r.stderr, secret, `stderr (${format}, ${how})`);
        },
      ),
      { numRuns: RUNS, ...FC },
    );
  });
});

// ------------------------------------------------------------------ issue 15: names, keys, tags, reasons

/** Undo HTML's and Slack's entity escaping, so an escaped leak is still found. */
const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * The secret where nobody expects it: in a variable NAME (`NAME=value`, `NAME:value`), in a log-option
 * KEY, in a tag key (`db-password=...`), as the value of a credential-named tag, as a tag value of a
 * known format, and in the ECS reason texts of a failed deployment and a placement failure.
 */
function eventsHiding(secret: Secret): Record<string, Json>[] {
  const isFormat = !secret.pattern.startsWith('name ');
  const tags: Record<string, string> = {
    [`db-password=${secret.value}`]: 'rotated-weekly',
    'db-password': secret.value,
    team: 'payments',
    ...(isFormat ? { note: `see ${secret.value} for access` } : {}),
  };
  const td = registerTd({
    family: 'hidden',
    tags,
    containers: [
      okContainer('app', {
        environment: [
          { name: `${secret.name}=${secret.value}`, value: 'placeholder-value-1' },
          { name: `${secret.name}:${secret.value}`, value: 'placeholder-value-2' },
        ],
        logConfiguration: {
          logDriver: 'splunk',
          options: { [`${secret.name}=${secret.value}`]: 'placeholder-value-3' },
        },
      }),
    ],
  });
  const text = isFormat ? `pulled config ${secret.value} from the image` : `${secret.name}=${secret.value}`;
  const deployment = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
  (deployment.detail as Record<string, Json>).reason = `task failed to start: ${text}`;
  const placement = fixture('ecs-service-action-task-placement-failure-ec2-cpu.json');
  (placement.detail as Record<string, Json>).reason = `RESOURCE:CPU ${text}`;
  return [td, deployment, placement];
}

/** Every rendering of a finding a person or system receives. */
function renderings(f: Finding): Record<string, string> {
  const now = '2026-03-02T09:00:00.000Z';
  return {
    'finding JSON': JSON.stringify(f),
    'Slack message': unescape(JSON.stringify(slackMessage(f, 'opened'))),
    'SNS message': JSON.stringify(snsMessage(f, 'reminder', { firstSeen: now, count: 2 })),
    ASFF: JSON.stringify(toAsff(f, { now, firstSeen: now })),
    'HTML report': unescape(renderHtmlReport({ findings: [f], generatedAt: now })),
    'outbox message': encodeNotification(f, { kind: 'opened', dedupeKey: 'k' }).MessageBody,
  };
}

describe('secrets in names, keys, tags and reason texts never reach an output (issue 15)', () => {
  it('the findings are still raised, naming what is redacted', async () => {
    const secret: Secret = {
      pattern: 'name PASSWORD',
      name: 'DB_PASSWORD',
      value: 'hunter2-hunter2',
      parts: [],
    };
    const [td, deployment, placement] = eventsHiding(secret);
    const f = (await evaluateRaw(td!, deps())).findings.find(
      (x) => x.ruleId === 'td-secrets-in-environment',
    )!;
    expect(f.evidence.map((e) => e.message)).toEqual([
      'environment variable "DB_PASSWORD=[redacted]" in container "app" looks like a credential: name matches the credential pattern PASSWORD',
      'environment variable "DB_PASSWORD:[redacted]" in container "app" looks like a credential: name matches the credential pattern PASSWORD',
      'log option "DB_PASSWORD=[redacted]" in container "app" looks like a credential: name matches the credential pattern PASSWORD',
    ]);
    expect(f.evidence[2]!.path).toBe('containerDefinitions[0].logConfiguration.options[0]');
    expect(f.tags).toEqual({
      'db-password=[redacted]': '[redacted]', // the key names a secret: its value is redacted too
      'db-password': '[redacted]',
      team: 'payments',
    });
    const d = (await evaluateRaw(deployment!, deps())).findings[0]!;
    expect(d.evidence[0]!.message).toBe(
      'deployment ecs-svc/123 failed: task failed to start: DB_PASSWORD=[redacted]',
    );
    const p = (await evaluateRaw(placement!, deps())).findings[0]!;
    expect(p.evidence[0]!.message).toBe('task placement failed: RESOURCE:CPU DB_PASSWORD=[redacted]');

    const aws = {
      pattern: 'AWS access key id',
      name: 'CONFIG_BLOB',
      value: 'AKIAABCDEFGHIJKLMNOP',
      parts: [],
    };
    const [td2, dep2] = eventsHiding(aws);
    const f2 = (await evaluateRaw(td2!, deps())).findings.find(
      (x) => x.ruleId === 'td-secrets-in-environment',
    )!;
    expect(f2.evidence[0]!.message).toBe(
      'environment variable "CONFIG_BLOB=[redacted: AWS access key id]" in container "app" looks like a credential: name contains a value in the AWS access key id format',
    );
    expect(f2.tags!.note).toBe('see [redacted: AWS access key id] for access');
    expect((await evaluateRaw(dep2!, deps())).findings[0]!.evidence[0]!.message).toBe(
      'deployment ecs-svc/123 failed: task failed to start: pulled config [redacted: AWS access key id] from the image',
    );
  });

  it('finding JSON, Slack, SNS, ASFF, HTML report and outbox message', async () => {
    await fc.assert(
      fc.asyncProperty(anySecret, async (secret) => {
        const findings = (await Promise.all(eventsHiding(secret).map((e) => evaluateRaw(e, deps())))).flatMap(
          (r) => r.findings,
        );
        expect(findings.map((f) => f.ruleId)).toEqual(
          expect.arrayContaining([
            'td-secrets-in-environment',
            'ops-deployment-failed',
            'ops-task-placement-failure',
          ]),
        );
        for (const f of findings)
          for (const [where, text] of Object.entries(renderings(f)))
            expectNoLeak(text, secret, `${where} of ${f.ruleId}`);
      }),
      { numRuns: RUNS, ...FC },
    );
  });

  it('CLI stdout and stderr, table and json', async () => {
    await fc.assert(
      fc.asyncProperty(anySecret, fc.constantFrom('table', 'json'), async (secret, format) => {
        const stdin = eventsHiding(secret)
          .map((e) => JSON.stringify(e))
          .join('\n');
        const r = await run(['evaluate', '--format', format, '-'], { stdin });
        expect(r.stdout + r.stderr).toContain('td-secrets-in-environment');
        expectNoLeak(r.stdout, secret, `stdout (${format})`);
        expectNoLeak(r.stderr, secret, `stderr (${format})`);
      }),
      { numRuns: Math.ceil(RUNS / 4), ...FC },
    );
  });
});
