/**
 * The Slack app's secrets besides webhook URLs (./secrets.ts): the bot token (xoxb-..., an SSM
 * SecureString parameter or a Secrets Manager secret) and the request signing secret (an SSM SecureString
 * named by GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER). Read through the channels' one secret store
 * (../secret-store.ts: SecureString only, cached per warm container for a TTL, failures never cached); this
 * adds the check of each value's shape, so a wrong parameter is refused before it is sent anywhere, and
 * Slack's error type. Errors name the parameter and the AWS error code, never a value.
 */
import { ChannelConfigError } from '../errors';
import { AwsSecretStore, type AwsSecretStoreOptions } from '../secret-store';
import { WebhookConfigError } from './secrets';

export type SlackSecretKind = 'bot token' | 'signing secret';

/** What a value must look like. */
const SHAPE: Readonly<Record<SlackSecretKind, RegExp>> = {
  'bot token': /^xoxb-[A-Za-z0-9-]{10,250}$/,
  'signing secret': /^[A-Za-z0-9]{16,128}$/,
};

export type SlackAppSecretsOptions = AwsSecretStoreOptions;

export class SlackAppSecrets {
  private readonly store: AwsSecretStore;

  constructor(options: SlackAppSecretsOptions = {}) {
    this.store = new AwsSecretStore(options);
  }

  async get(name: string, kind: SlackSecretKind): Promise<string> {
    let value: string;
    try {
      value = await this.store.get(name);
    } catch (err) {
      if (!(err instanceof ChannelConfigError)) throw err;
      throw new WebhookConfigError(`the Slack ${kind}: ${err.message}`, err.retryable, err.status);
    }
    if (!SHAPE[kind].test(value)) {
      this.store.evict(name);
      throw new WebhookConfigError(`${name} does not hold a Slack ${kind}`, false);
    }
    return value;
  }

  /** Forget a value (Slack said the token is revoked: read it again next time). */
  evict(name: string): void {
    this.store.evict(name);
  }

  /** Every value read: scrubbed from anything logged. */
  known(): readonly string[] {
    return this.store.known();
  }
}
