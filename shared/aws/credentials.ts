/**
 * Cross-account credentials (one central deployment, many member accounts): the one credentials
 * provider every client factory takes (remediation today; enrichment and the sweep take a
 * `CredentialsSource` too, so a member-account read role plugs in the same way).
 *
 * - The home account (where the guardrail's own credentials live, from STS GetCallerIdentity unless
 *   given) is acted on with those credentials.
 * - Any other account is acted on through `arn:<partition>:iam::<account>:role/<roleName>` (created by
 *   infra/member-account.yml), assumed with STS AssumeRole (with `ExternalId` when configured). The
 *   credentials are cached per account until `refreshMarginMs` before they expire; concurrent callers
 *   share one AssumeRole call.
 * - Only accounts on the allow-list (`remediation.allowAccounts`; without it, the home account alone)
 *   are acted on; every other account's findings are ignored and counted in `ignored`.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { partitionOf } from '../model/arn';
import { awsCall } from './call-error';
import type { AssumedCredentials, CredentialsSource } from './client-pool';

export type { AssumedCredentials, CredentialsSource } from './client-pool';

export const DEFAULT_SESSION_NAME = 'ecs-guardrail-remediation';

export interface CrossAccountOptions {
  readonly sts: STSClient;
  /** The member-account role name (policy `remediation.roleName`); without it, no cross-account access. */
  readonly roleName?: string;
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
    if (account === (await this.homeAccount())) return undefined;
    const roleName = this.options.roleName;
    if (!roleName)
      throw new Error(`no remediation role configured for account ${account} (policy remediation.roleName)`);
    const roleArn = `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`;
    const cached = this.cache.get(roleArn);
    if (cached) {
      const c = await cached.catch(() => undefined);
      if (c && (!c.expiration || c.expiration.getTime() - this.refreshMarginMs > this.now())) return c;
      // Stale or failed: renew, unless a concurrent caller already did.
      const current = this.cache.get(roleArn);
      if (current && current !== cached) return current;
    }
    const p = this.assume(roleArn);
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
