/**
 * ECS clients for remediation, per (account, region), with the right credentials and the `remediate`
 * retry profile of shared/aws/client-pool.ts (BOUNDED: a throttled or denied change fails after at most
 * `maxAttempts` SDK attempts, default 2, is recorded as `failed`, and is never looped on).
 */
import type { EC2Client, EC2ClientConfig } from '@aws-sdk/client-ec2';
import type { GuardDutyClient, GuardDutyClientConfig } from '@aws-sdk/client-guardduty';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { awsClientConfig, ClientCache, providerFor, RETRY_PROFILES } from '../aws/client-pool';
import type { CrossAccountCredentials } from '../aws/credentials';

export const REMEDIATION_MAX_ATTEMPTS = RETRY_PROFILES.remediate.maxAttempts;

export interface AccountAccess {
  readonly ecs: ECSClient;
  /**
   * EC2 with the same credentials, created on first use (verification reads a task's ENI public IPs;
   * the EC2 SDK is loaded only then).
   */
  readonly ec2?: () => Promise<EC2Client>;
  /** GuardDuty with the same credentials, created on first use (verifying a runtime-threat finding). */
  readonly guardDuty?: () => Promise<GuardDutyClient>;
  /** Who acts (audit): the assumed role ARN, or the guardrail's own principal when known. */
  readonly principal?: string;
}

export interface RemediationClients {
  /** Is the account on the allow-list? (The ones that are not are counted.) */
  allows(account: string): Promise<boolean>;
  /** Throws when no credentials can be had for the account (e.g. AssumeRole denied). */
  ecs(account: string, region: string): Promise<AccountAccess>;
}

export interface AwsRemediationClientsOptions {
  readonly credentials: CrossAccountCredentials;
  /** SDK attempts per call, first try included (default 2). */
  readonly maxAttempts?: number;
  /** Extra client configuration (tests: endpoint, static home credentials). */
  readonly clientConfig?: Partial<ECSClientConfig>;
}

export class AwsRemediationClients implements RemediationClients {
  private readonly clients = new ClientCache<AccountAccess>();

  constructor(private readonly options: AwsRemediationClientsOptions) {}

  allows(account: string): Promise<boolean> {
    return this.options.credentials.allows(account);
  }

  ecs(account: string, region: string): Promise<AccountAccess> {
    return this.clients.get(`${account}/${region}`, () => this.create(account, region));
  }

  /** Forget every client and cached credential (e.g. after the emulator was reset). */
  clear(): void {
    this.clients.clear();
    this.options.credentials.clear();
  }

  private async create(account: string, region: string): Promise<AccountAccess> {
    const creds = this.options.credentials;
    const base: ECSClientConfig = {
      ...this.options.clientConfig,
      ...awsClientConfig('remediate', {
        region,
        ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
      }),
    };
    const assumed = await providerFor(creds, account, region);
    if (!assumed)
      return {
        ecs: new ECSClient(base),
        ec2: lazyEc2(base),
        guardDuty: lazyGuardDuty(base),
        principal: await creds.homePrincipal(),
      };
    const config = { ...base, credentials: assumed.provider };
    return {
      ecs: new ECSClient(config),
      ec2: lazyEc2(config),
      guardDuty: lazyGuardDuty(config),
      principal: assumed.roleArn,
    };
  }
}

/** An EC2 client on the same configuration (region, endpoint, credentials, bounded retries), made once. */
function lazyEc2(config: ECSClientConfig): () => Promise<EC2Client> {
  let client: Promise<EC2Client> | undefined;
  return () =>
    (client ??= import('../aws/network-interfaces').then((m) =>
      m.createEc2Client(config as unknown as EC2ClientConfig),
    ));
}

/** A GuardDuty client on the same configuration, made once (the SDK is loaded only then). */
function lazyGuardDuty(config: ECSClientConfig): () => Promise<GuardDutyClient> {
  let client: Promise<GuardDutyClient> | undefined;
  return () =>
    (client ??= import('@aws-sdk/client-guardduty').then(
      (m) => new m.GuardDutyClient(config as unknown as GuardDutyClientConfig),
    ));
}
