/**
 * The one reader of the environment: the contract between serverless.yml and the functions (and the
 * CLI's `--notify`, which reads the same channel variables). Every variable is read here, nowhere else;
 * a missing or malformed one is a deployment error (ConfigError naming the variable, never its value),
 * never a silent fallback.
 *
 *   GUARDRAIL_TABLE                      state table                                        pipeline, notifier, sweep
 *   GUARDRAIL_OUTBOX_QUEUE_URL           the outbox queue                                   pipeline, notifier (sweep: optional)
 *   GUARDRAIL_POLICY_FILE                default `guardrail.policy.yml`, resolved against LAMBDA_TASK_ROOT
 *                                        or the working directory                           every function
 *   GUARDRAIL_ENRICH                     default true                                       pipeline
 *   GUARDRAIL_ROLE_ARNS                  the functions' own execution roles (comma-separated): added to
 *                                        the policy's remediation.guardrailRoleArns          pipeline
 *   GUARDRAIL_OUTBOX_DLQ_URL             the outbox DLQ (dead-letter with the failure)       notifier
 *   GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT   the outbox redrive maxReceiveCount, default 5       notifier
 *   GUARDRAIL_TOPIC_ARN                  SNS topic; absent: no SNS channel                   notifier, CLI
 *   GUARDRAIL_SLACK_WEBHOOK_PARAMETER    NAME of the SSM SecureString holding the default webhook URL
 *                                        (used when the policy names none); a URL is refused notifier, CLI
 *   GUARDRAIL_SECRET_TTL_SECONDS         how long a webhook URL is cached, default 300       notifier, CLI
 *   GUARDRAIL_NOTIFY_BACKOFF_SECONDS     first retry delay (doubles per try), default 15     notifier
 *   GUARDRAIL_SLACK_TIMEOUT_SECONDS      one Slack request's timeout, default 10             notifier
 *   GUARDRAIL_DELIVERY_LEASE_SECONDS     delivery claim lease and unconfirmed hold (under the outbox
 *                                        visibility timeout, 180 s), default 120             notifier
 *   GUARDRAIL_SWEEP_CONCURRENCY          default 4                                          sweep
 *   GUARDRAIL_SWEEP_NOTIFY               default true (needs GUARDRAIL_OUTBOX_QUEUE_URL)     sweep
 *   GUARDRAIL_SWEEP_NOTIFY_MAX           default 50                                         sweep
 *   GUARDRAIL_SWEEP_REGIONS              regions of the organization sweep: R1,R2 or all,
 *                                        default the function's region (AWS_REGION)         sweep-plan
 *   GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER  NAME of the SSM SecureString holding the Slack app's
 *                                        signing secret; a value that looks like the secret is refused
 *                                                                                           slack-interactions
 *   GUARDRAIL_SLACK_JOBS_QUEUE_URL       the queue of Slack button presses                  slack-interactions,
 *                                                                                           slack-actions
 *
 * Set by Lambda or serverless.yml for Powertools and the handlers (readRuntime): POWERTOOLS_SERVICE_NAME
 * (default ecs-guardrail), POWERTOOLS_METRICS_NAMESPACE (default EcsGuardrail), AWS_LAMBDA_FUNCTION_NAME,
 * AWS_REGION.
 */
import { isAbsolute, resolve } from 'node:path';
import { GuardrailError } from '../../shared/base/errors';

export const DEFAULT_POLICY_FILE = 'guardrail.policy.yml';

export class ConfigError extends GuardrailError {
  override readonly name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

const get = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

function required(env: Env, name: string): string {
  const v = get(env, name);
  if (!v) throw new ConfigError(`environment variable ${name} is not set`);
  return v;
}

export function parseFlag(value: string | undefined, name: string, fallback: boolean): boolean {
  const v = value?.trim().toLowerCase();
  if (!v) return fallback;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`environment variable ${name} must be true or false`);
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(
      max === Number.MAX_SAFE_INTEGER && min === 1
        ? `environment variable ${name} must be a positive integer`
        : `environment variable ${name} must be a whole number from ${min} to ${max}`,
    );
  return n;
}

const positiveInt = (env: Env, name: string, fallback: number): number =>
  int(env, name, fallback, 1, Number.MAX_SAFE_INTEGER);

/** Absolute path of the policy file (GUARDRAIL_POLICY_FILE). */
export function resolvePolicyFile(env: Env, cwd: string = process.cwd()): string {
  const file = get(env, 'GUARDRAIL_POLICY_FILE') ?? DEFAULT_POLICY_FILE;
  return isAbsolute(file) ? file : resolve(get(env, 'LAMBDA_TASK_ROOT') ?? cwd, file);
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** GUARDRAIL_ROLE_ARNS: comma-separated IAM role ARNs (empty or unset: none). */
export function parseRoleArns(value: string | undefined): string[] {
  const arns = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const arn of arns)
    if (!ROLE_ARN.test(arn))
      throw new ConfigError('environment variable GUARDRAIL_ROLE_ARNS must be comma-separated IAM role ARNs');
  return arns;
}

/** What Lambda and serverless.yml set for every function. */
export interface RuntimeConfig {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** The deployed function's name (AWS_LAMBDA_FUNCTION_NAME), e.g. `ecs-guardrail-prod-throttling`. */
  readonly functionName?: string;
  readonly region?: string;
}

export function readRuntime(env: Env = process.env): RuntimeConfig {
  const functionName = get(env, 'AWS_LAMBDA_FUNCTION_NAME');
  const region = get(env, 'AWS_REGION');
  return {
    serviceName: get(env, 'POWERTOOLS_SERVICE_NAME') ?? 'ecs-guardrail',
    metricsNamespace: get(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? 'EcsGuardrail',
    ...(functionName ? { functionName } : {}),
    ...(region ? { region } : {}),
  };
}

/** The event functions (ecs-state-change, cloudtrail-api-call, throttling). */
export interface PipelineConfig {
  readonly tableName: string;
  readonly outboxQueueUrl: string;
  /** Absolute path of the policy file. */
  readonly policyFile: string;
  readonly enrich: boolean;
  /** The guardrail's own execution roles (GUARDRAIL_ROLE_ARNS): never remediate what they caused. */
  readonly guardrailRoleArns: readonly string[];
  /**
   * Hours a running task stays in the inventory after its last RUNNING event or sweep
   * (GUARDRAIL_RUNNING_TTL_HOURS, default 72: the sweep sees it every 6 hours; docs/running.md).
   */
  readonly runningTtlHours: number;
}

/** GUARDRAIL_RUNNING_TTL_HOURS: 1 hour to 90 days, default 72 (docs/running.md). */
function runningTtlHours(env: Env): number {
  return int(env, 'GUARDRAIL_RUNNING_TTL_HOURS', 72, 1, 24 * 90);
}

export function readPipelineConfig(env: Env = process.env): PipelineConfig {
  return {
    tableName: required(env, 'GUARDRAIL_TABLE'),
    outboxQueueUrl: required(env, 'GUARDRAIL_OUTBOX_QUEUE_URL'),
    policyFile: resolvePolicyFile(env),
    enrich: parseFlag(env.GUARDRAIL_ENRICH, 'GUARDRAIL_ENRICH', true),
    guardrailRoleArns: parseRoleArns(env.GUARDRAIL_ROLE_ARNS),
    runningTtlHours: runningTtlHours(env),
  };
}

/** The delivery channels (the notifier, and `guardrail evaluate --notify`). */
export interface ChannelConfig {
  readonly topicArn?: string;
  readonly defaultWebhookParameter?: string;
  readonly secretTtlMs: number;
  /** Optional outside the Lambda (the CLI uses an in-memory ledger without it). */
  readonly tableName?: string;
}

export function readChannelConfig(env: Env = process.env): ChannelConfig {
  const parameter = get(env, 'GUARDRAIL_SLACK_WEBHOOK_PARAMETER');
  if (parameter && /^https?:/i.test(parameter))
    // Do not echo the value: it is a secret that ended up in the wrong place.
    throw new ConfigError(
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

/** The notifier function. */
export interface NotifierConfig extends ChannelConfig {
  readonly tableName: string;
  readonly outboxQueueUrl: string;
  readonly dlqUrl?: string;
  readonly maxReceiveCount: number;
  readonly backoffBaseSeconds: number;
  readonly slackTimeoutMs: number;
  readonly leaseMs: number;
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

/** The scheduled sweep function, and the per-pair sweep of the organization sweep. */
export interface SweepConfig {
  readonly tableName: string;
  readonly policyFile: string;
  readonly concurrency: number;
  /** Set when the sweep queues the findings it opens (GUARDRAIL_SWEEP_NOTIFY and a queue URL). */
  readonly notify?: { readonly queueUrl: string; readonly max: number };
  /** Hours a running task the sweep saw stays in the inventory (GUARDRAIL_RUNNING_TTL_HOURS, default 72). */
  readonly runningTtlHours: number;
}

export function readSweepConfig(env: Env = process.env): SweepConfig {
  const tableName = required(env, 'GUARDRAIL_TABLE');
  const queueUrl = get(env, 'GUARDRAIL_OUTBOX_QUEUE_URL');
  const notify = parseFlag(env.GUARDRAIL_SWEEP_NOTIFY, 'GUARDRAIL_SWEEP_NOTIFY', true) && queueUrl;
  return {
    tableName,
    policyFile: resolvePolicyFile(env),
    concurrency: positiveInt(env, 'GUARDRAIL_SWEEP_CONCURRENCY', 4),
    ...(notify ? { notify: { queueUrl, max: positiveInt(env, 'GUARDRAIL_SWEEP_NOTIFY_MAX', 50) } } : {}),
    runningTtlHours: runningTtlHours(env),
  };
}

/** The organization sweep's plan function. */
export interface SweepPlanConfig {
  readonly policyFile: string;
  /** GUARDRAIL_SWEEP_REGIONS as written (`all` or a comma-separated list), validated by the plan. */
  readonly regions: string;
}

export function readSweepPlanConfig(env: Env = process.env): SweepPlanConfig {
  const regions = get(env, 'GUARDRAIL_SWEEP_REGIONS') ?? get(env, 'AWS_REGION');
  if (!regions)
    throw new ConfigError('environment variable GUARDRAIL_SWEEP_REGIONS is not set (nor AWS_REGION)');
  return { policyFile: resolvePolicyFile(env), regions };
}

const SSM_PARAMETER_NAME = /^(arn:aws[\w-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/** The Slack interactivity endpoint (functions/slack-interactions.ts). */
export interface SlackInteractionsConfig {
  readonly tableName: string;
  readonly jobsQueueUrl: string;
  readonly signingSecretParameter: string;
  readonly policyFile: string;
  readonly secretTtlMs: number;
}

export function readSlackInteractionsConfig(env: Env = process.env): SlackInteractionsConfig {
  const parameter = required(env, 'GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER');
  // A signing secret is 32 hex characters: one here is a secret in the wrong place (never echoed).
  if (/^[0-9a-f]{32}$/i.test(parameter) || !SSM_PARAMETER_NAME.test(parameter))
    throw new ConfigError(
      'GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER must name an SSM SecureString parameter, never hold the signing secret',
    );
  return {
    tableName: required(env, 'GUARDRAIL_TABLE'),
    jobsQueueUrl: required(env, 'GUARDRAIL_SLACK_JOBS_QUEUE_URL'),
    signingSecretParameter: parameter,
    policyFile: resolvePolicyFile(env),
    secretTtlMs: int(env, 'GUARDRAIL_SECRET_TTL_SECONDS', 300, 0, 86_400) * 1000,
  };
}

/** The worker of the Slack buttons (functions/slack-actions.ts). */
export interface SlackActionsConfig {
  readonly tableName: string;
  readonly outboxQueueUrl: string;
  readonly policyFile: string;
  readonly guardrailRoleArns: readonly string[];
}

export function readSlackActionsConfig(env: Env = process.env): SlackActionsConfig {
  return {
    tableName: required(env, 'GUARDRAIL_TABLE'),
    outboxQueueUrl: required(env, 'GUARDRAIL_OUTBOX_QUEUE_URL'),
    policyFile: resolvePolicyFile(env),
    guardrailRoleArns: parseRoleArns(env.GUARDRAIL_ROLE_ARNS),
  };
}
