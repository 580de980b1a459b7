import { GuardrailError } from '../errors';

/**
 * The notifier's configuration from the environment (the contract with serverless.yml):
 *
 *   GUARDRAIL_TABLE                      state table (delivery records)        required in the Lambda
 *   GUARDRAIL_OUTBOX_QUEUE_URL           the outbox queue                      required in the Lambda
 *   GUARDRAIL_OUTBOX_DLQ_URL             the outbox DLQ (dead-letter with the failure)   recommended
 *   GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT   the outbox redrive maxReceiveCount    default 5
 *   GUARDRAIL_TOPIC_ARN                  SNS topic; absent: no SNS channel
 *   GUARDRAIL_SLACK_WEBHOOK_PARAMETER    NAME of the SSM SecureString holding the default webhook URL
 *                                        (used when the policy names none); a URL here is refused
 *   GUARDRAIL_SECRET_TTL_SECONDS         how long a webhook URL is cached      default 300
 *   GUARDRAIL_NOTIFY_BACKOFF_SECONDS     first retry delay (doubles per try)   default 15
 *   GUARDRAIL_SLACK_TIMEOUT_SECONDS      one Slack request's timeout           default 10
 *   GUARDRAIL_DELIVERY_LEASE_SECONDS     delivery claim lease and unconfirmed hold (under the outbox
 *                                        visibility timeout, 180 s)          default 120
 *   GUARDRAIL_POLICY_FILE                as for the other functions
 */
export class NotifierConfigError extends GuardrailError {
  override readonly name = 'NotifierConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

export interface ChannelConfig {
  readonly topicArn?: string;
  readonly defaultWebhookParameter?: string;
  readonly secretTtlMs: number;
  /** Optional outside the Lambda (the CLI uses an in-memory ledger without it). */
  readonly tableName?: string;
}

export interface NotifierConfig extends ChannelConfig {
  readonly tableName: string;
  readonly outboxQueueUrl: string;
  readonly dlqUrl?: string;
  readonly maxReceiveCount: number;
  readonly backoffBaseSeconds: number;
  readonly slackTimeoutMs: number;
  readonly leaseMs: number;
}

const get = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

function required(env: Env, name: string): string {
  const v = get(env, name);
  if (!v) throw new NotifierConfigError(`environment variable ${name} is not set`);
  return v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new NotifierConfigError(
      `environment variable ${name} must be a whole number from ${min} to ${max}`,
    );
  return n;
}

export function readChannelConfig(env: Env = process.env): ChannelConfig {
  const parameter = get(env, 'GUARDRAIL_SLACK_WEBHOOK_PARAMETER');
  if (parameter && /^https?:/i.test(parameter))
    // Do not echo the value: it is a secret that ended up in the wrong place.
    throw new NotifierConfigError(
      'GUARDRAIL_SLACK_WEBHOOK_PARAMETER must name an SSM SecureString parameter, never hold the webhook URL',
    );
  const topicArn = get(env, 'GUARDRAIL_TOPIC_ARN');
  const tableName = get(env, 'GUARDRAIL_TABLE');
  return {
    ...(topicArn ? { topicArn } : {}),
    ...(parameter ? { defaultWebhookParameter: parameter } : {}),
    ...(tableName ? { tableName } : {}),
    secretTtlMs: int(env, 'GUARDRAIL_SECRET_TTL_SECONDS', 300, 0, 86_400) * 1000,
  };
}

export function readNotifierConfig(env: Env = process.env): NotifierConfig {
  const channels = readChannelConfig(env);
  const dlqUrl = get(env, 'GUARDRAIL_OUTBOX_DLQ_URL');
  return {
    ...channels,
    tableName: required(env, 'GUARDRAIL_TABLE'),
    outboxQueueUrl: required(env, 'GUARDRAIL_OUTBOX_QUEUE_URL'),
    ...(dlqUrl ? { dlqUrl } : {}),
    maxReceiveCount: int(env, 'GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT', 5, 1, 1000),
    backoffBaseSeconds: int(env, 'GUARDRAIL_NOTIFY_BACKOFF_SECONDS', 15, 0, 900),
    slackTimeoutMs: int(env, 'GUARDRAIL_SLACK_TIMEOUT_SECONDS', 10, 1, 60) * 1000,
    leaseMs: int(env, 'GUARDRAIL_DELIVERY_LEASE_SECONDS', 120, 1, 3600) * 1000,
  };
}
