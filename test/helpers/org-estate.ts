/**
 * An AWS organization in moto for the organization sweep tests and benchmark: the management account
 * (moto's default, 123456789012) creates an organization with member accounts in OUs, each member gets
 * the read role (IAM CreateRole in the member account, with credentials of the member's
 * OrganizationAccountAccessRole as AWS Organizations creates it) and, optionally, a seeded estate
 * (seed-estate.ts) in each region.
 *
 * moto does not check that a role exists (or trusts the caller) on AssumeRole: org-roles.ts restores
 * AWS's refusal for the tests. No vitest import here: the benchmark (bench/org-sweep.ts) uses this file.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { enableEcsRuntimeMonitoring } from './guardduty';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { motoClientConfig, type Moto } from './moto';
import { ACCOUNT, seedEstate, type SeededEstate } from './seed-estate';

export const MANAGEMENT_ACCOUNT = ACCOUNT;
export const READ_ROLE = 'ecs-guardrail-read';
export const ORG_REGIONS = ['us-east-1', 'eu-west-1'] as const;

export interface MemberAccount {
  readonly id: string;
  readonly name: string;
  readonly ouId: string;
  readonly ouName: string;
}

export interface OrgEstate {
  readonly members: readonly MemberAccount[];
  /** Seeded estates by `${account} ${region}`. */
  readonly estates: ReadonlyMap<string, SeededEstate>;
}

export interface OrgEstateOptions {
  /** Member accounts and the OU each goes into (default: prod, prod, dev). */
  readonly members?: readonly { readonly name: string; readonly ou: string }[];
  readonly regions?: readonly string[];
  /** Members (by index) without the read role: not onboarded. */
  readonly withoutReadRole?: readonly number[];
  /** Seed an estate in every (member, region) pair (default true). */
  readonly seed?: boolean;
}

/** Credentials for `account` (moto: any AssumeRole succeeds; on AWS this is OrganizationAccountAccessRole). */
export async function memberCredentials(moto: Moto, account: string) {
  const sts = new STSClient(motoClientConfig(moto));
  const r = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'org-estate',
    }),
  );
  const c = r.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

export function memberClients(
  moto: Moto,
  credentials: Awaited<ReturnType<typeof memberCredentials>>,
  region: string,
) {
  const config = { ...motoClientConfig(moto, region), credentials };
  return { ecs: new ECSClient(config), ec2: new EC2Client(config), iam: new IAMClient(config) };
}

export async function createOrgEstate(moto: Moto, o: OrgEstateOptions = {}): Promise<OrgEstate> {
  const plan = o.members ?? [
    { name: 'payments-prod', ou: 'prod' },
    { name: 'web-prod', ou: 'prod' },
    { name: 'sandbox', ou: 'dev' },
  ];
  const regions = o.regions ?? ORG_REGIONS;
  const org = new OrganizationsClient(motoClientConfig(moto));
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ous = new Map<string, string>();
  for (const ou of new Set(plan.map((m) => m.ou))) {
    const r = await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: ou }));
    ous.set(ou, r.OrganizationalUnit!.Id!);
  }
  const members: MemberAccount[] = [];
  for (const m of plan) {
    const r = await org.send(
      new CreateAccountCommand({ AccountName: m.name, Email: `${m.name}@example.com` }),
    );
    const id = r.CreateAccountStatus!.AccountId!;
    const ouId = ous.get(m.ou)!;
    await org.send(
      new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ouId }),
    );
    members.push({ id, name: m.name, ouId, ouName: m.ou });
  }
  const estates = new Map<string, SeededEstate>();
  for (const [i, m] of members.entries()) {
    const credentials = await memberCredentials(moto, m.id);
    if (!o.withoutReadRole?.includes(i))
      await memberClients(moto, credentials, regions[0]!).iam.send(
        new CreateRoleCommand({
          RoleName: READ_ROLE,
          // The shape infra/member-account.yml gives it (moto does not evaluate trust policies).
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
    if (o.seed === false) continue;
    for (const region of regions) {
      const { ecs, ec2 } = memberClients(moto, credentials, region);
      estates.set(`${m.id} ${region}`, await seedEstate({ ecs, ec2 }, { account: m.id, region }));
      // The seeded estates are about ECS: their GuardDuty passes account-ecs-runtime-monitoring-off.
      await enableEcsRuntimeMonitoring({ ...motoClientConfig(moto, region), credentials });
    }
  }
  // The management account sweeps itself too (no seeded estate): its GuardDuty passes as well.
  if (o.seed !== false)
    for (const region of regions) await enableEcsRuntimeMonitoring(motoClientConfig(moto, region));
  return { members, estates };
}
