/**
 * Slack webhook URLs are secrets: they live in SSM Parameter Store as SecureString parameters; the policy
 * and the environment only ever hold the parameter NAME. Values are cached per warm container for a TTL
 * (default 5 minutes), so a rotated webhook is picked up without a deploy, and evicted at once when Slack
 * says the webhook is gone (4xx). A plain String parameter is refused: the secret must be encrypted.
 *
 * Webhook URLs are read from SSM only; the bot token (SSM or Secrets Manager) and the signing secret are
 * read by ./app-secrets.ts.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { notifyClientConfig } from '../../clients';
import { GuardrailError } from '../../../base/errors';
import { classifyAwsError } from '../../../aws/classify';

export class WebhookConfigError extends GuardrailError {
  override readonly name = 'WebhookConfigError';
  constructor(
    message: string,
    /** False when trying again cannot help until someone fixes the configuration. */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface SecretSource {
  /** The secret value held by the named parameter. */
  get(name: string): Promise<string>;
  /** Forget a cached value (e.g. Slack answered 404: the webhook was revoked or rotated). */
  evict(name: string): void;
  /** Every value currently cached: callers scrub these from anything they log. */
  known(): readonly string[];
}

export interface SsmSecretSourceOptions {
  /** A client (tests); by default one is created from the environment on first use. */
  readonly client?: SSMClient;
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** Refuse parameters that are not SecureString (default true). */
  readonly requireSecureString?: boolean;
}

interface Entry {
  readonly value: Promise<string>;
  readonly expires: number;
  settled?: string;
}

export class SsmSecretSource implements SecretSource {
  private readonly cache = new Map<string, Entry>();
  private client: Promise<SSMClient> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly requireSecureString: boolean;

  constructor(options: SsmSecretSourceOptions = {}) {
    if (options.client) this.client = Promise.resolve(options.client);
    this.ttlMs = options.ttlMs ?? 300_000;
    this.now = options.now ?? Date.now;
    this.requireSecureString = options.requireSecureString ?? true;
  }

  get(name: string): Promise<string> {
    const hit = this.cache.get(name);
    if (hit && hit.expires > this.now()) return hit.value;
    const entry: Entry = { value: this.fetch(name), expires: this.now() + this.ttlMs };
    this.cache.set(name, entry);
    entry.value.then(
      (v) => {
        entry.settled = v;
      },
      () => {
        // Never cache a failure: the next message tries SSM again.
        if (this.cache.get(name) === entry) this.cache.delete(name);
      },
    );
    return entry.value;
  }

  evict(name: string): void {
    this.cache.delete(name);
  }

  known(): readonly string[] {
    return [...this.cache.values()].flatMap((e) => (e.settled ? [e.settled] : []));
  }

  private async fetch(name: string): Promise<string> {
    const { SSMClient: Client, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    this.client ??= Promise.resolve(new Client(notifyClientConfig()));
    const client = await this.client;
    let parameter;
    try {
      ({ Parameter: parameter } = await client.send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
      ));
    } catch (err) {
      const { code, permanent, status } = classifyAwsError(err);
      throw new WebhookConfigError(
        `cannot read Slack webhook parameter ${name} (${code})`,
        !permanent,
        status,
      );
    }
    if (this.requireSecureString && parameter?.Type !== 'SecureString')
      throw new WebhookConfigError(
        `Slack webhook parameter ${name} must be a SecureString (it is ${parameter?.Type ?? 'missing'})`,
        false,
      );
    const value = parameter?.Value?.trim();
    if (!value || !/^https?:\/\/[^\s]+$/.test(value))
      throw new WebhookConfigError(`Slack webhook parameter ${name} does not hold a webhook URL`, false);
    return value;
  }
}

/** A fixed map of secrets (CLI tests, benchmarks). */
export class StaticSecretSource implements SecretSource {
  constructor(private readonly values: Readonly<Record<string, string>>) {}
  async get(name: string): Promise<string> {
    const v = this.values[name];
    if (v === undefined) throw new WebhookConfigError(`no Slack webhook for parameter ${name}`, false);
    return v;
  }
  evict(_name: string): void {}
  known(): readonly string[] {
    return Object.values(this.values);
  }
}

/** Replace every known secret in `text` by `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}
