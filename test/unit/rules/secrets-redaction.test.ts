/**
 * The credential detector as a redactor (issue 15): what a finding may show of names, keys, tags and
 * ECS reason texts. Each case is a way a secret hides where nobody expects it, or a text that must stay
 * readable because it holds none.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../../shared/engine/run';
import {
  compileSecretPatterns,
  DEFAULT_SECRET_PATTERNS,
  redactName,
  redactTags,
  redactText,
  secretReason,
  storableValue,
} from '../../../shared/rules/secrets';
import { deps, fixture, type Json } from '../engine/builders';

const c = compileSecretPatterns(DEFAULT_SECRET_PATTERNS);

describe('redactName', () => {
  it.each([
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=[redacted]'],
    ['api_token:abc def ghi', 'api_token:[redacted]'],
    ['CONFIG=AKIAABCDEFGHIJKLMNOP', 'CONFIG=[redacted: AWS access key id]'],
    ['AKIAABCDEFGHIJKLMNOP', '[redacted: AWS access key id]'],
    ['LOG_LEVEL', 'LOG_LEVEL'],
    ['TRAILING=', 'TRAILING='],
    ['DB_PASSWORD=[redacted]', 'DB_PASSWORD=[redacted]'], // idempotent
  ])('%s -> %s', (name, shown) => {
    expect(redactName(name, c)).toBe(shown);
  });

  it('tag keys keep their namespaces (`aws:`, `guardrail:protect`): only `=` carries a value', () => {
    expect(redactTags({ 'guardrail:protect': 'true', 'aws:cloudformation:stack-name': 'prod' }, c)).toEqual({
      'guardrail:protect': 'true',
      'aws:cloudformation:stack-name': 'prod',
    });
  });
});

describe('redactTags', () => {
  it('a credential-named key hides its value; a credential-like value is redacted under any key', () => {
    expect(
      redactTags(
        {
          'db-password': 'Sup3r-S3cret-Passw0rd!',
          'db-password=Sup3r-S3cret': 'x',
          owner: 'see ghp_abcdefghijklmnopqrstuvwxyz0123456789',
          team: 'payments',
          'api-token': 'true', // a flag is not a secret
        },
        c,
      ),
    ).toEqual({
      'db-password': '[redacted]',
      'db-password=[redacted]': 'x',
      owner: 'see [redacted: GitHub token]',
      team: 'payments',
      'api-token': 'true',
    });
  });
});

describe('redactText (ECS reason texts)', () => {
  it.each([
    [
      'ECS deployment circuit breaker: task failed to start.',
      'ECS deployment circuit breaker: task failed to start.',
    ],
    ['RESOURCE:CPU', 'RESOURCE:CPU'],
    [
      'CannotPullContainerError: pull access denied, repository does not exist',
      'CannotPullContainerError: pull access denied, repository does not exist',
    ],
    [
      'Essential container exited: DB_PASSWORD=hunter2 hunter3',
      'Essential container exited: DB_PASSWORD=[redacted]',
    ],
    ['{"password": "a b c", "user": "x"}', '{"password": [redacted]'],
    ['USER=bob\nTOKEN=abc def\nok', 'USER=bob\nTOKEN=[redacted]\nok'],
    [
      'key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY----- done',
      'key [redacted: PEM private key] done',
    ],
    ['a cut key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg', 'a cut key [redacted: PEM private key]'],
  ])('%j', (text, shown) => {
    expect(redactText(text, c)).toBe(shown);
  });

  it('hostile text: linear time on 256 KB built to make a NAME= scan backtrack', () => {
    // The first version rescanned every long run of name characters from each of its characters:
    // 40,000 characters took 1 s, 256 KB about a minute.
    const runs = `${'a1'.repeat(128_000)} b=`;
    expect(redactText(runs, c)).toBe(`${'a1'.repeat(128_000)} b=`);
    const many = `${'ab '.repeat(85_000)}password=x`;
    expect(redactText(many, c).endsWith('password=[redacted]')).toBe(true);
  });

  it('a 200 KB reason with a secret: the finding shows a bounded, redacted message', async () => {
    const event = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
    (event.detail as Record<string, Json>).reason = `${'x '.repeat(100_000)} AKIAABCDEFGHIJKLMNOP`;
    const f = (await evaluateRaw(event, deps())).findings[0]!;
    expect(Buffer.byteLength(f.evidence[0]!.message)).toBeLessThanOrEqual(1024);
    expect(f.evidence[0]!.message.endsWith('…[cut]')).toBe(true);
    expect(JSON.stringify(f)).not.toContain('AKIA');
  });
});

describe('storableValue (the sweep cache)', () => {
  it.each([
    ['AKIAABCDEFGHIJKLMNOP', '[redacted: AWS access key id]'],
    ['hunter2-hunter2', '[redacted]'],
    ['true', ''],
    ['arn:aws:secretsmanager:us-east-1:1:secret:x', ''],
    ['short', ''],
    ['', ''],
  ])('%j -> %j, with the same verdict under a credential name', (value, stored) => {
    expect(storableValue(value, c)).toBe(stored);
    expect(secretReason('DB_PASSWORD', storableValue(value, c), c)).toBe(
      secretReason('DB_PASSWORD', value, c),
    );
    expect(secretReason('SETTINGS', storableValue(value, c), c)).toBe(secretReason('SETTINGS', value, c));
  });
});
