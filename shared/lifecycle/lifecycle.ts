/**
 * The finding lifecycle as notifications (docs/notifications.md, "Finding lifecycle"):
 *
 *   - a new finding notifies (`opened`);
 *   - the same open finding seen again does not re-notify within the suppression period
 *     (`notifications.suppressionHours`, default 24) but its count increases (the store does that);
 *   - after the period it sends one `reminder` (and the period starts again);
 *   - a resource that becomes compliant (a later event shows the fix, a remediation succeeded, a sweep no
 *     longer finds it) resolves the finding and sends ONE `resolved` message, only for findings that were
 *     notified while open.
 *
 * Pure decisions (`decideNotification`, `resolvedBy`) plus two store-backed steps (`resolveAndNotify`,
 * `notifyResolved`). Duplicates are harmless by construction: every message carries a dedupe id derived
 * from the lifecycle fact it reports (the opening event, the lastNotifiedAt a reminder supersedes, the
 * resolvedAt of the resolution), so two invocations that race to send the same reminder or resolution
 * produce the same dedupe id and the notifier delivers it once per channel.
 */
import { findingIdOf } from '../engine/finding-id';
import type { NormalizedEvent } from '../events/normalize';
import { modeNotifies, type Finding } from '../model/finding';
import type { Resource, ResourceKind } from '../model/resources';
import type { Policy } from '../policy/types';
import { RULES } from '../rules/registry';
import type { FindingRecord, FindingStore, RecordOutcome } from '../store/types';
import { DEFAULT_NOTIFICATIONS_POLICY } from '../policy/document';
import type { NotificationOutbox } from './outbox';

export type NotificationDecision =
  | {
      readonly notify: true;
      readonly kind: 'opened' | 'reminder';
      /** Pass as `dedupeKey` when queueing (for `opened` from the pipeline: its event key is fine too). */
      readonly dedupeKey: string;
      readonly reason: string;
    }
  | { readonly notify: false; readonly reason: string };

const HOUR_MS = 3_600_000;
const notifyingMode = (f: Finding): boolean => modeNotifies(f.mode);
const ms = (t: Date | string | number): number =>
  t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);

/**
 * Whether this sighting of a finding notifies, given the record after `store.record` and its outcome.
 * `now` is the wall-clock time the notification would be queued (the same clock as `markNotified`).
 */
export function decideNotification(
  record: FindingRecord,
  outcome: Pick<RecordOutcome, 'opened' | 'notify'>,
  now: Date | string | number,
  policy: Policy,
): NotificationDecision {
  const f = record.finding;
  if (!notifyingMode(f)) return { notify: false, reason: `mode ${f.mode} does not notify` };
  if (record.status !== 'open') return { notify: false, reason: 'finding is not open' };
  if (f.aggregate) {
    // One finding per window: it notifies when the window crosses its threshold (and again when it
    // crosses its escalation point: another count, another dedupe key), never reminds.
    if (outcome.notify === true || (outcome.notify === undefined && f.aggregate.crossed))
      return {
        notify: true,
        kind: 'opened',
        dedupeKey: `crossed:${f.aggregate.windowStart}:${f.aggregate.count}`,
        reason: 'aggregate crossed its threshold',
      };
    return { notify: false, reason: 'aggregate below or past its threshold' };
  }
  // An explicit claim from the store (DynamoDB outbox marker) is authoritative.
  if (outcome.notify === true)
    return { notify: true, kind: 'opened', dedupeKey: `opened:${record.firstSeen}`, reason: 'claimed' };
  if (outcome.opened)
    return outcome.notify === false
      ? { notify: false, reason: 'another invocation owns the opening notification' }
      : { notify: true, kind: 'opened', dedupeKey: `opened:${record.firstSeen}`, reason: 'new finding' };
  if (record.pendingNotification !== undefined)
    return { notify: false, reason: 'a notification for this finding is already on its way' };
  if (record.lastNotifiedAt === undefined)
    // Open but never notified: e.g. the rule was in observe mode when it opened. Notify it once now.
    return {
      notify: true,
      kind: 'opened',
      dedupeKey: `opened:${record.firstSeen}`,
      reason: 'open finding never notified (the rule now notifies)',
    };
  const np = policy.notifications ?? DEFAULT_NOTIFICATIONS_POLICY;
  if (!np.reminders) return { notify: false, reason: 'reminders are off' };
  if (record.snoozedUntil !== undefined && ms(now) < ms(record.snoozedUntil))
    return { notify: false, reason: `snoozed until ${record.snoozedUntil}` };
  const due = ms(record.lastNotifiedAt) + np.suppressionHours * HOUR_MS;
  if (ms(now) < due) return { notify: false, reason: `suppressed until ${new Date(due).toISOString()}` };
  return {
    notify: true,
    kind: 'reminder',
    dedupeKey: `reminder:${record.lastNotifiedAt}`,
    reason: `still open ${np.suppressionHours} h after the last notification`,
  };
}

/** Queue the `resolved` message of a resolved record (only when it was notified while open). */
export async function notifyResolved(outbox: NotificationOutbox, record: FindingRecord): Promise<boolean> {
  if (record.status !== 'resolved' || record.lastNotifiedAt === undefined) return false;
  await outbox.enqueue(record.finding, {
    kind: 'resolved',
    dedupeKey: `resolved:${record.resolvedAt ?? ''}`,
    firstSeen: record.firstSeen,
    count: record.count,
    ...(record.resolvedReason ? { resolvedReason: record.resolvedReason } : {}),
  });
  return true;
}

export interface ResolveOutcome {
  /** The record after resolution (this call's, or the identical earlier one being retried). */
  readonly record?: FindingRecord;
  /** This call (or the failed attempt it retries) resolved the finding. */
  readonly resolved: boolean;
  /** A `resolved` message was queued. */
  readonly notified: boolean;
}

/**
 * Resolve an open finding and queue its ONE `resolved` message. Safe to retry: when the finding is
 * already resolved with the same time and reason (an earlier attempt resolved it, then failed to queue),
 * the message is queued again with the same dedupe id, which the notifier delivers once per channel.
 * Anything else (unknown, already resolved by something else, never open, or seen again after `at`: an
 * older fix event delivered late) changes nothing.
 */
export async function resolveAndNotify(
  store: FindingStore,
  outbox: NotificationOutbox,
  findingId: string,
  reason: string,
  at: string,
): Promise<ResolveOutcome> {
  const current = await store.get(findingId);
  if (!current) return { resolved: false, notified: false };
  let record: FindingRecord | undefined;
  if (current.status === 'open') {
    // Out-of-order events: the finding was seen after the event that showed the fix, so the fix is stale.
    if (ms(current.lastSeen) > ms(at)) return { record: current, resolved: false, notified: false };
    record = await store.resolve(findingId, reason, at);
    if (!record) return { resolved: false, notified: false }; // someone else resolved it meanwhile
  } else if (
    current.resolvedAt !== undefined &&
    ms(current.resolvedAt) === ms(at) &&
    current.resolvedReason === reason
  ) {
    record = current;
  } else {
    return { record: current, resolved: false, notified: false };
  }
  const notified = await notifyResolved(outbox, record);
  return { record, resolved: true, notified };
}

// ------------------------------------------------------------------ "a later event shows the fix"

/**
 * Whether a resource shows the facts a rule reads, so that "the rule produced no finding" means
 * "compliant" and not "the event did not say". Events show partial resources (an UpdateService without
 * networkConfiguration, a task state change without the launch request): resolving on those would close
 * open findings that are not fixed. A rule without an entry here never resolves from an event (the
 * sweep still resolves it).
 */
const SHOWS: Readonly<Record<string, (r: Resource) => boolean>> = {
  'svc-public-ip': (r) => r.kind === 'Service' && r.network !== undefined,
  'svc-exec-enabled': (r) => r.kind === 'Service' && r.enableExecuteCommand !== undefined,
  'svc-fargate-platform-outdated': (r) =>
    r.kind === 'Service' &&
    r.platformVersion !== undefined &&
    (r.launchType !== undefined || r.capacityProviders !== undefined),
  'taskset-public-ip': (r) => r.kind === 'TaskSet' && r.network !== undefined,
  // The launch request (network) never changes for a task; the public IP needs enrichment to be known.
  'task-public-ip': (r) => r.kind === 'Task' && r.network !== undefined && r.publicIps !== undefined,
  'task-exec-enabled': (r) => r.kind === 'Task' && r.enableExecuteCommand !== undefined,
  'cluster-container-insights-disabled': (r) =>
    r.kind === 'Cluster' && r.settings?.containerInsights !== undefined,
  'instance-privileged-allowed': (r) => r.kind === 'ContainerInstance' && r.attributes.length > 0,
  'instance-imds-reachable': (r) => r.kind === 'ContainerInstance' && r.attributes.length > 0,
  'instance-task-role-host-network': (r) => r.kind === 'ContainerInstance' && r.attributes.length > 0,
  'svc-circuit-breaker-off': (r) => r.kind === 'Service' && r.circuitBreakerEnabled !== undefined,
  'cluster-exec-logging-off': (r) => r.kind === 'Cluster' && r.execLogging !== undefined,
  'cp-termination-protection-off': (r) =>
    r.kind === 'CapacityProvider' && r.autoScalingGroup?.managedTerminationProtection !== undefined,
  // A task's role overrides are fixed at launch: only the launch event shows them.
  'task-role-override': (r) => r.kind === 'Task' && r.launchedBy !== undefined,
  // Enrichment-based: only a resource whose role policies / tags were read shows the fix.
  'td-task-role-wildcard': (r) => r.kind === 'TaskDefinition' && r.taskRole?.exists === true,
  'td-missing-tags': (r) => r.kind === 'TaskDefinition' && r.tags !== undefined,
  'svc-missing-tags': (r) => r.kind === 'Service' && r.tags !== undefined,
  'cluster-missing-tags': (r) => r.kind === 'Cluster' && r.tags !== undefined,
  // A security group is read whole (DescribeSecurityGroups), never partly.
  'sg-world-open-admin-port': (r) => r.kind === 'SecurityGroup',
  // GuardDuty's update of the finding (archived) shows it; a task's other events do not.
  'runtime-threat-in-task': (r) =>
    (r.kind === 'Task' || r.kind === 'Cluster') && r.runtimeThreat !== undefined,
  // The sweep reads the detector whole.
  'account-ecs-runtime-monitoring-off': (r) => r.kind === 'GuardDutyDetector',
  'ecr-mutable-tags': (r) => r.kind === 'Repository' && r.imageTagMutability !== undefined,
  'ecr-scan-on-push-off': (r) => r.kind === 'Repository' && r.scanOnPush !== undefined,
};

/** A task definition revision is immutable and every event that shows one shows all of it. */
const SHOWS_BY_KIND: Partial<Record<ResourceKind, (r: Resource) => boolean>> = {
  TaskDefinition: (r) => r.kind === 'TaskDefinition' && r.containers.length > 0,
};

/** A task in one of these states is on its way out (after RUNNING): its findings are resolved. */
const GONE_TASK_STATUSES = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED', 'DELETED']);

/** Resource rules resolvedBy can resolve (exported for tests and docs). */
export function resolvableRuleIds(): string[] {
  return RULES.filter(
    (r) =>
      r.family === 'resource' && (SHOWS[r.id] !== undefined || SHOWS_BY_KIND[r.appliesTo as ResourceKind]),
  ).map((r) => r.id);
}

/**
 * The finding ids an event shows fixed: for every resource in the event and every resource rule the
 * policy does not turn off that applies to the resource's kind, `findingIdOf(rule, arn)` when this event
 * produced no finding for it (exempted findings count as produced) and the resource shows the facts the
 * rule reads. A stopping or stopped task (lastStatus DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED)
 * resolves every task rule's finding on it: the task is going away.
 * Ids of findings that are not open are harmless: `resolveAndNotify` ignores them.
 */
export function resolvedBy(
  event: Pick<NormalizedEvent, 'resources'>,
  findings: readonly Pick<Finding, 'findingId'>[],
  policy: Policy,
): string[] {
  const produced = new Set(findings.map((f) => f.findingId));
  const out = new Set<string>();
  for (const resource of event.resources) {
    const stopped = resource.kind === 'Task' && GONE_TASK_STATUSES.has(resource.lastStatus ?? '');
    for (const rule of RULES) {
      if (rule.family !== 'resource' || rule.appliesTo !== resource.kind) continue;
      if ((policy.rules[rule.id]?.mode ?? 'notify') === 'off') continue;
      const id = findingIdOf(rule.id, resource.arn);
      if (stopped) {
        out.add(id);
        continue;
      }
      if (produced.has(id)) continue;
      const shows = SHOWS[rule.id] ?? SHOWS_BY_KIND[resource.kind];
      if (shows?.(resource)) out.add(id);
    }
  }
  return [...out];
}
