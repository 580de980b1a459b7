/**
 * AWS Security Hub: only when `notifications.securityHub.enabled` (off by default), at or above its
 * `minSeverity`. BatchImportFindings of `toAsff` (./asff.ts), at most 100 findings a call; findings the
 * response lists in FailedFindings are imported again (with backoff), never dropped: what still fails is
 * returned as a retryable failure, so the message is retried and, at worst, dead-lettered. An import is
 * idempotent (by finding Id), so an unanswered one is simply tried again.
 *
 * Every account's findings land in that account's Security Hub, in the finding's region: with the default
 * product ARN, BatchImportFindings accepts only findings whose AwsAccountId is the calling account (the
 * administrator account cannot import for its members). A member account's findings are therefore
 * imported with its findings role (policy `organization.findingsRoleName`, default
 * `ecs-guardrail-findings`, assumed through shared/aws/credentials.ts); the home account's with the
 * notifier's own credentials. Resolved findings are re-imported there as ARCHIVED.
 */
import { securityHubSpec } from '../../../plugins/channels/securityhub';
import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { AccountAccessError } from '../../../aws/call-error';
import { ClientCache, providerFor, type CredentialsSource } from '../../../aws/client-pool';
import type { OrganizationPolicy } from '../../../policy/types';
import { callBudgetMs, NOTIFY_HTTP_TIMEOUTS, notifyClientConfig } from '../../clients';
import type { DeliveryFailure, Notification } from '../../types';
import { atLeast, defineChannel, type ChannelSection, type Outcome, type Target } from '../channel';
import { failureFrom, notAttempted } from '../delivery';
import { ASFF_BATCH_LIMIT, toAsff } from './asff';

export type SecurityHubDeps = {
  /** The client of the home account's findings (tests); default: one per region, ambient credentials. */
  readonly client?: SecurityHubClient;
  /** Credentials per account (the findings role); default: from `organization` on first use. */
  readonly credentials?: CredentialsSource;
  /** The policy's organization section: the findings role to assume in member accounts. */
  readonly organization?: Pick<OrganizationPolicy, 'findingsRoleName' | 'externalId'>;
} & SecurityHubOptions;

/** A Security Hub client for one region, with the given credentials (undefined: the ambient ones). */
export function createSecurityHubClient(
  region?: string,
  credentials?: AwsCredentialIdentityProvider,
): Promise<SecurityHubClient> {
  return import('@aws-sdk/client-securityhub').then(
    (m) =>
      new m.SecurityHubClient({
        ...notifyClientConfig(),
        ...(region ? { region } : {}),
        ...(credentials ? { credentials } : {}),
      }),
  );
}

const SECURITY_HUB_TARGET: Target = { key: 'securityhub', channel: 'securityHub' };

export interface SecurityHubOptions {
  /** Imports of the findings a response lists as failed, after the first call (default 2). */
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  /** Epoch ms: no re-import starts unless its backoff and one whole call fit before it. */
  readonly deadline?: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Split into calls of at most 100 findings, never two findings with the same Id in one call. */
function batches(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  const out: AwsSecurityFinding[][] = [];
  let cur: AwsSecurityFinding[] = [];
  let ids = new Set<string>();
  for (const f of findings) {
    if (cur.length >= ASFF_BATCH_LIMIT || ids.has(f.Id!)) {
      out.push(cur);
      cur = [];
      ids = new Set();
    }
    cur.push(f);
    ids.add(f.Id!);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Import the notifications' findings; the outcome of each, in order. */
export async function importToSecurityHub(
  client: SecurityHubClient,
  items: readonly { n: Notification; target: string }[],
  opts: SecurityHubOptions = {},
): Promise<Outcome[]> {
  const { BatchImportFindingsCommand } = await import('@aws-sdk/client-securityhub');
  const retries = opts.retries ?? 2;
  const backoff = opts.backoffMs ?? 500;
  const sleep = opts.sleep ?? defaultSleep;
  const now = (opts.now?.() ?? new Date()).toISOString();
  const asff = items.map(({ n }) =>
    toAsff(n.finding, {
      now,
      ...(n.firstSeen ? { firstSeen: n.firstSeen } : {}),
      resolved: n.kind === 'resolved',
    }),
  );
  const outcomes: Outcome[] = items.map(() => undefined);
  const byId = new Map<string, number[]>();
  asff.forEach((a, i) => byId.set(a.Id!, [...(byId.get(a.Id!) ?? []), i]));
  const fail = (id: string, failure: Omit<DeliveryFailure, 'target'>): void => {
    for (const i of byId.get(id) ?? []) outcomes[i] = { ...failure, target: items[i]!.target };
  };

  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  const fits = (ms: number): boolean =>
    (opts.now?.() ?? new Date()).getTime() + ms + callBudgetMs() <= deadline;
  for (const batch of batches(asff)) {
    let pending = batch;
    for (let attempt = 0; attempt <= retries && pending.length; attempt++) {
      const wait = attempt > 0 ? backoff * 2 ** (attempt - 1) : 0;
      // Out of time: what is still pending keeps its failure (or is handed back untried) for the queue.
      if (!fits(wait)) {
        if (attempt === 0)
          for (const f of pending)
            for (const i of byId.get(f.Id!) ?? [])
              outcomes[i] = notAttempted(items[i]!.target, 'the invocation is about to time out');
        break;
      }
      if (wait) await sleep(wait);
      try {
        const res = await client.send(new BatchImportFindingsCommand({ Findings: pending }));
        const failed = new Map((res.FailedFindings ?? []).map((f) => [f.Id ?? '', f]));
        for (const f of pending)
          if (!failed.has(f.Id!)) for (const i of byId.get(f.Id!) ?? []) outcomes[i] = undefined;
        for (const [id, f] of failed)
          fail(id, {
            error: f.ErrorCode ?? 'FailedFinding',
            message: `Security Hub did not import the finding: ${f.ErrorMessage ?? 'no reason given'}`,
            retryable: true,
          });
        pending = pending.filter((f) => failed.has(f.Id!));
      } catch (err) {
        const failure = failureFrom('securityhub', err);
        for (const f of pending) fail(f.Id!, failure);
        if (!failure.retryable) break;
      }
    }
  }
  return outcomes;
}

export const securityHubChannel = defineChannel<ChannelSection, SecurityHubDeps, Target>({
  ...securityHubSpec,
  idempotent: true,
  targets: (finding, section) =>
    section.enabled && atLeast(finding.severity, section.minSeverity) ? [SECURITY_HUB_TARGET] : [],
  open(deps) {
    const { client: given, credentials: source, organization, ...options } = deps ?? {};
    let credentials: Promise<CredentialsSource | undefined> | undefined;
    const credentialsSource = (): Promise<CredentialsSource | undefined> =>
      (credentials ??= source
        ? Promise.resolve(source)
        : organization
          ? Promise.all([import('../../../aws/credentials'), import('@aws-sdk/client-sts')]).then(
              // The notifier's timeouts and one attempt: an AssumeRole must fit the deadline checks
              // below like any other call (a throttled one fails retryable: the queue tries again).
              ([m, { STSClient }]) =>
                m.memberRoleCredentials('findings', organization, {
                  sts: new STSClient(notifyClientConfig(NOTIFY_HTTP_TIMEOUTS, { maxAttempts: 1 })),
                }),
            )
          : Promise.resolve(undefined));
    const clients = new ClientCache<SecurityHubClient>();
    /** The client of one (account, region): the member's findings role, or the home account's own. */
    const clientFor = (account: string, region: string): Promise<SecurityHubClient> =>
      clients.get(`securityhub/${account}/${region}`, async () => {
        const creds = await credentialsSource();
        const assumed = creds ? await providerFor(creds, account, region) : undefined;
        if (!assumed && given) return given;
        return createSecurityHubClient(region, assumed?.provider);
      });
    return {
      async deliver(items, ctx) {
        // One import per (account, region): each account's findings go to its own Security Hub.
        const groups = new Map<string, (typeof items)[number][]>();
        for (const i of items) {
          const key = `${i.n.finding.account}/${i.n.finding.region}`;
          groups.set(key, [...(groups.get(key) ?? []), i]);
        }
        for (const group of groups.values()) {
          const { account, region } = group[0]!.n.finding;
          // Getting the client may take an AssumeRole: start only when it and one import fit.
          if (ctx.deadline !== undefined && ctx.now() + 2 * callBudgetMs() > ctx.deadline) {
            for (const i of group)
              await ctx.done(i, notAttempted(i.target.key, 'the invocation is about to time out'));
            continue;
          }
          let outcomes: Outcome[];
          try {
            const c = await clientFor(account, region);
            outcomes = await importToSecurityHub(
              c,
              group.map((i) => ({ n: i.n, target: i.target.key })),
              { ...options, ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}) },
            );
          } catch (err) {
            outcomes = group.map((i) => accessFailure(i.target.key, err) ?? failureFrom(i.target.key, err));
          }
          for (let i = 0; i < group.length; i++) await ctx.done(group[i]!, outcomes[i]);
        }
      },
    };
  },
});

/** The findings role of a member account could not be assumed: say which account and role, never more. */
function accessFailure(target: string, err: unknown): DeliveryFailure | undefined {
  if (!(err instanceof AccountAccessError)) return undefined;
  return { target, error: err.name, message: err.message, retryable: err.retryable };
}
