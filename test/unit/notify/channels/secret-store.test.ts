/**
 * The secret store of the HTTP channels (shared/notify/channels/secret-store.ts), SDK clients mocked:
 * SSM SecureString by name, Secrets Manager by ARN, cached for the TTL, a failure never cached, a plain
 * String refused, errors naming the reference and never the value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsSecretStore, secretKind } from '../../../../shared/notify/channels/secret-store';

const ssm = mockClient(SSMClient);
const sm = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:guardrail/jira-AbCdEf';

describe('AwsSecretStore', () => {
  let now = 0;
  const store = () =>
    new AwsSecretStore({
      ssm: new SSMClient({ region: 'us-east-1' }),
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
      ttlMs: 1000,
      now: () => now,
    });
  beforeEach(() => {
    ssm.reset();
    sm.reset();
    now = 0;
  });

  it('reads SSM by name and Secrets Manager by ARN', async () => {
    expect(secretKind(ARN)).toBe('secretsmanager');
    expect(secretKind('/guardrail/pagerduty/default')).toBe('ssm');
    expect(secretKind('arn:aws:ssm:us-east-1:111122223333:parameter/guardrail/x')).toBe('ssm');
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: ' KEY0123456789 \n' } });
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"email":"a@b.c","apiToken":"T0KEN0123"}' });
    const s = store();
    expect(await s.get('/guardrail/pagerduty/default')).toBe('KEY0123456789');
    expect(await s.get(ARN)).toBe('{"email":"a@b.c","apiToken":"T0KEN0123"}');
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/guardrail/pagerduty/default',
      WithDecryption: true,
    });
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
    expect([...s.known()].sort()).toEqual(['KEY0123456789', '{"email":"a@b.c","apiToken":"T0KEN0123"}']);
  });

  it('caches for the TTL, rereads after it or after evict, and never caches a failure', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Parameter: { Type: 'SecureString', Value: 'V1-secret-value' } });
    const s = store();
    await expect(s.get('/p')).rejects.toMatchObject({
      name: 'ChannelConfigError',
      message: 'cannot read secret /p (ThrottlingException)',
      retryable: true,
    });
    expect(await s.get('/p')).toBe('V1-secret-value');
    expect(await s.get('/p')).toBe('V1-secret-value');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    now = 1001;
    await s.get('/p');
    s.evict('/p');
    await s.get('/p');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(4);
  });

  it('refuses a String parameter, an empty value and a binary-only secret, without echoing a value', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/plain' })
      .resolves({ Parameter: { Type: 'String', Value: 'PLAINVALUE123' } });
    ssm
      .on(GetParameterCommand, { Name: '/empty' })
      .resolves({ Parameter: { Type: 'SecureString', Value: '  ' } });
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const s = store();
    await expect(s.get('/plain')).rejects.toThrow('parameter /plain must be a SecureString (it is String)');
    await expect(s.get('/empty')).rejects.toThrow('secret /empty is empty');
    await expect(s.get(ARN)).rejects.toThrow(`secret ${ARN} holds no SecretString`);
    await expect(s.get('/plain')).rejects.not.toThrow(/PLAINVALUE123/);
    expect(s.known()).toEqual([]);
  });
});
