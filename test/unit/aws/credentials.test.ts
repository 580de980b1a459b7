/** Cross-account credentials: the exact AssumeRole request, caching until shortly before expiry, the allow-list. */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher, type CustomMatcher } from 'aws-sdk-client-mock-vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AccountAccessError,
  CrossAccountCredentials,
  memberRoleCredentials,
} from '../../../shared/aws/credentials';
import { RemediationCallError } from '../../../shared/remediation/errors';

expect.extend(allCustomMatcher);
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends CustomMatcher<T> {}
}

const sts = mockClient(STSClient);
const HOME = '111122223333';
const MEMBER = '444455556666';

function assumed(expiresAt: number, n = 1) {
  return {
    Credentials: {
      AccessKeyId: `ASIA${n}`,
      SecretAccessKey: `secret-${n}`,
      SessionToken: `token-${n}`,
      Expiration: new Date(expiresAt),
    },
  };
}

beforeEach(() => {
  sts.reset();
});

describe('CrossAccountCredentials', () => {
  it('assumes <roleName> in the account with the external id, session name and one hour', async () => {
    const clock = Date.parse('2026-11-22T10:00:00Z');
    sts.on(AssumeRoleCommand).resolves(assumed(clock + 3_600_000));
    const c = new CrossAccountCredentials({
      sts: new STSClient({}),
      roleName: 'ecs-guardrail-remediation',
      externalId: 'ext-1',
      homeAccount: HOME,
      allowAccounts: [HOME, MEMBER],
      now: () => clock,
    });
    const creds = await c.credentialsFor(MEMBER, 'eu-west-1');
    expect(creds).toMatchObject({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret-1',
      sessionToken: 'token-1',
      roleArn: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-remediation`,
    });
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-remediation`,
      RoleSessionName: 'ecs-guardrail-remediation',
      DurationSeconds: 3600,
      ExternalId: 'ext-1',
    });
  });

  it('uses the partition of the region', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed(Date.now() + 3_600_000));
    const c = new CrossAccountCredentials({ sts: new STSClient({}), roleName: 'r', homeAccount: HOME });
    await c.credentialsFor(MEMBER, 'cn-north-1');
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws-cn:iam::${MEMBER}:role/r` });
  });

  it('caches until 5 minutes before expiry, then assumes again', async () => {
    let clock = Date.parse('2026-11-22T10:00:00Z');
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(clock + 3_600_000, 1))
      .resolvesOnce(assumed(clock + 7_200_000, 2));
    const c = new CrossAccountCredentials({
      sts: new STSClient({}),
      roleName: 'r',
      homeAccount: HOME,
      now: () => clock,
    });
    expect((await c.credentialsFor(MEMBER, 'us-east-1'))?.accessKeyId).toBe('ASIA1');
    clock += 54 * 60_000; // 6 minutes left
    expect((await c.credentialsFor(MEMBER, 'us-east-1'))?.accessKeyId).toBe('ASIA1');
    clock += 2 * 60_000; // 4 minutes left: renew
    expect((await c.credentialsFor(MEMBER, 'us-east-1'))?.accessKeyId).toBe('ASIA2');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(c.assumeRoleCalls).toBe(2);
  });

  it('concurrent callers share one AssumeRole', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return assumed(Date.now() + 3_600_000);
    });
    const c = new CrossAccountCredentials({ sts: new STSClient({}), roleName: 'r', homeAccount: HOME });
    const all = await Promise.all(Array.from({ length: 10 }, () => c.credentialsFor(MEMBER, 'us-east-1')));
    expect(new Set(all.map((x) => x?.accessKeyId))).toEqual(new Set(['ASIA1']));
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  // Issue 10 changed this: the error names the account and the role (enrichment reports it as the
  // incomplete reason), with the AWS error name and the call; never the message, which may quote ARNs.
  it('a denied AssumeRole is an AccountAccessError naming account, role and call, and is not cached', async () => {
    const denied = Object.assign(new Error('User: arn:... is not authorized; secret-ish detail'), {
      name: 'AccessDenied',
    });
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(denied)
      .resolves(assumed(Date.now() + 3_600_000));
    const c = new CrossAccountCredentials({
      sts: new STSClient({}),
      roleName: 'r',
      externalId: 'ext-secret-1',
      homeAccount: HOME,
    });
    const err = await c.credentialsFor(MEMBER, 'us-east-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountAccessError);
    expect(err).toMatchObject({ account: MEMBER, roleName: 'r', code: 'AccessDenied' });
    expect((err as Error).message).toBe(
      `no access to account ${MEMBER} (role r): AccessDenied on sts:AssumeRole`,
    );
    expect((err as Error).cause).toBeInstanceOf(RemediationCallError);
    expect(JSON.stringify(err)).not.toContain('ext-secret-1');
    expect((await c.credentialsFor(MEMBER, 'us-east-1'))?.accessKeyId).toBe('ASIA1');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('the home account uses the ambient credentials; the home account comes from GetCallerIdentity once', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: HOME, Arn: `arn:aws:sts::${HOME}:assumed-role/fn/x` });
    const c = new CrossAccountCredentials({ sts: new STSClient({}), roleName: 'r' });
    expect(await c.credentialsFor(HOME, 'us-east-1')).toBeUndefined();
    expect(await c.credentialsFor(HOME, 'us-east-1')).toBeUndefined();
    expect(await c.homePrincipal()).toBe(`arn:aws:sts::${HOME}:assumed-role/fn/x`);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('without a role name another account cannot be reached', async () => {
    const c = new CrossAccountCredentials({ sts: new STSClient({}), homeAccount: HOME });
    await expect(c.credentialsFor(MEMBER, 'us-east-1')).rejects.toThrow('remediation.roleName');
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('the allow-list: listed accounts only (default: the home account); the others are counted', async () => {
    const listed = new CrossAccountCredentials({
      sts: new STSClient({}),
      homeAccount: HOME,
      allowAccounts: [MEMBER],
    });
    expect(await listed.allows(MEMBER)).toBe(true);
    expect(await listed.allows(HOME)).toBe(false);
    expect(await listed.allows('999999999999')).toBe(false);
    expect(await listed.allows('999999999999')).toBe(false);
    expect([...listed.ignored]).toEqual([
      [HOME, 1],
      ['999999999999', 2],
    ]);
    const unlisted = new CrossAccountCredentials({ sts: new STSClient({}), homeAccount: HOME });
    expect(await unlisted.allows(HOME)).toBe(true);
    expect(await unlisted.allows(MEMBER)).toBe(false);
  });

  it('one instance per member role (organization section): own role, session and cache; regions of an account share one AssumeRole', async () => {
    sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => ({
      ...assumed(Date.now() + 3_600_000, input.RoleArn.endsWith('read') ? 1 : 2),
    }));
    const org = {
      readRoleName: 'ecs-guardrail-read',
      findingsRoleName: 'ecs-guardrail-findings',
      externalId: 'x-1',
    };
    const read = memberRoleCredentials('read', org, { sts: new STSClient({}), homeAccount: HOME });
    const findings = memberRoleCredentials('findings', org, { sts: new STSClient({}), homeAccount: HOME });
    expect((await read.credentialsFor(MEMBER, 'us-east-1'))?.roleArn).toBe(
      `arn:aws:iam::${MEMBER}:role/ecs-guardrail-read`,
    );
    expect((await read.credentialsFor(MEMBER, 'eu-west-1'))?.accessKeyId).toBe('ASIA1');
    expect((await findings.credentialsFor(MEMBER, 'eu-west-1'))?.accessKeyId).toBe('ASIA2');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-read`,
      RoleSessionName: 'ecs-guardrail-read',
      ExternalId: 'x-1',
    });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/ecs-guardrail-findings`,
      RoleSessionName: 'ecs-guardrail-findings',
    });
    // The home account: ambient credentials, no AssumeRole.
    expect(await read.credentialsFor(HOME, 'us-east-1')).toBeUndefined();
  });

  it('concurrent callers of a refused role share the one failed AssumeRole; the next caller asks again', async () => {
    let calls = 0;
    sts.on(AssumeRoleCommand).callsFake(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
    });
    const c = new CrossAccountCredentials({ sts: new STSClient({}), roleName: 'r', homeAccount: HOME });
    const all = await Promise.all(
      Array.from({ length: 5 }, () => c.credentialsFor(MEMBER, 'us-east-1').catch((e: unknown) => e)),
    );
    for (const e of all) expect(e).toBeInstanceOf(AccountAccessError);
    expect(calls).toBe(1);
    await c.credentialsFor(MEMBER, 'us-east-1').catch(() => undefined);
    expect(calls).toBe(2);
  });

  it('expired credentials whose renewal is refused are never handed out', async () => {
    let clock = Date.parse('2026-11-22T10:00:00Z');
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(clock + 3_600_000, 1))
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const c = new CrossAccountCredentials({
      sts: new STSClient({}),
      roleName: 'r',
      homeAccount: HOME,
      now: () => clock,
    });
    expect((await c.credentialsFor(MEMBER, 'us-east-1'))?.accessKeyId).toBe('ASIA1');
    clock += 56 * 60_000; // inside the 5-minute margin
    await expect(c.credentialsFor(MEMBER, 'us-east-1')).rejects.toThrow(
      `no access to account ${MEMBER} (role r): AccessDenied on sts:AssumeRole`,
    );
  });
});
