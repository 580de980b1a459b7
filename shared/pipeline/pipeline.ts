/**
 * The flow of one event (docs/ARCHITECTURE.md), shared by the three Lambda handlers and built on the engine the CLI
 * uses (`evaluateParsed`):
 *
 *   parse -> scope -> idempotency -> normalize -> enrich -> evaluate + policy -> record -> remediate -> queue
 *
 * - parse: `parseEvent` (valibot). Bad input throws InvalidEventError, logged with the problem and the
 *   field path (never the event body), then re-thrown so the event goes to the DLQ.
 * - scope: an event naming an account outside the policy's `scope.allowAccounts` (shared/policy/scope.ts)
 *   is dropped here, before anything is written (no idempotency record, finding, remediation or
 *   notification): counted (`EventsOutsideAllowList`), logged with the accounts, never the body, and
 *   returned as a summary with `outsideAllowList` (not an error: a retry would change nothing).
 * - idempotency: Powertools `makeIdempotent` on DynamoDB, keyed by `idempotencyKeyOf` (task ARN +
 *   version, CloudTrail eventID, envelope id). A duplicate returns the first delivery's summary.
 * - record: the FindingStore counts every sighting; opening a finding is atomic, so one invocation only
 *   sees `opened` for a given finding.
 * - remediate: findings of rules in `remediate` mode, on the same trigger as the notification (below), so
 *   at most once per finding and event, through the Remediator (default: "remediation not enabled"). It
 *   is called under dryRun too: it reads the resource and reports `planned` ("dry-run: would have ...").
 *   It runs BEFORE the notification is queued, so the notification carries the outcome in `action`
 *   (done / planned / skipped / failed), and the outcome is written back into the stored finding
 *   (FindingActionStore). A retry of the same event reuses the outcome of its first attempt.
 *   Consequence of sharing the trigger (deliberate: no remediation storm): a finding that stays open is
 *   not remediated again by later events; it is again once it was resolved (the sweep resolves fixed
 *   resources) and a new violation re-opens it. The hourly budget bounds what remains.
 * - queue: a finding is queued when this event opened it, or when it is an aggregate that crossed its
 *   threshold (the atomic window count makes that exactly one event). The claim is written with the record
 *   (outbox marker) so a retry after a failed send queues it again; duplicates and later sightings do not.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { Enricher } from '../engine/enrich';
import { evaluateWithEvent, type EventResult } from '../engine/run';
import type { NormalizedEvent } from '../events/normalize';
import type { WindowCounter } from '../engine/windows';
import { InvalidEventError } from '../events/errors';
import { parseEvent, type ParsedEvent } from '../events/parse';
import { ECS_THROTTLE_EVENT_NAMES, THROTTLING_ERROR_CODES } from '../events/signals';
import { modeNotifies, modeRemediates, type Finding, type FindingAction } from '../model/finding';
import { accountsOutsideScope } from '../policy/scope';
import type { Policy } from '../policy/types';
import { decideNotification, resolveAndNotify, resolvedBy } from '../lifecycle/lifecycle';
import type { Outbox } from '../lifecycle/outbox';
import type { Logger } from '../model/logger';
import { noMetrics, type Metrics } from '../model/metrics';
import type { Resource } from '../model/resources';
import { withExemptionRecords, type ExemptionRecords } from '../store/exemption-records';
import type { FindingStore, NotifyClaim, RecordOutcome } from '../store/types';
import { idempotencyKeyOf, resourceArnOf } from './idempotency-key';
import type { EventRef } from '../model/finding';
import { evaluateNormalized } from '../engine/run';
import { IMAGE_RULE_ID, type RunningImages, type RunningImagesOutcome } from './running-images';
import { type FindingActionStore, type PipelineSummary, type RemediatorPort } from './types';

export const REMEDIATION_NOT_ENABLED = 'remediation not enabled';

/** Idempotency records live this long: EventBridge retries for up to 24 h, Lambda async for up to 6 h. */
export const IDEMPOTENCY_EXPIRY_SECONDS = 30 * 3600;

export interface IdempotencyOptions {
  /** Powertools persistence layer (DynamoDBPersistenceLayer in the Lambdas). */
  readonly persistenceStore: BasePersistenceLayer;
  /** Prefix of the idempotency keys (the function name): keeps each function's records apart. */
  readonly keyPrefix: string;
  /** Defaults: key `key`, 30 h expiry, local cache of 1,000 records. */
  readonly config?: IdempotencyConfig;
}

export interface PipelineDeps {
  readonly policy: Policy;
  readonly store: FindingStore;
  readonly counter: WindowCounter;
  readonly outbox: Outbox;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /**
   * Absent: remediation is not enabled (the policy has no rule in `remediate` mode, or the function has no
   * remediator loader, like `throttling`): findings are skipped with "remediation not enabled".
   */
  readonly remediator?: RemediatorPort;
  /** Where remediation outcomes are written back (absent: only notified and logged). */
  readonly actions?: FindingActionStore;
  /** Absent: no enrichment (the event's own facts only). */
  readonly enricher?: Enricher;
  /**
   * The running inventory and scan results (docs/running.md): task state changes and scan events update
   * them and are evaluated for image-vulnerable-running. Absent: neither is kept.
   */
  readonly running?: Pick<RunningImages, 'track'>;
  /** Absent: no duplicate suppression beyond the store's (CLI, unit tests). */
  readonly idempotency?: IdempotencyOptions;
  /** Exemptions made from Slack, honoured like the policy's own (absent: the policy's only). */
  readonly exemptionRecords?: ExemptionRecords;
  readonly now?: () => Date;
}

/** What the idempotent step receives. Only `key` is hashed. */
interface Invocation {
  readonly key: string;
  readonly parsed: ParsedEvent;
  /** Set when the step really ran (false: Powertools returned the stored result of a duplicate). */
  executed: boolean;
}

interface Tally {
  findings: number;
  new: number;
  queued: number;
  exempted: number;
  remediations: number;
  resolved: number;
}

/** A safe correlation id from input that failed validation: only a plain, short id, never other data. */
function safeEventId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>).id;
  return typeof id === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : undefined;
}

/** `ecs:RegisterTaskDefinition` for a throttled CloudTrail call, `ecs:ECS_OPERATION_THROTTLED` for ECS. */
function throttledApiOf(e: ParsedEvent): string | undefined {
  if (e.kind === 'cloudTrail' && e.detail.errorCode && THROTTLING_ERROR_CODES.has(e.detail.errorCode)) {
    return `${e.detail.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.detail.eventName}`;
  }
  if (e.kind === 'serviceAction' && ECS_THROTTLE_EVENT_NAMES.has(e.detail.eventName)) {
    return `ecs:${e.detail.eventName}`;
  }
  return undefined;
}

const isSuppressed = (f: Finding): boolean => f.exemption !== undefined && !f.exemption.expired;

export class Pipeline {
  private readonly deps: PipelineDeps;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly run: (input: Invocation, context?: Context) => Promise<PipelineSummary>;

  constructor(deps: PipelineDeps) {
    this.deps = deps;
    this.logger = deps.logger;
    this.metrics = deps.metrics ?? noMetrics;
    const step = (input: Invocation): Promise<PipelineSummary> => this.process(input);
    if (deps.idempotency) {
      const { persistenceStore, keyPrefix } = deps.idempotency;
      const config =
        deps.idempotency.config ??
        new IdempotencyConfig({
          eventKeyJmesPath: 'key',
          throwOnNoIdempotencyKey: true,
          expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS,
          useLocalCache: true,
          maxLocalCacheSize: 1000,
        });
      // Called as (input, context): Powertools registers the Lambda context, so an invocation that dies
      // mid-way leaves an in-progress record that expires with the invocation's deadline.
      const idempotent = makeIdempotent(
        (input: Invocation, _context?: Context): Promise<PipelineSummary> => step(input),
        { persistenceStore, config, keyPrefix },
      );
      this.run = (input, context) => idempotent(input, context);
    } else {
      this.run = step;
    }
  }

  /** One event: returns its summary, or throws (InvalidEventError for bad input) so it is retried/DLQ'd. */
  async handle(raw: unknown, context?: Context): Promise<PipelineSummary> {
    const keys: string[] = [];
    const correlate = (attrs: Record<string, string | undefined>): void => {
      const defined = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
      this.logger.appendKeys?.(defined);
      keys.push(...Object.keys(defined));
    };
    // Every invocation publishes at least this metric (and a dashboard gets the event rate).
    this.metrics.count('Events');
    try {
      let parsed: ParsedEvent;
      try {
        parsed = parseEvent(raw);
      } catch (err) {
        correlate({ eventId: safeEventId(raw) });
        throw err;
      }
      const key = idempotencyKeyOf(parsed);
      correlate({
        eventId: parsed.envelope.id,
        detailType: parsed.envelope['detail-type'],
        resourceArn: resourceArnOf(parsed),
        idempotencyKey: key,
      });
      const outside = accountsOutsideScope(parsed, this.deps.policy);
      if (outside.length) return this.dropOutsideScope(parsed, outside);
      const input: Invocation = { key, parsed, executed: false };
      const summary = await this.run(input, context);
      if (!input.executed) {
        this.metrics.count('DuplicateEvents');
        this.logger.info('duplicate event: already processed, returning the recorded result', { summary });
      }
      return summary;
    } catch (err) {
      this.reportFailure(err);
      throw err;
    } finally {
      if (keys.length) this.logger.removeKeys?.(keys);
    }
  }

  /** An event from (or about) an account outside scope.allowAccounts: nothing is written or sent. */
  private dropOutsideScope(parsed: ParsedEvent, outside: string[]): PipelineSummary {
    this.metrics.count('EventsOutsideAllowList');
    this.logger.warn('event from an account outside scope.allowAccounts: dropped (nothing recorded)', {
      account: parsed.envelope.account,
      outsideAllowList: outside,
    });
    return {
      eventId: parsed.envelope.id,
      kind: parsed.kind,
      findings: 0,
      new: 0,
      queued: 0,
      exempted: 0,
      remediations: 0,
      resolved: 0,
      outsideAllowList: outside,
    };
  }

  private reportFailure(err: unknown): void {
    const errorType = err instanceof Error ? err.name : 'NonError';
    this.metrics.countWith('Errors', { errorType });
    if (err instanceof InvalidEventError) {
      // The problem and where, never the value: the event may hold secrets.
      this.logger.error('invalid event: rejected (it goes to the dead-letter queue)', {
        errorType,
        problem: err.problem,
        ...(err.path ? { path: err.path } : {}),
      });
    } else if (errorType === 'IdempotencyAlreadyInProgressError') {
      this.logger.warn('the same event is in progress in another invocation: failing so it is retried', {
        errorType,
      });
    } else {
      this.logger.error('event processing failed: it will be retried, then dead-lettered', {
        errorType,
        error: err instanceof Error ? err : String(err),
      });
    }
  }

  private async process(input: Invocation): Promise<PipelineSummary> {
    input.executed = true;
    const { parsed, key } = input;
    const { counter, enricher, now, exemptionRecords } = this.deps;
    const at = now?.() ?? new Date();
    const policy = exemptionRecords
      ? withExemptionRecords(this.deps.policy, await exemptionRecords.listActive(at), at)
      : this.deps.policy;

    const api = throttledApiOf(parsed);
    if (api) this.metrics.countWith('Throttles', { api });

    const { result, normalized } = await evaluateWithEvent(parsed, {
      policy,
      counter,
      ...(enricher ? { enricher } : {}),
      ...(now ? { now } : {}),
    });
    if (result.incomplete) {
      this.metrics.count('IncompleteEvents');
      this.logger.warn('incomplete event: rules needing the missing facts were not evaluated', {
        reason: result.incomplete.reason,
      });
    }

    const tally: Tally = { findings: 0, new: 0, queued: 0, exempted: 0, remediations: 0, resolved: 0 };
    const settled = await Promise.allSettled(
      result.findings.map((f) => this.handleFinding(f, key, normalized.resources, tally)),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await this.resolveShownFixed(result, normalized, tally);
    const running = await this.deps.running?.track(parsed);
    if (running) await this.handleRunning(running, normalized.event, key, tally);

    const summary: PipelineSummary = {
      eventId: parsed.envelope.id,
      kind: parsed.kind,
      ...tally,
      ...(running?.change ? { inventory: running.change } : {}),
      ...(result.incomplete ? { incomplete: result.incomplete.reason } : {}),
    };
    if (tally.new) this.metrics.count('NewFindings', tally.new);
    if (tally.queued) this.metrics.count('NotificationsQueued', tally.queued);
    this.logger.info('event processed', { summary });
    return summary;
  }

  private async handleFinding(
    f: Finding,
    key: string,
    resources: readonly Resource[],
    tally: Tally,
  ): Promise<void> {
    const ids = { findingId: f.findingId, ruleId: f.ruleId, resourceArn: f.resource.arn };
    if (isSuppressed(f)) {
      tally.exempted++;
      this.metrics.countWith('ExemptedFindings', { rule: f.ruleId });
      this.logger.debug('finding exempted', { ...ids, reason: f.exemption?.reason });
      return;
    }
    tally.findings++;
    this.metrics.countWith('Findings', { rule: f.ruleId, severity: f.severity });

    const notifies = modeNotifies(f.mode);
    const claim: NotifyClaim | undefined = notifies
      ? { key, when: f.aggregate ? (f.aggregate.crossed ? 'always' : 'never') : 'open' }
      : undefined;
    const outcome = await this.deps.store.record(f, f.event.time, claim);
    if (outcome.opened) tally.new++;
    // Stores without outbox markers (memory) leave `notify` undefined: decide from this call alone.
    const due = notifies && (outcome.notify ?? (f.aggregate ? f.aggregate.crossed : outcome.opened));
    this.logger.info('finding', {
      ...ids,
      severity: f.severity,
      mode: f.mode,
      opened: outcome.opened,
      count: outcome.record.count,
      ...(f.aggregate ? { windowCount: f.aggregate.count, crossed: f.aggregate.crossed } : {}),
      queue: due,
    });
    if (!due) {
      if (notifies && !outcome.opened) await this.remindIfDue(f, outcome, tally);
      return;
    }

    let notified = f;
    if (modeRemediates(f.mode) && f.action) {
      tally.remediations++;
      const action = await this.remediateOnce(f, key, outcome.opened, resources);
      notified = { ...f, action };
    }

    await this.deps.outbox.send(notified, { dedupeKey: key });
    tally.queued++;
    await this.deps.store.markNotified(f.findingId, (this.deps.now?.() ?? new Date()).toISOString(), key);
    if (notified.action?.status === 'done') {
      // The fix is made and verified: the finding resolves, with one "resolved" message after the opened one.
      const r = await resolveAndNotify(
        this.deps.store,
        this.deps.outbox,
        f.findingId,
        `remediation succeeded: ${notified.action.name}`,
        new Date().toISOString(), // the fix happened now: older events show the state before it
      );
      if (r.resolved) tally.resolved++;
      if (r.notified) tally.queued++;
    }
  }

  /** An open finding seen again: nothing within the suppression period, then one reminder (lifecycle.ts). */
  private async remindIfDue(f: Finding, outcome: RecordOutcome, tally: Tally): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    const d = decideNotification(outcome.record, outcome, now, this.deps.policy);
    if (!d.notify) return;
    await this.deps.outbox.enqueue(f, {
      kind: d.kind,
      dedupeKey: d.dedupeKey,
      firstSeen: outcome.record.firstSeen,
      count: outcome.record.count,
    });
    tally.queued++;
    await this.deps.store.markNotified(f.findingId, now.toISOString());
    this.logger.info('notification', { findingId: f.findingId, kind: d.kind, reason: d.reason });
  }

  /**
   * Open findings this event shows fixed (a resource rule evaluated on what the event shows, and no
   * finding) are resolved, with one "resolved" message each. Task definition revisions are immutable, so
   * an event cannot show one fixed: they are left to the sweep (which sees exemptions and policy changes).
   */
  private async resolveShownFixed(
    result: EventResult,
    normalized: NormalizedEvent,
    tally: Tally,
  ): Promise<void> {
    const resources = normalized.resources.filter((r) => r.kind !== 'TaskDefinition');
    if (resources.length === 0) return;
    const ids = resolvedBy({ resources }, result.findings, this.deps.policy);
    for (const id of ids) {
      const r = await resolveAndNotify(
        this.deps.store,
        this.deps.outbox,
        id,
        `compliant: event ${result.event.id} shows the fix`,
        result.event.time,
      );
      if (r.resolved) {
        tally.resolved++;
        this.logger.info('finding resolved', { findingId: id, notified: r.notified });
      }
      if (r.notified) tally.queued++;
    }
  }

  /**
   * The running images an event concerns (shared/pipeline/running-images.ts): their signals evaluated like
   * the event's own (policy, modes, exemptions) and recorded and queued the same way; a pair considered
   * that yields no finding (its last task stopped, the scans no longer report it, the policy exempts it)
   * has its open finding resolved.
   */
  private async handleRunning(
    running: RunningImagesOutcome,
    event: EventRef,
    key: string,
    tally: Tally,
  ): Promise<void> {
    const { policy, counter, now } = this.deps;
    const produced = new Set<string>();
    for (const g of running.groups) {
      const result = await evaluateNormalized(
        {
          event,
          account: g.account,
          region: g.region,
          resources: [],
          signals: g.signals,
          taskDefinitionRefs: [],
        },
        { policy, counter, ...(now ? { now } : {}) },
      );
      for (const f of result.findings) {
        produced.add(f.findingId);
        await this.handleFinding(f, key, [], tally);
      }
    }
    for (const id of new Set(running.considered)) {
      if (produced.has(id)) continue;
      const r = await resolveAndNotify(
        this.deps.store,
        this.deps.outbox,
        id,
        `${IMAGE_RULE_ID}: after event ${event.id} no running task of the service runs the digest with vulnerabilities at or above the threshold`,
        event.time,
      );
      if (r.resolved) {
        tally.resolved++;
        this.logger.info('finding resolved', { findingId: id, notified: r.notified });
      }
      if (r.notified) tally.queued++;
    }
  }

  /**
   * The remediation outcome for this finding and event: the first attempt's when this is a retry of the
   * event (its notification failed after remediating), else the Remediator's, written back to the store.
   */
  private async remediateOnce(
    f: Finding,
    key: string,
    opened: boolean,
    resources: readonly Resource[],
  ): Promise<FindingAction> {
    const ids = { findingId: f.findingId, ruleId: f.ruleId, resourceArn: f.resource.arn };
    const { actions } = this.deps;
    if (actions && !opened) {
      const earlier = await actions.previous(f.findingId, key).catch((err: unknown) => {
        this.logger.warn('could not read an earlier remediation outcome: remediating', {
          ...ids,
          errorType: err instanceof Error ? err.name : 'NonError',
        });
        return undefined;
      });
      if (earlier) {
        this.logger.info('remediation: outcome of an earlier attempt of this event', {
          ...ids,
          action: earlier,
        });
        return earlier;
      }
    }
    const action = await this.remediate(f, resources);
    this.metrics.countWith('Remediations', { action: action.name, status: action.status });
    if (action.status === 'failed') this.logger.warn('remediation', { ...ids, action });
    else this.logger.info('remediation', { ...ids, action });
    if (actions) {
      try {
        await actions.save(f, action, key, new Date().toISOString());
      } catch (err) {
        // The change (if any) is made and audited; the notification still carries the outcome.
        this.metrics.countWith('Errors', { errorType: 'RemediationWriteBack' });
        this.logger.warn('could not write the remediation outcome into the stored finding', {
          ...ids,
          errorType: err instanceof Error ? err.name : 'NonError',
        });
      }
    }
    return action;
  }

  private async remediate(f: Finding, resources: readonly Resource[]): Promise<FindingAction> {
    const { remediator } = this.deps;
    if (!remediator) {
      const name = f.action?.name ?? 'none';
      this.logger.info(REMEDIATION_NOT_ENABLED, {
        findingId: f.findingId,
        ruleId: f.ruleId,
        resourceArn: f.resource.arn,
        action: name,
      });
      return { name, status: 'skipped', reason: REMEDIATION_NOT_ENABLED };
    }
    try {
      return outcomeOf(f, await remediator.remediate(f, { resources }));
    } catch (err) {
      return {
        name: f.action?.name ?? 'unknown',
        status: 'failed',
        reason: err instanceof Error ? `${err.name}: ${err.message}` : 'remediation failed',
      };
    }
  }
}

/** The remediation outcome of a finding: its action, or why the Remediator did not act. */
export function outcomeOf(finding: Finding, remediated: Finding): FindingAction {
  if (remediated.action) return remediated.action;
  const exempt = remediated.exemption && !remediated.exemption.expired;
  return {
    name: finding.action?.name ?? 'none',
    status: 'skipped',
    reason: exempt ? 'exempted' : 'rule is not in remediate mode',
  };
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  return new Pipeline(deps);
}
