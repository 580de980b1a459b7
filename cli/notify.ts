/**
 * Direct delivery for `guardrail evaluate --notify` (backfills from CloudTrail log files): the same
 * Notifier as the Lambda, without the outbox queue. Channels come from the policy and the environment
 * (GUARDRAIL_TOPIC_ARN, GUARDRAIL_SLACK_WEBHOOK_PARAMETER; Security Hub when the policy enables it;
 * PagerDuty, Jira, Microsoft Teams, email and webhooks from their policy sections).
 * With GUARDRAIL_TABLE set, delivery records go to that table, so re-running the same backfill does not
 * post twice; without it they are kept in memory for the run.
 *
 * A Slack 429 is waited out when Slack asks for at most `maxWaitMs` (default 30 s), and the remaining
 * deliveries retried, up to `rounds` times; only channels that still lack a message are retried. A longer
 * Retry-After, or a request that got no answer in time (the channel may have the message), fails that
 * delivery at once with a message saying so (exit 4): the CLI never sleeps for a day, never re-posts
 * blindly.
 */
import { readChannelConfig, type ChannelConfig } from '../functions/edge/env';
import { modeNotifies, type Finding } from '../shared/model/finding';
import { notifyClientConfig } from '../shared/notify/clients';
import { MemoryDeliveryLedger, type DeliveryLedger } from '../shared/notify/ledger';
import { Notifier, type NotifierDeps } from '../shared/notify/notifier';
import { dedupeIdOf } from '../shared/notify/outbox';
import type { DeliveryFailure, Notification, NotifyLogger } from '../shared/notify/types';
import { silentLogger } from '../shared/notify/types';
import { SsmSecretSource } from '../shared/notify/channels/slack/secrets';
import { AwsSecretStore } from '../shared/notify/channels/secret-store';
import type { IssueRefStore } from '../shared/notify/channels/jira/issue-refs';
import type { Policy } from '../shared/policy/types';

export interface DirectNotifyOptions {
  readonly config?: ChannelConfig;
  readonly ledger?: DeliveryLedger;
  readonly logger?: NotifyLogger;
  /** Extra rounds for retryable failures (default 3). */
  readonly rounds?: number;
  /** Longest wait between rounds the CLI accepts (a longer Retry-After fails the delivery; default 30 s). */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Overrides for tests (clients, secrets). */
  readonly deps?: Partial<
    Pick<
      NotifierDeps,
      'sns' | 'slack' | 'securityHub' | 'pagerduty' | 'jira' | 'microsoftTeams' | 'email' | 'webhook'
    >
  >;
}

export interface DirectNotifyResult {
  /** Findings given a notification (in notify or remediate mode, not exempted). */
  readonly notifications: number;
  /** Deliveries made (one per finding and target). */
  readonly delivered: number;
  readonly alreadyDelivered: number;
  /** Findings whose routing chose no target at all. */
  readonly unrouted: number;
  readonly failures: readonly (DeliveryFailure & { readonly findingId: string })[];
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const DEFAULT_MAX_WAIT_MS = 30_000;

/** Which findings a backfill notifies: rules in notify or remediate mode, not under a valid exemption. */
export function notifiable(f: Finding): boolean {
  const exempted = f.exemption !== undefined && !f.exemption.expired;
  return !exempted && modeNotifies(f.mode);
}

/** Whether any channel is configured at all (else --notify is a usage error). */
export function channelsConfigured(policy: Policy, config: ChannelConfig): boolean {
  const n = policy.notifications;
  const sns = Boolean(config.topicArn) && (n?.sns.enabled ?? true);
  const slack =
    (n?.slack.enabled ?? true) &&
    Boolean(
      n?.slack.webhookParameter ?? config.defaultWebhookParameter ?? Object.keys(n?.slack.teams ?? {}).length,
    );
  return sns || slack || Boolean(n?.securityHub.enabled) || otherChannelsConfigured(n);
}

/** PagerDuty, Jira, Microsoft Teams, email, webhook: on and naming where their messages go. */
function otherChannelsConfigured(n: Policy['notifications']): boolean {
  const routed = (s: { enabled: boolean; teams: object } | undefined, given: unknown): boolean =>
    Boolean(s?.enabled && (given || Object.keys(s.teams).length));
  return (
    routed(n?.pagerduty, n?.pagerduty.routingKeyParameter) ||
    (routed(n?.jira, n?.jira.projectKey) && Boolean(n?.jira.site && n.jira.credentialsParameter)) ||
    routed(n?.microsoftTeams, n?.microsoftTeams.webhookParameter) ||
    (routed(n?.email, n?.email.to.length) && Boolean(n?.email.from)) ||
    routed(n?.webhook, n?.webhook.urlParameter)
  );
}

export async function createLedgerFromConfig(config: ChannelConfig): Promise<DeliveryLedger> {
  if (!config.tableName) return new MemoryDeliveryLedger();
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoDbDeliveryLedger }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('../shared/notify/ledger'),
  ]);
  return new DynamoDbDeliveryLedger({
    client: DynamoDBDocumentClient.from(new DynamoDBClient(notifyClientConfig()), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: config.tableName,
  });
}

/**
 * The HTTP channels' dependencies: one secret cache, Slack's inline wait; Jira's issue keys in the table
 * when GUARDRAIL_TABLE is set (else for the run: a later run still finds the issue by its label).
 */
async function otherChannelDeps(config: ChannelConfig): Promise<Partial<NotifierDeps>> {
  const secrets = new AwsSecretStore({ ttlMs: config.secretTtlMs });
  const http = { maxInlineWaitMs: 30_000 };
  let refs: IssueRefStore | undefined;
  if (config.tableName) {
    const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoDbIssueRefStore }] = await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('@aws-sdk/lib-dynamodb'),
      import('../shared/notify/channels/jira/dynamodb-issue-refs'),
    ]);
    refs = new DynamoDbIssueRefStore(
      DynamoDBDocumentClient.from(new DynamoDBClient(notifyClientConfig())),
      config.tableName,
    );
  }
  return {
    pagerduty: { secrets, http },
    jira: { secrets, http, ...(refs ? { refs } : {}) },
    microsoftTeams: { secrets, http },
    webhook: { secrets, http },
  };
}

export async function notifyFindings(
  findings: readonly Finding[],
  policy: Policy,
  options: DirectNotifyOptions = {},
): Promise<DirectNotifyResult> {
  const config = options.config ?? readChannelConfig();
  const sleep = options.sleep ?? defaultSleep;
  const notifier = new Notifier({
    policy,
    ledger: options.ledger ?? (await createLedgerFromConfig(config)),
    logger: options.logger ?? silentLogger,
    ...(config.topicArn ? { sns: { topicArn: config.topicArn } } : {}),
    slack: {
      secrets: new SsmSecretSource({ ttlMs: config.secretTtlMs }),
      ...(config.defaultWebhookParameter ? { defaultWebhookParameter: config.defaultWebhookParameter } : {}),
      post: { maxInlineWaitMs: 30_000 },
    },
    ...(await otherChannelDeps(config)),
    ...options.deps,
  });
  let pending: Notification[] = findings.filter(notifiable).map((finding) => ({
    finding,
    kind: 'opened',
    // A backfill of the same event always carries the same id: a re-run skips what was delivered.
    dedupeId: dedupeIdOf(finding.findingId, 'opened', `event:${finding.event.id}`),
  }));
  const total = pending.length;
  const unrouted = pending.filter((n) => notifier.targetsOf(n).length === 0).length;
  let delivered = 0;
  let alreadyDelivered = 0;
  const failures: (DeliveryFailure & { findingId: string })[] = [];
  const rounds = options.rounds ?? 3;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  /** Why a failure is not retried by this run, or undefined when a later round may retry it. */
  const finalReason = (f: DeliveryFailure): string | undefined => {
    if (!f.retryable) return undefined;
    if (f.unconfirmed) return 'no answer in time, the channel may have it: not sent again';
    if ((f.retryAfterMs ?? 0) > maxWaitMs)
      return `asked to wait ${Math.ceil(f.retryAfterMs! / 1000)} s, longer than --notify waits (${Math.ceil(maxWaitMs / 1000)} s): run again later`;
    return undefined;
  };
  for (let round = 0; round <= rounds && pending.length; round++) {
    const results = await notifier.deliver(pending);
    const retry: Notification[] = [];
    let wait = 0;
    for (const r of results) {
      delivered += r.delivered.length;
      // Later rounds see the earlier rounds' deliveries as already delivered: count those once.
      if (round === 0) alreadyDelivered += r.alreadyDelivered.length;
      const stopped = r.failures.some((f) => finalReason(f) !== undefined);
      const again = round < rounds && !stopped && r.failures.some((f) => f.retryable);
      if (again) {
        retry.push(r.notification);
        for (const f of r.failures) wait = Math.max(wait, f.retryAfterMs ?? 0);
      } else
        for (const f of r.failures) {
          const why = finalReason(f);
          failures.push({
            ...f,
            ...(why ? { message: `${f.message}; ${why}` } : {}),
            findingId: r.notification.finding.findingId,
          });
        }
    }
    pending = retry;
    if (pending.length) await sleep(Math.max(wait, 1000 * 2 ** round));
  }
  return { notifications: total, delivered, alreadyDelivered, unrouted, failures };
}

/** Why `--notify` cannot run, or undefined when at least one channel is configured. */
export function notifyConfigProblem(
  policy: Policy,
  config: ChannelConfig = readChannelConfig(),
): string | undefined {
  return channelsConfigured(policy, config)
    ? undefined
    : '--notify: no channel configured (set GUARDRAIL_TOPIC_ARN, notifications.slack.webhookParameter or GUARDRAIL_SLACK_WEBHOOK_PARAMETER, or enable notifications.securityHub in the policy)';
}

/** `guardrail evaluate --notify`: deliver, report on stderr; true when nothing failed. */
export async function notifyForCli(
  findings: readonly Finding[],
  policy: Policy,
  stderr: (s: string) => void,
  options: DirectNotifyOptions = {},
): Promise<boolean> {
  const r = await notifyFindings(findings, policy, options);
  for (const f of r.failures)
    stderr(
      `guardrail: notify: finding ${f.findingId} not delivered to ${f.target}: ${f.error}${f.status !== undefined ? ` (HTTP ${f.status})` : ''}: ${f.message}\n`,
    );
  stderr(
    `guardrail: notify: ${r.notifications} finding(s), ${r.delivered} delivery(ies)` +
      `${r.alreadyDelivered ? `, ${r.alreadyDelivered} already delivered earlier` : ''}` +
      `${r.unrouted ? `, ${r.unrouted} below every channel's minimum severity` : ''}` +
      `${r.failures.length ? `, ${r.failures.length} failed` : ''}\n`,
  );
  return r.failures.length === 0;
}
