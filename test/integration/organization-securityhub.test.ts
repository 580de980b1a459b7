/**
 * Security Hub for every account (issue 10): with the default product ARN, BatchImportFindings takes only
 * findings whose AwsAccountId is the calling account, so a member account's finding is imported IN the
 * member account with its findings role (policy organization.findingsRoleName), in the finding's region;
 * the home account's with the notifier's own credentials. Against moto_server (Security Hub, STS,
 * DynamoDB): moto keeps Security Hub findings per account and region, and attributes requests signed with
 * assumed credentials to the role's account, so GetFindings with the member's credentials shows what
 * landed there. A member that was never onboarded is refused by test/helpers/sts-refusal-proxy.ts (moto
 * itself assumes any role).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { DynamoDbDeliveryLedger } from '../../shared/notify/ledger';
import { Notifier } from '../../shared/notify/notifier';
import { DEFAULT_ORGANIZATION_POLICY } from '../../shared/policy/document';
import { parsePolicy } from '../../shared/policy/load';
import { createStateTable } from '../../shared/store/state-table';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';
import { startStsRefusalProxy, type StsRefusalProxy } from '../helpers/sts-refusal-proxy';
import { finding, notification, recordingLogger } from '../unit/notify/fixtures';

const HOME = '123456789012';
const MEMBER = '222222222222';
const NOT_ONBOARDED = '333333333333';
const TABLE = 'guardrail-securityhub-org';

let moto: Moto;
let sts: StsRefusalProxy;
let notifier: Notifier;

async function adminOf(account: string): Promise<AwsCredentialIdentity> {
  const r = await new STSClient({ ...motoClientConfig(moto), credentials: TEST_CREDENTIALS }).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/admin`, RoleSessionName: 'test-setup' }),
  );
  return {
    accessKeyId: r.Credentials!.AccessKeyId!,
    secretAccessKey: r.Credentials!.SecretAccessKey!,
    sessionToken: r.Credentials!.SessionToken!,
  };
}

/** Every finding of one account's Security Hub in one region, read with that account's credentials. */
async function findingsIn(account: string, region: string): Promise<Record<string, any>[]> {
  const credentials = account === HOME ? TEST_CREDENTIALS : await adminOf(account);
  const hub = new SecurityHubClient({ ...motoClientConfig(moto, region), credentials });
  return ((await hub.send(new GetFindingsCommand({}))).Findings ?? []) as Record<string, any>[];
}

/** A finding about a service of `account` in `region`. */
function findingOf(account: string, region: string): Finding {
  const f = finding({ account, region, severity: 'critical' });
  const arn = f.resource.arn.replace(':us-east-1:123456789012:', `:${region}:${account}:`);
  return { ...f, resource: { ...f.resource, arn } };
}

beforeAll(async () => {
  moto = await startMoto();
  sts = await startStsRefusalProxy(moto.endpoint, [NOT_ONBOARDED]);
  // The notifier's lazily created clients (STS, Security Hub per account and region) find moto here.
  vi.stubEnv('AWS_ENDPOINT_URL', moto.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.endpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  await createStateTable(ddb, TABLE);
  notifier = new Notifier({
    policy: parsePolicy(
      'notifications:\n  sns: {enabled: false}\n  slack: {enabled: false}\n  securityHub: {enabled: true}\n',
    ),
    ledger: new DynamoDbDeliveryLedger({ client: DynamoDBDocumentClient.from(ddb), tableName: TABLE }),
    logger: recordingLogger().logger,
    // As functions/edge/notifier-handler.ts wires it.
    securityHub: { organization: DEFAULT_ORGANIZATION_POLICY },
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sts?.close();
  await moto?.stop();
});

describe('Security Hub findings land in the account (and region) of their resource (moto)', () => {
  it("a member's finding is imported in the member's Security Hub with its AwsAccountId; the home one stays home", async () => {
    const member = findingOf(MEMBER, 'eu-west-1');
    const home = findingOf(HOME, 'us-east-1');
    const results = await notifier.deliver([notification(member), notification(home)]);
    expect(results.map((r) => [r.delivered, r.failures])).toEqual([
      [['securityhub'], []],
      [['securityhub'], []],
    ]);

    const inMember = await findingsIn(MEMBER, 'eu-west-1');
    expect(inMember).toHaveLength(1);
    expect(inMember[0]).toMatchObject({
      Id: `ecs-guardrail/${member.findingId}`,
      AwsAccountId: MEMBER,
      ProductArn: `arn:aws:securityhub:eu-west-1:${MEMBER}:product/${MEMBER}/default`,
      RecordState: 'ACTIVE',
      Resources: [{ Id: member.resource.arn, Region: 'eu-west-1' }],
    });
    // Never in the central account, nor in the member's other regions.
    const inHome = await findingsIn(HOME, 'us-east-1');
    expect(inHome.map((f) => f.AwsAccountId)).toEqual([HOME]);
    expect(await findingsIn(MEMBER, 'us-east-1')).toEqual([]);
    expect(await findingsIn(HOME, 'eu-west-1')).toEqual([]);
    // The member's findings role, once; the home account needs none.
    expect(sts.assumed).toEqual([`arn:aws:iam::${MEMBER}:role/ecs-guardrail-findings`]);
  });

  it("the resolved finding is archived in the member's Security Hub (the same credentials, no new AssumeRole)", async () => {
    const member = findingOf(MEMBER, 'eu-west-1');
    await notifier.deliver([notification(member)]);
    const before = sts.assumed.length;
    const [r] = await notifier.deliver([notification(member, 'resolved')]);
    expect(r!.delivered).toEqual(['securityhub']);
    const archived = (await findingsIn(MEMBER, 'eu-west-1')).find(
      (f) => f.Id === `ecs-guardrail/${member.findingId}`,
    );
    expect(archived).toMatchObject({
      AwsAccountId: MEMBER,
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
    });
    expect(sts.assumed.length).toBe(before);
  });

  it('a member never onboarded: that finding fails naming account and role (not retried in place), the others are delivered', async () => {
    const refused = findingOf(NOT_ONBOARDED, 'us-east-1');
    const member = findingOf(MEMBER, 'eu-west-1');
    const [bad, good] = await notifier.deliver([notification(refused), notification(member)]);
    expect(good!.delivered).toEqual(['securityhub']);
    expect(bad!.delivered).toEqual([]);
    expect(bad!.failures).toEqual([
      expect.objectContaining({
        target: 'securityhub',
        error: 'AccountAccessError',
        message: `no access to account ${NOT_ONBOARDED} (role ecs-guardrail-findings): AccessDenied on sts:AssumeRole`,
        retryable: false,
      }),
    ]);
    expect(await findingsIn(NOT_ONBOARDED, 'us-east-1')).toEqual([]);
    expect(JSON.stringify(bad)).not.toMatch(/ASIA|SecretAccessKey|SessionToken/);
  });
});
