/**
 * One central deployment, a member account reached through STS AssumeRole (moto_server attributes the
 * assumed credentials to the role's account; MOTO_ACCOUNT_ID is NOT set, see docs/local-pipeline.md, "moto limits").
 */
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';
import {
  clientConfig,
  createStateTable,
  findingOf,
  HOME,
  MEMBER,
  MEMBER_ROLE_NAME,
  motoClients,
  motoRemediator,
  policyWith,
  registerTaskDefinition,
  TABLE,
  type MotoClients,
} from '../unit/remediation/helpers';

let moto: Moto;
let home: MotoClients;

/** Credentials of the member account, as a member-account admin would have them (for test setup). */
async function memberCredentials(): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(clientConfig(moto, TEST_CREDENTIALS));
  const r = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/admin`, RoleSessionName: 'test-setup' }),
  );
  return {
    accessKeyId: r.Credentials!.AccessKeyId!,
    secretAccessKey: r.Credentials!.SecretAccessKey!,
    sessionToken: r.Credentials!.SessionToken!,
  };
}

async function memberEcs(): Promise<ECSClient> {
  return new ECSClient(clientConfig(moto, await memberCredentials()));
}

const statusIn = async (ecs: ECSClient, arn: string): Promise<string | undefined> => {
  try {
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition
      ?.status;
  } catch (err) {
    return (err as Error).name;
  }
};

const POLICY = () =>
  policyWith(
    ['td-privileged'],
    {},
    { allowAccounts: [HOME, MEMBER], roleName: MEMBER_ROLE_NAME, externalId: 'guardrail-ext-1' },
  );

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  home = motoClients(moto);
  await createStateTable(home.dynamodb);
});

describe('cross-account remediation through STS AssumeRole', () => {
  it('the member account is a separate account in moto (sanity of the setup)', async () => {
    const sts = new STSClient(clientConfig(moto, await memberCredentials()));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(MEMBER);
  });

  it("deregisters a member account's privileged revision with the assumed role, and audits who acted", async () => {
    const ecs2 = await memberEcs();
    const { arn, event } = await registerTaskDefinition(ecs2, { account: MEMBER });
    expect(arn).toContain(`:${MEMBER}:task-definition/`);
    const policy = POLICY();
    const finding = await findingOf(event, policy, 'td-privileged');
    expect(finding.account).toBe(MEMBER);

    const r = motoRemediator(moto, policy, { table: TABLE });
    const out = await r.remediator.remediate(finding);

    expect(out.action?.status).toBe('done');
    expect(await statusIn(ecs2, arn)).toBe('INACTIVE');
    // The home account never had this revision: the change happened in the member account.
    expect(await statusIn(home.ecs, arn)).toBe('ClientException');
    const [entry] = await r.audit.list(MEMBER);
    expect(entry).toMatchObject({
      account: MEMBER,
      status: 'done',
      performedBy: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE_NAME}`,
      calls: ['ecs:DeregisterTaskDefinition'],
    });
    expect(r.credentials.assumeRoleCalls).toBe(1);
  });

  it('caches the assumed credentials: many findings of one account, one AssumeRole', async () => {
    const ecs2 = await memberEcs();
    const policy = POLICY();
    const r = motoRemediator(moto, policy);
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { arn, event } = await registerTaskDefinition(ecs2, { account: MEMBER });
      arns.push(arn);
      expect(
        (await r.remediator.remediate(await findingOf(event, policy, 'td-privileged'))).action?.status,
      ).toBe('done');
    }
    for (const arn of arns) expect(await statusIn(ecs2, arn)).toBe('INACTIVE');
    expect(r.credentials.assumeRoleCalls).toBe(1);
  });

  it('the home account is acted on with the guardrail own credentials (no AssumeRole)', async () => {
    const policy = POLICY();
    const { arn, event } = await registerTaskDefinition(home.ecs);
    const r = motoRemediator(moto, policy);
    expect(
      (await r.remediator.remediate(await findingOf(event, policy, 'td-privileged'))).action?.status,
    ).toBe('done');
    expect(await statusIn(home.ecs, arn)).toBe('INACTIVE');
    expect(r.credentials.assumeRoleCalls).toBe(0);
  });

  it('after an emulator reset the cached session is void: clear() and assume again', async () => {
    const policy = POLICY();
    const r = motoRemediator(moto, policy);
    const first = await registerTaskDefinition(await memberEcs(), { account: MEMBER });
    expect(
      (await r.remediator.remediate(await findingOf(first.event, policy, 'td-privileged'))).action?.status,
    ).toBe('done');

    await moto.reset(); // wipes moto's IAM backend: the cached keys now count as 123456789012
    const ecs2 = await memberEcs();
    const second = await registerTaskDefinition(ecs2, { account: MEMBER });
    r.clients.clear();
    const out = await r.remediator.remediate(await findingOf(second.event, policy, 'td-privileged'));
    expect(out.action?.status).toBe('done');
    expect(await statusIn(ecs2, second.arn)).toBe('INACTIVE');
    expect(r.credentials.assumeRoleCalls).toBe(2);
  });
});
