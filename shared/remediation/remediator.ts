/**
 * The Remediator: the one place that decides whether a finding's remediation action runs, and runs it
 * safely. Used by the Lambda pipeline and by `guardrail evaluate --enrich --remediate`.
 *
 * For a finding whose rule is in `remediate` mode, in this order (the first that applies decides):
 *  1. an active exemption (tag or policy list, decided by the engine): no action at all;
 *  2. the event was caused by the guardrail's own role (remediation.guardrailRoleArns, or the
 *     member-account role remediation.roleName IN THE EVENT'S ACCOUNT): skipped, never a loop;
 *  3. the account is not on remediation.allowAccounts: skipped and counted (ignored);
 *  4. the event showed `guardrail:protect=true`: skipped;
 *  5. read the resource's CURRENT state and tags from AWS: gone -> skipped; protect tag -> skipped;
 *     an active `guardrail:exempt` entry for the rule -> skipped;
 *     VERIFY BEFORE ACTING (./live-state.ts, `verifyLive`): the finding's rule, the same function from
 *     the rule registry, is evaluated on the resource as AWS returns it now (for `stop-task` after
 *     td-privileged: the revision the task runs; for task-public-ip: the task's ENI public IPs). The
 *     event is never trusted (forged, replayed, stale, out of order): not violated -> skipped
 *     `not violated now` (also a duplicate event after the fix), nothing else happens (no follow-ups);
 *     violated but the action's change already in place (a deregistered revision is still privileged)
 *     -> skipped `already compliant`, follow-ups still run; the action refuses (a service's task, a
 *     non-ECS deployment controller, a revision an ACTIVE service or a task set uses) -> skipped with why;
 *  6. global dryRun: planned, "dry-run: would have ...";
 *  7. the account's hourly budget (atomic, shared by all invocations): exhausted -> skipped, notify;
 *  8. act (bounded SDK retries, no loop), read again to verify: done, or failed with the error name.
 * A rule in `approve` mode goes through the same steps, but step 6 stops it, "awaiting approval: would have
 * ...", until the call carries an approval (`context.approval`, a person pressed Approve in Slack); then
 * it runs steps 1-8 on AWS's live state at that moment, like `remediate` mode.
 * Every decision from step 2 on (except ignored accounts) is written to the audit log; the outcome is
 * the finding's `action`. Follow-up targets (deregister-task-definition's standalone tasks) go through
 * step 5 on, each verified on its own live state. Any other path that acts (e.g. an approval from
 * Slack) goes through `remediate` too, never acts on a stored finding; `verifyNow` runs the verification
 * step alone (to show or re-check what AWS says now, without acting).
 */
import {
  AWAITING_APPROVAL,
  modeRemediates,
  type Actor,
  type ActionStatus,
  type Finding,
} from '../model/finding';
import type { Logger } from '../model/logger';
import { RESOURCE_TYPE, type Resource, type ResourceKind } from '../model/resources';
import { applicableExemptions, applyExemptions, PROTECT_TAG } from '../policy/exemptions';
import { DEFAULT_REMEDIATION_POLICY } from '../policy/document';
import type { Policy, RemediationPolicy } from '../policy/types';
import type { AuditEntry, AuditLog } from '../store/audit';
import type { RemediationBudget } from '../store/budget';
import type { AccountAccess, RemediationClients } from './clients';
import { AccountAccessError } from '../aws/call-error';
import { failureReason } from './errors';
import { NOT_VIOLATED_NOW, verifyLive, type LiveVerdict } from './live-state';
import { globMatches } from '../base/glob';
import { findingRefOf } from '../aws/guardduty-findings';
import { ACTIONS_BY_NAME, actionForRule } from './registry';
import { getRule } from '../rules/registry';
import type { ActionContext, ActionTarget, Observed, RemediationAction } from './types';

export interface RemediatorOptions {
  readonly policy: Policy;
  readonly clients: RemediationClients;
  readonly budget: RemediationBudget;
  readonly audit: AuditLog;
  readonly now?: () => Date;
  /**
   * Action parameters fixed by the caller over the policy's, by action name (the integration tests:
   * enable-container-insights' `api: UpdateCluster`, as moto_server lacks UpdateClusterSettings).
   */
  readonly actionParams?: Readonly<Record<string, object>>;
  /** Structured log sink (the Lambda passes Powertools' logger); default: silent. */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  readonly newId?: () => string;
}

export interface RemediationContext {
  /** The event's normalized resources: services and tasks carry their cluster. */
  readonly resources?: readonly Resource[];
  /** A person approved the action of a rule in `approve` mode: who (audited with the outcome). */
  readonly approval?: { readonly by: string };
}

/** How one remediation call runs: waiting for approval (plan only), or approved by someone. */
interface RunMode {
  readonly awaitingApproval: boolean;
  readonly approvedBy?: string;
}

interface Outcome {
  readonly status: ActionStatus;
  readonly reason: string;
}

export type RemediationStats = Record<ActionStatus, number> & { ignored: number };

/** `arn:aws:sts::1:assumed-role/name/session` -> `arn:aws:iam::1:role/name`. */
function roleArnOf(actor: Actor | undefined): string | undefined {
  if (!actor) return undefined;
  if (actor.roleArn) return actor.roleArn;
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(actor.arn ?? '');
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

/**
 * A finding on a kind a rule judges besides its own (cluster-container-insights-disabled on the account
 * setting): the rule's action acts on the rule's own kind only, so nothing is done on it.
 */
function judgedByAlsoCheck(finding: Finding): boolean {
  const rule = getRule(finding.ruleId);
  if (rule?.family !== 'resource' || !rule.alsoChecks) return false;
  return Object.keys(rule.alsoChecks).some(
    (kind) => RESOURCE_TYPE[kind as ResourceKind] === finding.resource.type,
  );
}

export class Remediator {
  readonly stats: RemediationStats = { planned: 0, done: 0, skipped: 0, failed: 0, ignored: 0 };
  private readonly settings: RemediationPolicy;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly options: RemediatorOptions) {
    this.settings = options.policy.remediation ?? DEFAULT_REMEDIATION_POLICY;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Remediate each finding in turn (in order: the budget is spent first come, first served). */
  async remediateAll(findings: readonly Finding[], context: RemediationContext = {}): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const f of findings) out.push(await this.remediate(f, context));
    return out;
  }

  /**
   * The finding with its `action` set to the outcome; unchanged when its rule is in neither remediate nor
   * approve mode. In approve mode without `context.approval` it only plans ("awaiting approval").
   */
  async remediate(finding: Finding, context: RemediationContext = {}): Promise<Finding> {
    const mode = this.options.policy.rules[finding.ruleId]?.mode ?? finding.mode;
    const action = actionForRule(finding.ruleId);
    if (!modeRemediates(mode) || !action || judgedByAlsoCheck(finding)) return finding;
    if (finding.exemption && !finding.exemption.expired) {
      // Exempted: notified as exempt by the engine, never acted on.
      const { action: _planned, ...rest } = finding;
      return rest;
    }
    const target = this.targetOf(finding, context);
    const runMode: RunMode = {
      awaitingApproval: mode === 'approve' && !context.approval,
      ...(mode === 'approve' && context.approval ? { approvedBy: context.approval.by } : {}),
    };
    const outcome = await this.decide(finding, action, target, runMode);
    return { ...finding, action: { name: action.meta.name, status: outcome.status, reason: outcome.reason } };
  }

  /**
   * The verification step alone, never acting: does the resource AS AWS RETURNS IT NOW violate the
   * finding's rule? For paths that must show or re-check a finding before acting (e.g. an approval from
   * Slack); acting itself always goes through `remediate`, which runs this same step.
   */
  async verifyNow(finding: Finding, context: RemediationContext = {}): Promise<LiveVerdict> {
    const access = await this.options.clients.ecs(finding.account, finding.region);
    const live = {
      ecs: access.ecs,
      ...(access.ec2 ? { ec2: access.ec2 } : {}),
      ...(access.guardDuty ? { guardDuty: access.guardDuty } : {}),
    };
    return verifyLive(live, this.options.policy, finding.ruleId, this.targetOf(finding, context));
  }

  private targetOf(finding: Finding, context: RemediationContext): ActionTarget {
    const resource = context.resources?.find((r) => r.arn === finding.resource.arn);
    const clusterArn =
      resource && (resource.kind === 'Service' || resource.kind === 'Task') ? resource.clusterArn : undefined;
    // A task a GuardDuty finding named: verification asks GuardDuty about that finding (never the event).
    const threat = resource?.kind === 'Task' ? resource.runtimeThreat : undefined;
    const guardDutyFinding = threat ? findingRefOf(threat.findingArn) : undefined;
    return {
      arn: finding.resource.arn,
      account: finding.account,
      region: finding.region,
      ...(clusterArn ? { clusterArn } : {}),
      ...(guardDutyFinding ? { guardDutyFinding } : {}),
    };
  }

  /**
   * The guardrail's own role caused the event (its own change coming back as a CloudTrail event):
   * a `guardrailRoleArns` glob, or the member-account role `roleName` in `account` (the event's, the
   * one the guardrail assumes that role in). A role of that name in any other account is not ours.
   */
  isOwnRole(actor: Actor | undefined, account: string): string | undefined {
    const role = roleArnOf(actor);
    if (!role) return undefined;
    if (this.settings.guardrailRoleArns.some((g) => globMatches(g, role))) return role;
    const name = role.slice(role.lastIndexOf('/') + 1);
    const roleAccount = /^arn:[^:]+:iam::(\d{12}):role\//.exec(role)?.[1];
    if (this.settings.roleName && name === this.settings.roleName && roleAccount === account) return role;
    return undefined;
  }

  private async decide(
    finding: Finding,
    action: RemediationAction,
    target: ActionTarget,
    runMode: RunMode,
  ): Promise<Outcome> {
    const own = this.isOwnRole(finding.event.actor, finding.account);
    if (own)
      return this.conclude(finding, action, target, runMode, undefined, {
        status: 'skipped',
        reason: `caused by the guardrail's own role ${own}: never remediated (no loop)`,
      });

    let allowed: boolean;
    try {
      allowed = await this.options.clients.allows(finding.account);
    } catch (err) {
      // The allow-list check may need the guardrail's own account (STS GetCallerIdentity).
      return this.conclude(finding, action, target, runMode, undefined, {
        status: 'failed',
        reason: `cannot check remediation.allowAccounts: ${failureReason(err)}`,
      });
    }
    if (!allowed) {
      this.stats.ignored++;
      this.stats.skipped++;
      this.options.logger?.warn('remediation ignored: account not allowed', { account: finding.account });
      return {
        status: 'skipped',
        reason: `account ${finding.account} is not on remediation.allowAccounts: ignored`,
      };
    }

    if (finding.tags?.[PROTECT_TAG] === 'true')
      return this.conclude(finding, action, target, runMode, undefined, {
        status: 'skipped',
        reason: `resource is tagged ${PROTECT_TAG}=true: notify only`,
      });

    let access: AccountAccess;
    try {
      access = await this.options.clients.ecs(finding.account, finding.region);
    } catch (err) {
      return this.conclude(finding, action, target, runMode, undefined, {
        status: 'failed',
        // The credentials provider's error already says which account and role (shared/aws/credentials.ts).
        reason:
          err instanceof AccountAccessError
            ? err.message
            : `no access to account ${finding.account}: ${failureReason(err)}`,
      });
    }

    const primary = await this.run(finding, action, target, access, runMode);
    if (!action.followUps || !primary.followUps) return primary.outcome;
    return this.runFollowUps(finding, action, target, access, primary.outcome, runMode);
  }

  /** One action on one target: read, check, (dry-run | budget, act, verify), audit. */
  private async run(
    finding: Finding,
    action: RemediationAction,
    target: ActionTarget,
    access: AccountAccess,
    runMode: RunMode,
  ): Promise<{ outcome: Outcome; followUps: boolean }> {
    const ctx = this.contextFor(finding, access, action);
    const who = access.principal;
    const end = async (o: Outcome, before?: Observed, after?: Observed, calls: readonly string[] = []) =>
      this.conclude(finding, action, target, runMode, who, o, before, after, calls);

    let before: Observed | undefined;
    try {
      before = await action.read(ctx, target);
    } catch (err) {
      return {
        outcome: await end({ status: 'failed', reason: `${failureReason(err)} (reading the current state)` }),
        followUps: false,
      };
    }
    if (!before)
      return {
        outcome: await end({ status: 'skipped', reason: 'the resource no longer exists' }),
        followUps: false,
      };
    if (before.tags[PROTECT_TAG] === 'true')
      return {
        outcome: await end(
          { status: 'skipped', reason: `resource is tagged ${PROTECT_TAG}=true: notify only` },
          before,
        ),
        followUps: false,
      };
    const exemption = applyExemptions(
      finding.evidence,
      applicableExemptions(finding.ruleId, target.arn, before.tags, []),
      this.now(),
    ).exemption;
    if (exemption && !exemption.expired)
      return {
        outcome: await end(
          { status: 'skipped', reason: `exempted by the resource's current guardrail:exempt tag` },
          before,
        ),
        followUps: false,
      };
    let verdict;
    try {
      verdict = await verifyLive(ctx.live, this.options.policy, finding.ruleId, target, before.live);
    } catch (err) {
      return {
        outcome: await end(
          { status: 'failed', reason: `${failureReason(err)} (verifying the rule on the live state)` },
          before,
        ),
        followUps: false,
      };
    }
    if (!verdict.violated)
      return {
        outcome: await end(
          {
            status: 'skipped',
            reason: verdict.resource ? NOT_VIOLATED_NOW : 'the resource no longer exists',
          },
          before,
        ),
        followUps: false,
      };
    // The rule still fails on AWS's state but the action's change is in place (a deregistered revision
    // is still privileged): nothing to change here; its follow-ups (standalone tasks) still run.
    if (before.compliant)
      return {
        outcome: await end({ status: 'skipped', reason: 'already compliant' }, before),
        followUps: true,
      };
    if (before.notApplicable)
      return {
        outcome: await end({ status: 'skipped', reason: before.notApplicable }, before),
        followUps: false,
      };
    if (this.options.policy.dryRun)
      return {
        outcome: await end({ status: 'planned', reason: `dry-run: would have ${before.plan}` }, before),
        followUps: true,
      };
    if (runMode.awaitingApproval)
      return {
        outcome: await end(
          { status: 'planned', reason: `${AWAITING_APPROVAL}: would have ${before.plan}` },
          before,
        ),
        followUps: true,
      };

    const limit = this.settings.budgetPerHour;
    let allowed: boolean;
    let hour = '';
    try {
      const d = await this.options.budget.tryConsume(target.account, this.now(), limit);
      allowed = d.allowed;
      hour = d.hour;
    } catch (err) {
      // Fail closed: without the budget there is no cap, so no change.
      return {
        outcome: await end({ status: 'failed', reason: `budget unavailable: ${failureReason(err)}` }, before),
        followUps: false,
      };
    }
    if (!allowed)
      return {
        outcome: await end(
          {
            status: 'skipped',
            reason: `budget exhausted: ${limit} change(s) already made in account ${target.account} in hour ${hour} UTC; notify only`,
          },
          before,
        ),
        followUps: false,
      };

    let calls: readonly string[] = [];
    try {
      calls = (await action.apply(ctx, target, before)).calls;
    } catch (err) {
      return {
        outcome: await end({ status: 'failed', reason: failureReason(err) }, before),
        followUps: false,
      };
    }
    let after: Observed | undefined;
    try {
      after = await action.read(ctx, target);
    } catch (err) {
      return {
        outcome: await end(
          { status: 'failed', reason: `changed, but the verification read failed: ${failureReason(err)}` },
          before,
          undefined,
          calls,
        ),
        followUps: false,
      };
    }
    const problem = !after
      ? 'the resource is gone after the change'
      : !after.compliant
        ? 'the resource is still not compliant after the change'
        : action.verify?.(before, after);
    if (problem)
      return {
        outcome: await end(
          { status: 'failed', reason: `verification failed: ${problem}` },
          before,
          after,
          calls,
        ),
        followUps: false,
      };
    return {
      outcome: await end({ status: 'done', reason: before.plan }, before, after, calls),
      followUps: true,
    };
  }

  /** deregister-task-definition: stop the standalone tasks still running the revision (stop-task). */
  private async runFollowUps(
    finding: Finding,
    action: RemediationAction,
    target: ActionTarget,
    access: AccountAccess,
    primary: Outcome,
    runMode: RunMode,
  ): Promise<Outcome> {
    let listed;
    try {
      listed = await action.followUps!(this.contextFor(finding, access, action), target);
    } catch (err) {
      return {
        status: 'failed',
        reason: `${primary.reason}; could not list the tasks still running it: ${failureReason(err)}`,
      };
    }
    const next = ACTIONS_BY_NAME.get(listed.action);
    if (!next || listed.targets.length === 0) return primary;
    const results: Outcome[] = [];
    for (const t of listed.targets) results.push((await this.run(finding, next, t, access, runMode)).outcome);
    const count = (s: ActionStatus) => results.filter((r) => r.status === s).length;
    const parts = (['done', 'planned', 'skipped', 'failed'] as const)
      .filter((s) => count(s) > 0)
      .map((s) => `${count(s)} ${s}`);
    const firstProblem = results.find((r) => r.status === 'failed' || r.status === 'skipped');
    const summary =
      `${listed.targets.length} standalone task(s) still running it: ${next.meta.name} ${parts.join(', ')}` +
      (firstProblem ? ` (${firstProblem.reason})` : '');
    const status: ActionStatus = count('failed')
      ? 'failed'
      : primary.status === 'skipped' && count('done')
        ? 'done'
        : primary.status;
    return { status, reason: `${primary.reason}; ${summary}` };
  }

  private contextFor(finding: Finding, access: AccountAccess, action: RemediationAction): ActionContext {
    const name = action.meta.name;
    return {
      ecs: access.ecs,
      live: {
        ecs: access.ecs,
        ...(access.ec2 ? { ec2: access.ec2 } : {}),
        ...(access.guardDuty ? { guardDuty: access.guardDuty } : {}),
      },
      params: {
        ...(this.settings.actions[name] ?? action.params?.defaults ?? {}),
        ...this.options.actionParams?.[name],
      },
      reasonText: `ecs-guardrail ${finding.ruleId}: finding ${finding.findingId} (event ${finding.event.id})`,
    };
  }

  private async conclude(
    finding: Finding,
    action: RemediationAction,
    target: ActionTarget,
    runMode: RunMode,
    who: string | undefined,
    outcome: Outcome,
    before?: Observed,
    after?: Observed,
    calls: readonly string[] = [],
  ): Promise<Outcome> {
    this.stats[outcome.status]++;
    const entry: AuditEntry = {
      auditId: this.newId(),
      at: this.now().toISOString(),
      account: target.account,
      region: target.region,
      action: action.meta.name,
      resourceArn: target.arn,
      findingId: finding.findingId,
      ruleId: finding.ruleId,
      status: outcome.status,
      reason: outcome.reason,
      dryRun: this.options.policy.dryRun,
      ...(who ? { performedBy: who } : {}),
      ...(runMode.approvedBy ? { approvedBy: runMode.approvedBy } : {}),
      trigger: {
        eventId: finding.event.id,
        ...(finding.event.actor?.arn ? { actor: finding.event.actor.arn } : {}),
      },
      calls,
      ...(before ? { before: before.state } : {}),
      ...(after ? { after: after.state } : {}),
    };
    const logged = {
      action: entry.action,
      resourceArn: entry.resourceArn,
      status: entry.status,
      reason: entry.reason,
      eventId: entry.trigger.eventId,
    };
    if (outcome.status === 'failed') this.options.logger?.warn('remediation', logged);
    else this.options.logger?.info('remediation', logged);
    try {
      await this.options.audit.record(entry);
    } catch (err) {
      this.options.logger?.warn('remediation audit record failed', { error: failureReason(err) });
      return { ...outcome, reason: `${outcome.reason} (audit record failed: ${failureReason(err)})` };
    }
    return outcome;
  }
}
