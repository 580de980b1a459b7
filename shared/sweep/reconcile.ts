/**
 * Sweep -> findings -> finding store.
 *
 * evaluateSweep runs the same pure engine (`evaluate`) the events use over every swept resource.
 * reconcile records what was found and, only after a COMPLETE sweep, resolves the open findings of that
 * account and region that the sweep no longer produces:
 *   - `gone`: the resource was not seen (deleted, stopped, or an INACTIVE task definition nobody uses);
 *   - `compliant`: the resource was seen and the rule no longer fires;
 *   - `exempted`: the rule still fires but an exemption (tag or policy) now covers it.
 * Only findings of rules the sweep evaluates are candidates: resource rules the policy does not turn
 * off and not `eventOnly` (GuardDuty and ECR facts the sweep does not read), last seen before the sweep started (an event during the sweep is newer than what it read). Signal findings (throttling, failed deployments, placement failures) come from events the sweep
 * cannot see and are never resolved by it. A partial sweep resolves nothing.
 */
import { notifyResolved } from '../lifecycle/lifecycle';
import type { Outbox } from '../lifecycle/outbox';
import { evaluate } from '../engine/evaluate';
import { modeNotifies, type EventRef, type Finding } from '../model/finding';
import type { Policy } from '../policy/types';
import { RULES } from '../rules/registry';
import type { FindingRecord, FindingStore } from '../store/types';
import { mapPool } from '../base/pool';
import type { SweepResult } from './types';

export const SWEEP_EVENT_SOURCE = 'guardrail.sweep';
export const SWEEP_DETAIL_TYPE = 'Guardrail Estate Sweep';

export interface SweepEvaluation {
  readonly event: EventRef;
  /** Findings to report and record (an expired exemption still reports). */
  readonly findings: Finding[];
  /** Findings an active exemption suppresses: not reported, not recorded. */
  readonly suppressed: Finding[];
  /** Rule ids the sweep evaluated (resource rules not turned off by the policy). */
  readonly evaluatedRules: ReadonlySet<string>;
}

export const isSuppressed = (f: Finding): boolean => f.exemption !== undefined && !f.exemption.expired;

export function sweepEventRef(result: SweepResult): EventRef {
  return {
    id: `sweep:${result.account}:${result.region}:${result.startedAt}`,
    source: SWEEP_EVENT_SOURCE,
    detailType: SWEEP_DETAIL_TYPE,
    time: result.startedAt,
  };
}

export function evaluateSweep(result: SweepResult, policy: Policy, now: Date = new Date()): SweepEvaluation {
  const event = sweepEventRef(result);
  const { findings } = evaluate(
    {
      event,
      account: result.account,
      region: result.region,
      resources: result.resources,
      signals: [],
      taskDefinitionRefs: [],
    },
    { policy, now },
  );
  // The GuardDuty detector is read beside the estate: not read (no client, no permission), its rule
  // is not evaluated, so its findings are not resolved as gone.
  const detectorRead = result.resources.some((r) => r.kind === 'GuardDutyDetector');
  const evaluatedRules = new Set(
    RULES.filter(
      (r) =>
        r.family === 'resource' &&
        !r.eventOnly &&
        (detectorRead || r.appliesTo !== 'GuardDutyDetector') &&
        policy.rules[r.id]?.mode !== 'off',
    ).map((r) => r.id),
  );
  return {
    event,
    findings: findings.filter((f) => !isSuppressed(f)),
    suppressed: findings.filter(isSuppressed),
    evaluatedRules,
  };
}

export type ResolutionKind = 'compliant' | 'gone' | 'exempted';

export interface ResolvedFinding {
  readonly kind: ResolutionKind;
  readonly record: FindingRecord;
}

export interface ReconcileOutcome {
  /** Findings recorded (open) by this sweep. */
  readonly recorded: number;
  /** Findings that were not open before this sweep (new or re-opened). */
  readonly opened: Finding[];
  /** Notifications queued (with `notify`), and the new findings left unnotified past the cap. */
  readonly notified: number;
  readonly notNotified: number;
  readonly resolved: ResolvedFinding[];
  /** False for a partial sweep: nothing was resolved. */
  readonly reconciled: boolean;
  /** Why nothing was resolved, when `reconciled` is false. */
  readonly notReconciledReason?: string;
}

export const RESOLUTION_REASONS: Readonly<Record<ResolutionKind, string>> = {
  compliant: 'sweep: the resource is now compliant',
  gone: 'sweep: the resource no longer exists (deleted, stopped, or an INACTIVE task definition no longer in use)',
  exempted: 'sweep: an exemption now covers this finding',
};

export interface ReconcileOptions {
  /**
   * ISO time recorded as last seen / resolved at. Default: the sweep's START time, the conservative end
   * of what it saw: an event later than that still counts as newer than the sweep (it re-opens a
   * finding the sweep resolved, and a sweep never overrides it).
   */
  readonly at?: string;
  /** Store writes in flight at once (default 8). */
  readonly concurrency?: number;
  /**
   * Queue one notification per finding this sweep opens (rules in notify or remediate mode), claimed in
   * the store with the sweep's event id so a retried sweep does not notify twice. At most `max` per
   * sweep (default 50): the first sweep of a neglected account must not flood the channel; the rest
   * are recorded and in the report. Remediation is never run by a sweep.
   */
  readonly notify?: { readonly notifier: Outbox; readonly max?: number };
}

export async function reconcile(
  store: FindingStore,
  result: SweepResult,
  evaluation: SweepEvaluation,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const at = options.at ?? result.startedAt;
  const concurrency = options.concurrency ?? 8;
  const key = evaluation.event.id;
  const notifies = (f: Finding) => options.notify !== undefined && modeNotifies(f.mode);
  const outcomes = await mapPool(evaluation.findings, concurrency, (f) =>
    store.record(f, at, notifies(f) ? { key, when: 'open' } : undefined).then((o) => ({ ...o, finding: f })),
  );
  const opened = outcomes.filter((o) => o.opened).map((o) => o.record.finding);
  // Stores without outbox markers (memory) leave `notify` undefined: decide from this call alone.
  const due = outcomes.filter((o) => notifies(o.finding) && (o.notify ?? o.opened)).map((o) => o.finding);
  const max = options.notify?.max ?? 50;
  const toSend = due.slice(0, max);
  await mapPool(toSend, concurrency, async (f) => {
    await options.notify!.notifier.send(f, { dedupeKey: key });
    await store.markNotified(f.findingId, new Date().toISOString(), key);
  });
  const notified = toSend.length;
  const notNotified = due.length - toSend.length;

  if (!result.complete) {
    const missed = result.gaps.map((g) => g.missed).join('; ');
    return {
      recorded: outcomes.length,
      opened,
      notified,
      notNotified,
      resolved: [],
      reconciled: false,
      notReconciledReason: `partial sweep (${result.gaps.length} gap(s): ${missed}): nothing was resolved`,
    };
  }

  const current = new Set(evaluation.findings.map((f) => f.findingId));
  const suppressed = new Set(evaluation.suppressed.map((f) => f.findingId));
  const seen = new Set(result.resources.map((r) => r.arn));
  const candidates: { record: FindingRecord; kind: ResolutionKind }[] = [];
  for await (const record of store.listOpen({ account: result.account, region: result.region })) {
    if (current.has(record.findingId)) continue;
    if (!evaluation.evaluatedRules.has(record.finding.ruleId)) continue;
    // Seen by an event since the sweep started: newer than anything the sweep read, so not its call.
    if (record.lastSeen >= result.startedAt) continue;
    const kind: ResolutionKind = suppressed.has(record.findingId)
      ? 'exempted'
      : seen.has(record.finding.resource.arn)
        ? 'compliant'
        : 'gone';
    candidates.push({ record, kind });
  }
  const resolved = await mapPool(candidates, concurrency, async ({ record, kind }) => {
    const r = await store.resolve(record.findingId, RESOLUTION_REASONS[kind], at);
    return r ? { kind, record: r } : undefined;
  });
  if (options.notify) {
    // One "resolved" message per finding that was notified while open, capped like the opened ones.
    const notifier = options.notify.notifier;
    const done = resolved.filter((r): r is ResolvedFinding => r !== undefined).slice(0, max);
    await mapPool(done, concurrency, (r) => notifyResolved(notifier, r.record));
  }
  return {
    recorded: outcomes.length,
    opened,
    notified,
    notNotified,
    resolved: resolved.filter((r): r is ResolvedFinding => r !== undefined),
    reconciled: true,
  };
}
