/**
 * The secrets of the PagerDuty, Jira, Microsoft Teams and webhook channels (routing keys, API tokens,
 * webhook URLs, signing secrets). The policy names where a secret lives, never its value:
 *   - an SSM SecureString parameter name (`/guardrail/pagerduty/payments`), or
 *   - a Secrets Manager secret ARN (`arn:aws:secretsmanager:eu-west-1:111122223333:secret:guardrail/jira-AbCdEf`).
 * A plain String parameter is refused: the secret must be encrypted. Values are cached per warm container
 * for a TTL (default 5 minutes; a failure is never cached) and evicted when the service says the secret
 * is wrong (401/403/404). Every value read is handed to the notifier's scrubber (`known`), and errors name
 * the reference only.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { classifyAwsError } from '../../aws/classify';
import { notifyClientConfig } from '../clients';
import { ChannelConfigError } from './errors';

/** Where a secret reference points: Secrets Manager for a secret ARN, SSM Parameter Store otherwise. */
export function secretKind(ref: string): 'secretsmanager' | 'ssm' {
  return /^arn:aws[\w-]*:secretsmanager:/.test(ref) ? 'secretsmanager' : 'ssm';
}

export interface SecretStore {
  get(ref: string): Promise<string>;
  evict(ref: string): void;
  /** Every value currently cached: scrubbed from everything logged. */
  known(): readonly string[];
}

export interface AwsSecretStoreOptions {
  readonly ssm?: SSMClient;
  readonly secretsManager?: SecretsManagerClient;
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** Configuration of the clients created on first use (default: the notifier's timeouts). */
  readonly clientConfig?: ReturnType<typeof notifyClientConfig>;
}

interface Entry {
  readonly value: Promise<string>;
  readonly expires: number;
  settled?: string;
}

export class AwsSecretStore implements SecretStore {
  private readonly cache = new Map<string, Entry>();
  private ssm: Promise<SSMClient> | undefined;
  private secretsManager: Promise<SecretsManagerClient> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly clientConfig: ReturnType<typeof notifyClientConfig>;

  constructor(o: AwsSecretStoreOptions = {}) {
    this.clientConfig = o.clientConfig ?? notifyClientConfig();
    if (o.ssm) this.ssm = Promise.resolve(o.ssm);
    if (o.secretsManager) this.secretsManager = Promise.resolve(o.secretsManager);
    this.ttlMs = o.ttlMs ?? 300_000;
    this.now = o.now ?? Date.now;
  }

  get(ref: string): Promise<string> {
    const hit = this.cache.get(ref);
    if (hit && hit.expires > this.now()) return hit.value;
    const entry: Entry = { value: this.read(ref), expires: this.now() + this.ttlMs };
    this.cache.set(ref, entry);
    entry.value.then(
      (v) => {
        entry.settled = v;
      },
      () => {
        if (this.cache.get(ref) === entry) this.cache.delete(ref);
      },
    );
    return entry.value;
  }

  evict(ref: string): void {
    this.cache.delete(ref);
  }

  known(): readonly string[] {
    return [...this.cache.values()].flatMap((e) => (e.settled ? [e.settled] : []));
  }

  private async read(ref: string): Promise<string> {
    let value: string | undefined;
    try {
      value =
        secretKind(ref) === 'secretsmanager' ? await this.fromSecretsManager(ref) : await this.fromSsm(ref);
    } catch (err) {
      if (err instanceof ChannelConfigError) throw err;
      const { code, permanent, status } = classifyAwsError(err);
      throw new ChannelConfigError(`cannot read secret ${ref} (${code})`, !permanent, status);
    }
    const trimmed = value?.trim();
    if (!trimmed) throw new ChannelConfigError(`secret ${ref} is empty`);
    return trimmed;
  }

  private async fromSsm(name: string): Promise<string | undefined> {
    const { SSMClient: Client, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    this.ssm ??= Promise.resolve(new Client(this.clientConfig));
    const { Parameter: p } = await (
      await this.ssm
    ).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (p?.Type !== 'SecureString')
      throw new ChannelConfigError(
        `parameter ${name} must be a SecureString (it is ${p?.Type ?? 'missing'})`,
      );
    return p.Value;
  }

  private async fromSecretsManager(arn: string): Promise<string | undefined> {
    const m = await import('@aws-sdk/client-secrets-manager');
    this.secretsManager ??= Promise.resolve(new m.SecretsManagerClient(this.clientConfig));
    const out = await (await this.secretsManager).send(new m.GetSecretValueCommand({ SecretId: arn }));
    if (out.SecretString === undefined) throw new ChannelConfigError(`secret ${arn} holds no SecretString`);
    return out.SecretString;
  }
}

/** A fixed map of secrets (unit tests, benchmarks). */
export class StaticSecretStore implements SecretStore {
  constructor(private readonly values: Readonly<Record<string, string>>) {}
  async get(ref: string): Promise<string> {
    const v = this.values[ref];
    if (v === undefined) throw new ChannelConfigError(`no secret ${ref}`);
    return v;
  }
  evict(_ref: string): void {}
  known(): readonly string[] {
    return Object.values(this.values);
  }
}
