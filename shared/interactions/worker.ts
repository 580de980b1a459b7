/**
 * The worker side of the Slack buttons (functions/slack-actions.ts consumes the queue the interactivity
 * function fills, ./jobs.ts). Every job is audited (who, what, which finding, the outcome), refusals
 * included, and answered through the message's response_url:
 *
 *   approve      the finding must be open and its rule in `approve` mode; the approval is claimed with a
 *                conditional write (one claim per opening of the finding), so the action runs once however
 *                many presses: the others are told who approved it and the outcome. An approval that
 *                changed nothing (skipped, e.g. the hourly budget; planned under dryRun) can be pressed again. The Remediator runs with
 *                every safety rule (exemptions, protect tag, own-role loop, allowed accounts, hourly budget,
 *                verify on the live state, verify after). A job retried after a crash (same request) takes
 *                over its own claim: the live-state check makes a second run a no-op. On `done` the finding
 *                resolves (one `resolved` message); the message is updated with the outcome.
 *   snooze       no reminder for 1 or 7 days (`snoozedUntil` on the open finding).
 *   exempt       an exemption record (rule, the finding's resource ARN, container, expiry, reason, who)
 *                that the pipeline and the sweep honour like a policy exemption.
 *   acknowledge  recorded and shown on the message.
 */
import type { ActionStatus, Finding, FindingAction } from '../model/finding';
import type { Logger } from '../model/logger';
import type { Policy } from '../policy/types';
import { resolveAndNotify } from '../lifecycle/lifecycle';
import type { NotificationOutbox } from '../lifecycle/outbox';
import { findingButtons, outcomeBlock } from '../notify/channels/slack/buttons';
import { inert, slackMessage } from '../notify/channels/slack/message';
import { outcomeOf } from '../pipeline/pipeline';
import type { FindingActionStore, RemediatorPort } from '../pipeline/types';
import type { AuditLog } from '../store/audit';
import { withExemptionRecords, type ExemptionRecords } from '../store/exemption-records';
import { applicableExemptions, applyExemptions } from '../policy/exemptions';
import type { ApprovalClaim, SlackInteractionStore } from '../store/slack-interactions';
import type { FindingRecord, FindingStore } from '../store/types';
import { containersOf } from './exempt-modal';
import type { SlackJob } from './jobs';

export interface SlackWorkerDeps {
  readonly policy: Policy;
  readonly store: FindingStore;
  readonly interactions: SlackInteractionStore;
  readonly exemptions: ExemptionRecords;
  /** Loaded on the first approval (its SDKs). */
  readonly remediator: () => Promise<RemediatorPort>;
  readonly actions?: FindingActionStore;
  readonly outbox: NotificationOutbox;
  readonly audit: AuditLog;
  /** POST to an interaction's response_url (absent URL: nothing to answer). */
  readonly respond: (responseUrl: string, body: Record<string, unknown>) => Promise<void>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

interface Result {
  readonly status: ActionStatus;
  readonly reason: string;
  /** The line shown on the message (and to the user when it is only for them). */
  readonly say: string;
  /** Shown to the presser only (ephemeral), the message left as it is. */
  readonly onlyToUser?: boolean;
  /** The finding as the message should show it now (the approval's outcome), buttons or not. */
  readonly finding?: Finding;
  readonly buttons?: boolean;
}

const DAY_MS = 86_400_000;
const who = (job: SlackJob): string => `slack:${job.team}/${job.user}`;
/** A Slack user mention: ids only (validated by the payload schema), never a name from the payload. */
const mention = (job: SlackJob): string => `<@${job.user}>`;

export async function runSlackJob(job: SlackJob, deps: SlackWorkerDeps): Promise<Result> {
  const now = deps.now?.() ?? new Date();
  const record = await deps.store.get(job.findingId);
  const result = await decide(job, record, deps, now);
  await deps.audit.record({
    auditId: deps.newId?.() ?? crypto.randomUUID(),
    at: now.toISOString(),
    account: record?.finding.account ?? 'unknown',
    region: record?.finding.region ?? '',
    action: `slack:${job.action}`,
    resourceArn: record?.finding.resource.arn ?? '',
    findingId: job.findingId,
    ruleId: record?.finding.ruleId ?? '',
    status: result.status,
    reason: result.reason,
    dryRun: deps.policy.dryRun,
    performedBy: who(job),
    trigger: { eventId: `slack:${job.requestId.slice(0, 32)}`, actor: who(job) },
    calls: [],
  });
  deps.logger.info('slack action', {
    action: job.action,
    findingId: job.findingId,
    user: who(job),
    status: result.status,
    reason: result.reason,
  });
  if (job.responseUrl) await answer(job.responseUrl, job, result, record, deps);
  return result;
}

async function answer(
  url: string,
  job: SlackJob,
  result: Result,
  record: FindingRecord | undefined,
  deps: SlackWorkerDeps,
): Promise<void> {
  const finding = result.finding ?? record?.finding;
  try {
    if (result.onlyToUser || !finding) {
      await deps.respond(url, { response_type: 'ephemeral', replace_original: false, text: result.say });
      return;
    }
    const slack = deps.policy.notifications?.slack;
    const exempt = slack?.botTokenParameter !== undefined;
    const message = slackMessage(
      finding,
      'opened',
      {},
      result.buttons ? { buttons: (f) => findingButtons(f, { exempt }) } : {},
    );
    await deps.respond(url, {
      replace_original: true,
      text: message.text,
      blocks: [...message.blocks, outcomeBlock(result.say)],
    });
  } catch (err) {
    // The work is done and audited; the message just does not show it.
    deps.logger.warn('could not answer Slack through response_url', {
      errorType: err instanceof Error ? err.name : 'NonError',
    });
  }
}

async function decide(
  job: SlackJob,
  record: FindingRecord | undefined,
  deps: SlackWorkerDeps,
  now: Date,
): Promise<Result> {
  if (job.refused)
    return {
      status: 'skipped',
      reason: `refused: ${job.refused}`,
      say: `Not done: ${job.refused}.`,
      onlyToUser: true,
    };
  if (!record)
    return {
      status: 'skipped',
      reason: 'finding not recorded',
      say: 'This finding is no longer recorded.',
      onlyToUser: true,
    };
  switch (job.action) {
    case 'approve':
      return approve(job, record, deps, now);
    case 'snooze':
      return snooze(job, record, deps, now);
    case 'exempt':
      return exempt(job, record, deps, now);
    case 'acknowledge':
      return {
        status: 'done',
        reason: 'acknowledged',
        say: `:eyes: Acknowledged by ${mention(job)} at ${now.toISOString()}`,
        buttons: true,
      };
  }
}

async function approve(
  job: SlackJob,
  record: FindingRecord,
  deps: SlackWorkerDeps,
  now: Date,
): Promise<Result> {
  const f = record.finding;
  if (record.status !== 'open') {
    const earlier = await deps.interactions.getApproval(f.findingId, record.firstSeen);
    if (earlier) return alreadyApproved(earlier);
    return {
      status: 'skipped',
      reason: 'finding is not open',
      say: 'Nothing to approve: the finding is resolved.',
      onlyToUser: true,
    };
  }
  const mode = deps.policy.rules[f.ruleId]?.mode;
  if (mode !== 'approve')
    return {
      status: 'skipped',
      reason: `rule is in ${mode ?? 'no'} mode, not approve`,
      say: `Not done: rule ${inert(f.ruleId)} is not in approve mode.`,
      onlyToUser: true,
    };
  const claim = await deps.interactions.claimApproval(
    f.findingId,
    record.firstSeen,
    `${who(job)}#${job.requestId}`,
    now.toISOString(),
  );
  const ownRetry = !claim.claimed && claim.by === `${who(job)}#${job.requestId}` && !claim.outcome;
  if (!claim.claimed && !ownRetry) return alreadyApproved(claim);
  // Exemptions made since the finding was notified (the policy's and Slack's) stop the approval too.
  const policy = withExemptionRecords(deps.policy, await deps.exemptions.listActive(now), now);
  const { exemption } = applyExemptions(
    f.evidence,
    applicableExemptions(f.ruleId, f.resource.arn, f.tags, policy.exemptions),
    now,
  );
  const current: Finding = exemption && !exemption.expired ? { ...f, exemption } : f;
  let action: FindingAction;
  try {
    const remediator = await deps.remediator();
    action = outcomeOf(f, await remediator.remediate(current, { approval: { by: who(job) } }));
  } catch (err) {
    action = {
      name: f.action?.name ?? 'unknown',
      status: 'failed',
      reason: err instanceof Error ? `${err.name}: ${err.message}` : 'remediation failed',
    };
  }
  await deps.interactions.saveApprovalOutcome(f.findingId, record.firstSeen, action);
  if (deps.actions)
    await deps.actions
      .save(f, action, `approval:${record.firstSeen}`, now.toISOString())
      .catch((err: unknown) =>
        deps.logger.warn('could not write the approved outcome into the stored finding', {
          errorType: err instanceof Error ? err.name : 'NonError',
        }),
      );
  if (action.status === 'done')
    await resolveAndNotify(
      deps.store,
      deps.outbox,
      f.findingId,
      `remediation approved by ${who(job)} succeeded: ${action.name}`,
      now.toISOString(),
    );
  const icon =
    action.status === 'done'
      ? ':white_check_mark:'
      : action.status === 'failed'
        ? ':x:'
        : ':information_source:';
  return {
    status: action.status === 'done' ? 'done' : action.status === 'failed' ? 'failed' : 'skipped',
    reason: `approved: ${action.name} ${action.status}${action.reason ? `: ${action.reason}` : ''}`,
    say: `${icon} Fix approved by ${mention(job)}: ${inert(`${action.name} ${action.status}${action.reason ? `: ${action.reason}` : ''}`)}`,
    finding: { ...f, action },
    buttons: action.status !== 'done',
  };
}

/** Another press approved it first: say who, when and the outcome, to the presser only. */
function alreadyApproved(claim: ApprovalClaim): Result {
  const by = claim.by.replace(/#.*$/, '');
  const outcome = claim.outcome ? `${claim.outcome.status}: ${claim.outcome.reason ?? ''}` : 'in progress';
  return {
    status: 'skipped',
    reason: `already approved by ${by} at ${claim.at}`,
    say: `Already approved by ${inert(by)} at ${inert(claim.at)} (${inert(outcome)}).`,
    onlyToUser: true,
  };
}

async function snooze(
  job: SlackJob,
  record: FindingRecord,
  deps: SlackWorkerDeps,
  now: Date,
): Promise<Result> {
  const days = job.days === 7 ? 7 : 1;
  const until = new Date(now.getTime() + days * DAY_MS).toISOString();
  const ok = record.status === 'open' && (await deps.interactions.snooze(job.findingId, until));
  if (!ok)
    return {
      status: 'skipped',
      reason: 'finding is not open',
      say: 'Nothing to snooze: the finding is resolved.',
      onlyToUser: true,
    };
  return {
    status: 'done',
    reason: `snoozed until ${until}`,
    say: `:zzz: Snoozed by ${mention(job)} until ${until}: no reminders until then.`,
    buttons: true,
  };
}

async function exempt(
  job: SlackJob,
  record: FindingRecord,
  deps: SlackWorkerDeps,
  now: Date,
): Promise<Result> {
  const f = record.finding;
  const choice = job.exemption;
  if (!choice)
    return {
      status: 'skipped',
      reason: 'no exemption details',
      say: 'Not done: open Exempt again.',
      onlyToUser: true,
    };
  if (choice.container && !containersOf(f).includes(choice.container))
    return {
      status: 'skipped',
      reason: 'container not in the finding',
      say: 'Not done: that container is not in this finding.',
      onlyToUser: true,
    };
  await deps.exemptions.put({
    id: job.requestId.slice(0, 32),
    rule: f.ruleId,
    arn: f.resource.arn,
    until: choice.until,
    reason: choice.reason,
    createdBy: who(job),
    createdAt: now.toISOString(),
    findingId: f.findingId,
    ...(choice.container ? { container: choice.container } : {}),
  });
  const scope = choice.container ? ` (container ${inert(choice.container)})` : '';
  return {
    status: 'done',
    reason: `exempted until ${choice.until}${choice.container ? ` for container ${choice.container}` : ''}: ${choice.reason}`,
    say: `:shield: Exempted${scope} by ${mention(job)} until ${choice.until}: ${inert(choice.reason)}`,
    buttons: false,
  };
}
