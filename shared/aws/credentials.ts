/**
 * Cross-account credentials (one central deployment, many member accounts): the one credentials
 * provider every client factory takes. One instance per member-account role: the remediation role
 * (policy `remediation.roleName`), the read role of enrichment and the sweep (`organization.readRoleName`)
 * and the Security Hub import role (`organization.findingsRoleName`), each with its own cache.
 *
 * - The home account (where the guardrail's own credentials live, from STS GetCallerIdentity unless
 *   given) is acted on with those credentials.
 * - Any other account is acted on through `arn:<partition>:iam::<account>:role/<roleName>` (created by
 *   infra/member-account.yml), assumed with STS AssumeRole (with `ExternalId` when configured). The
 *   credentials are cached per account until `refreshMarginMs` before they expire; concurrent callers
 *   share one AssumeRole call; a failed AssumeRole is not cached (the next caller tries again).
 * - A role that cannot be assumed (not onboarded, trust or external id wrong) is an AccountAccessError:
 *   "no access to account X (role Y): <AWS error name> on sts:AssumeRole", never the credentials.
 * - Only accounts on the allow-list (`remediation.allowAccounts`; without it, the home account alone)
 *   are acted on; every other account's findings are ignored and counted in `ignored`.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { partitionOf } from '../model/arn';
import { AccountAccessError, awsCall, RemediationCallError } from './call-error';
import { awsClientConfig, type AssumedCredentials, type CredentialsSource } from './client-pool';

export type { AssumedCredentials, CredentialsSource } from './client-pool';
export { AccountAccessError } from './call-error';

export const DEFAULT_SESSION_NAME = 'ecs-guardrail-remediation';

const ACCOUNT_ID = /^\d{12}$/;
/** Stands for an account field that is not a 12-digit id (never echoed). */
const NOT_AN_ACCOUNT = '(not an account id)';

export interface CrossAccountOptions {
  readonly sts: STSClient;
  /** The member-account role name (policy `remediation.roleName`); without it, no cross-account access. */
  readonly roleName?: string;
  /** The policy key that sets `roleName`, named when none is set (default `remediation.roleName`). */
  readonly roleKey?: string;
  /** Policy `remediation.externalId`, passed to AssumeRole. Never logged. */
  readonly externalId?: string;
  /** Policy `remediation.allowAccounts`; undefined: the home account only. */
  readonly allowAccounts?: readonly string[];
  /** The account of the guardrail's own credentials; default: STS GetCallerIdentity (once). */
  readonly homeAccount?: string;
  readonly sessionName?: string;
  /** Requested session length (default 3600 s, the maximum a role chain allows). */
  readonly durationSeconds?: number;
  /** Assume again this long before the credentials expire (default 5 minutes). */
  readonly refreshMarginMs?: number;
  readonly now?: () => number;
}

interface Identity {
  readonly account: string;
  readonly arn: string | undefined;
}

export class CrossAccountCredentials implements CredentialsSource {
  /** Findings ignored per account because the account is not on the allow-list. */
  readonly ignored = new Map<string, number>();
  private readonly cache = new Map<string, Promise<AssumedCredentials>>();
  private identity: Promise<Identity> | undefined;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  /** AssumeRole calls made (exposed for metrics and tests). */
  assumeRoleCalls = 0;

  constructor(private readonly options: CrossAccountOptions) {
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The guardrail's own identity (account and principal ARN); one GetCallerIdentity at most. */
  private whoAmI(): Promise<Identity> {
    if (!this.identity) {
      const given = this.options.homeAccount;
      const p = given
        ? Promise.resolve<Identity>({ account: given, arn: undefined })
        : awsCall('sts:GetCallerIdentity', () =>
            this.options.sts.send(new GetCallerIdentityCommand({})),
          ).then((r) => ({ account: r.Account ?? '', arn: r.Arn }));
      this.identity = p;
      p.catch(() => {
        if (this.identity === p) this.identity = undefined;
      });
    }
    return this.identity;
  }

  async homeAccount(): Promise<string> {
    return (await this.whoAmI()).account;
  }

  /** The home principal's ARN, when known (GetCallerIdentity was used). */
  async homePrincipal(): Promise<string | undefined> {
    return (await this.whoAmI()).arn;
  }

  /** Is the account on the allow-list? Counts the ones that are not. */
  async allows(account: string): Promise<boolean> {
    const list = this.options.allowAccounts;
    const ok = list ? list.includes(account) : account === (await this.homeAccount());
    if (!ok) this.ignored.set(account, (this.ignored.get(account) ?? 0) + 1);
    return ok;
  }

  /** Undefined for the home account (ambient credentials), else the assumed role's credentials. */
  async credentialsFor(account: string, region: string): Promise<AssumedCredentials | undefined> {
    const roleName = this.options.roleName;
    // An account field an event made up (a CloudTrail recipientAccountId is free text) never reaches
    // STS, nor any message.
    if (!ACCOUNT_ID.test(account))
      throw new AccountAccessError(NOT_AN_ACCOUNT, roleName, 'InvalidAccount', 'not a 12-digit account id');
    if (account === (await this.homeAccount())) return undefined;
    if (!roleName)
      throw new AccountAccessError(
        account,
        undefined,
        'NoRoleConfigured',
        `no role configured (policy ${this.options.roleKey ?? 'remediation.roleName'})`,
      );
    const roleArn = `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`;
    const cached = this.cache.get(roleArn);
    if (cached) {
      // A failed AssumeRole leaves the cache when it fails: finding it means this caller joined it in
      // flight, and shares its failure (no second call); the next caller asks again.
      const c = await cached;
      if (!c.expiration || c.expiration.getTime() - this.refreshMarginMs > this.now()) return c;
      // Stale: renew, unless a concurrent caller already did.
      const current = this.cache.get(roleArn);
      if (current && current !== cached) return current;
    }
    const p = this.assume(roleArn).catch((err: unknown) => {
      const code = err instanceof RemediationCallError ? err.code : 'Error';
      throw new AccountAccessError(account, roleName, code, `${code} on sts:AssumeRole`, err);
    });
    this.cache.set(roleArn, p);
    p.catch(() => {
      if (this.cache.get(roleArn) === p) this.cache.delete(roleArn);
    });
    return p;
  }

  /** Forget every cached credential (e.g. after the emulator was reset). */
  clear(): void {
    this.cache.clear();
  }

  private async assume(roleArn: string): Promise<AssumedCredentials> {
    this.assumeRoleCalls++;
    const r = await awsCall('sts:AssumeRole', () =>
      this.options.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.options.sessionName ?? DEFAULT_SESSION_NAME,
          DurationSeconds: this.options.durationSeconds ?? 3600,
          ...(this.options.externalId ? { ExternalId: this.options.externalId } : {}),
        }),
      ),
    );
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('sts:AssumeRole returned no credentials');
    return {
      roleArn,
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: new Date(c.Expiration) } : {}),
    };
  }
}

/** The member-account roles of the `organization:` policy section, besides remediation's own. */
export type MemberRole = 'read' | 'findings';

const ROLE_KEY: Readonly<Record<MemberRole, 'readRoleName' | 'findingsRoleName'>> = {
  read: 'readRoleName',
  findings: 'findingsRoleName',
};

/**
 * The credentials provider of one member-account role of the policy's `organization:` section: the read
 * role (enrichment; session `ecs-guardrail-read`) or the Security Hub import role (session
 * `ecs-guardrail-findings`), on its own STS client (the `enrich` retries and timeouts: a caller waits).
 */
export function memberRoleCredentials(
  role: MemberRole,
  organization: {
    readonly readRoleName?: string;
    readonly findingsRoleName?: string;
    readonly externalId?: string;
  },
  options: { readonly sts?: STSClient; readonly homeAccount?: string; readonly now?: () => number } = {},
): CrossAccountCredentials {
  const key = ROLE_KEY[role];
  const roleName = organization[key];
  return new CrossAccountCredentials({
    sts: options.sts ?? new STSClient(awsClientConfig('enrich')),
    ...(roleName ? { roleName } : {}),
    roleKey: `organization.${key}`,
    sessionName: `ecs-guardrail-${role}`,
    ...(organization.externalId ? { externalId: organization.externalId } : {}),
    ...(options.homeAccount ? { homeAccount: options.homeAccount } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
