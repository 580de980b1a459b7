/**
 * The Slack app's secrets besides webhook URLs (./secrets.ts): the bot token (xoxb-..., an SSM
 * SecureString parameter or a Secrets Manager secret) and the request signing secret (an SSM SecureString
 * named by GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER). Never from the environment, never logged: an error
 * names the parameter and the AWS error code, never a value. Cached per warm container for a TTL (default
 * 5 minutes) so a rotation is picked up without a deploy; a failure is never cached.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../../aws/classify';
import { notifyClientConfig } from '../../clients';
import { WebhookConfigError } from './secrets';

export type SlackSecretKind = 'bot token' | 'signing secret';

const SECRETS_MANAGER_ARN = /^arn:aws[\w-]*:secretsmanager:/;

/** What a value must look like, so a wrong parameter is refused before it is sent anywhere. */
const SHAPE: Readonly<Record<SlackSecretKind, RegExp>> = {
  'bot token': /^xoxb-[A-Za-z0-9-]{10,250}$/,
  'signing secret': /^[A-Za-z0-9]{16,128}$/,
};

export interface SlackAppSecretsOptions {
  readonly ssm?: SSMClient;
  readonly secretsManager?: SecretsManagerClient;
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** Configuration of the clients created on first use (default: the notifier's timeouts). */
  readonly clientConfig?: ReturnType<typeof notifyClientConfig>;
}

export class SlackAppSecrets {
  private readonly cache = new Map<string, { value: Promise<string>; expires: number; settled?: string }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private ssm: SSMClient | undefined;
  private secretsManager: SecretsManagerClient | undefined;
  private readonly clientConfig: ReturnType<typeof notifyClientConfig>;

  constructor(options: SlackAppSecretsOptions = {}) {
    this.clientConfig = options.clientConfig ?? notifyClientConfig();
    this.ssm = options.ssm;
    this.secretsManager = options.secretsManager;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  get(name: string, kind: SlackSecretKind): Promise<string> {
    const key = `${kind}\n${name}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    const entry: { value: Promise<string>; expires: number; settled?: string } = {
      value: this.fetch(name, kind),
      expires: this.now() + this.ttlMs,
    };
    this.cache.set(key, entry);
    entry.value.then(
      (v) => (entry.settled = v),
      () => {
        if (this.cache.get(key) === entry) this.cache.delete(key);
      },
    );
    return entry.value;
  }

  /** Forget a value (Slack said the token is revoked: read it again next time). */
  evict(name: string, kind: SlackSecretKind): void {
    this.cache.delete(`${kind}\n${name}`);
  }

  /** Every value read: scrubbed from anything logged. */
  known(): readonly string[] {
    return [...this.cache.values()].flatMap((e) => (e.settled ? [e.settled] : []));
  }

  private async fetch(name: string, kind: SlackSecretKind): Promise<string> {
    let value: string | undefined;
    try {
      value = SECRETS_MANAGER_ARN.test(name)
        ? await this.fromSecretsManager(name)
        : await this.fromSsm(name, kind);
    } catch (err) {
      if (err instanceof WebhookConfigError) throw err;
      const { code, permanent, status } = classifyAwsError(err);
      throw new WebhookConfigError(
        `cannot read the Slack ${kind} from ${name} (${code})`,
        !permanent,
        status,
      );
    }
    const trimmed = value?.trim();
    if (!trimmed || !SHAPE[kind].test(trimmed))
      throw new WebhookConfigError(`${name} does not hold a Slack ${kind}`, false);
    return trimmed;
  }

  private async fromSsm(name: string, kind: SlackSecretKind): Promise<string | undefined> {
    const { SSMClient: Client, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    this.ssm ??= new Client(this.clientConfig);
    const { Parameter } = await this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (Parameter?.Type !== 'SecureString')
      throw new WebhookConfigError(
        `the Slack ${kind} parameter ${name} must be a SecureString (it is ${Parameter?.Type ?? 'missing'})`,
        false,
      );
    return Parameter.Value;
  }

  private async fromSecretsManager(arn: string): Promise<string | undefined> {
    const { SecretsManagerClient: Client, GetSecretValueCommand } =
      await import('@aws-sdk/client-secrets-manager');
    this.secretsManager ??= new Client(this.clientConfig);
    return (await this.secretsManager.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  }
}
