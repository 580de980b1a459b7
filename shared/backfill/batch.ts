/**
 * One batch of a backfill: the CloudTrail log objects one child workflow of the Distributed Map gets
 * (`{ Items: [{ Key }], BatchInput: { bucket, from, to } }`), each streamed record by record through the
 * same pipeline as a live event. A record is evaluated only when it is in the window and one of the live
 * EventBridge rules would have routed it (infra/event-patterns.json); everything else is counted, and a
 * bad record or object is counted with its reason while the batch goes on. Idempotent: the pipeline's
 * idempotency (keyed by the record's eventID) makes a replayed record write nothing.
 */
import * as v from 'valibot';
import { classifyAwsError } from '../aws/classify';
import { InvalidEventError } from '../events/errors';
import { recordToEvent } from '../events/cloudtrail-record';
import type { Logger } from '../model/logger';
import type { PipelineSummary } from '../pipeline/types';
import { DEFAULT_OBJECT_LIMITS, recordsOfObject, type ObjectLimits } from './cloudtrail-object';
import { BackfillInputError, BackfillRetryableError } from './errors';
import { matchesPattern, type EventPattern } from './event-pattern';
import { emptySummary, type BatchSummary, type Reasons, MAX_REASONS } from './summary';
import { inWindow, parseWindow, type BackfillWindow } from './window';

export interface BatchInput extends BackfillWindow {
  readonly bucket: string;
  readonly keys: readonly string[];
}

/** Distributed Map limit we accept per batch (the state machine batches far fewer). */
export const MAX_ITEMS_PER_BATCH = 1000;

const BatchSchema = v.object({
  Items: v.pipe(
    v.array(v.object({ Key: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)) })),
    v.maxLength(MAX_ITEMS_PER_BATCH),
  ),
  BatchInput: v.object({
    bucket: v.pipe(v.string(), v.minLength(3), v.maxLength(63)),
    from: v.unknown(),
    to: v.unknown(),
  }),
});

/** The child workflow's input, checked; a BackfillInputError names the field (never the value). */
export function parseBatchInput(input: unknown): BatchInput {
  const r = v.safeParse(BatchSchema, input);
  if (!r.success) {
    const path = v.getDotPath(r.issues[0]) ?? '(input)';
    throw new BackfillInputError(
      `backfill batch ${path}: ${r.issues[0].expected ? `expected ${r.issues[0].expected}` : 'invalid'}`,
    );
  }
  // No check against the clock here: the CLI checked the request; a batch only needs a sound window.
  const window = parseWindow(r.output.BatchInput, { from: 'BatchInput.from', to: 'BatchInput.to' });
  return { bucket: r.output.BatchInput.bucket, keys: r.output.Items.map((i) => i.Key), ...window };
}

export interface EvaluatedRecord {
  readonly summary: PipelineSummary;
  /** The pipeline had processed this record before: it returned the recorded result, wrote nothing. */
  readonly duplicate: boolean;
}

export interface BatchDeps {
  /** The object's bytes as a stream (S3 GetObject Body). */
  readonly read: (bucket: string, key: string) => Promise<AsyncIterable<Uint8Array | string>>;
  /** The live pipeline for one event. */
  readonly evaluate: (event: unknown) => Promise<EvaluatedRecord>;
  /** The live rules' patterns (infra/event-patterns.json): a record is evaluated when one matches. */
  readonly patterns: readonly EventPattern[];
  readonly logger: Logger;
  readonly limits?: ObjectLimits;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function count(reasons: Reasons, reason: string): void {
  const key = reason in reasons || Object.keys(reasons).length < MAX_REASONS ? reason : 'other';
  reasons[key] = (reasons[key] ?? 0) + 1;
}

/** Evaluates every record of every object of the batch; returns the counts. Throws only for a bad batch input. */
export async function evaluateBatch(batch: BatchInput, deps: BatchDeps): Promise<BatchSummary> {
  const s: Mutable<BatchSummary> = { ...emptySummary(), invalidReasons: {}, failedReasons: {} };
  for (const key of batch.keys) {
    s.objects++;
    let body: AsyncIterable<Uint8Array | string>;
    try {
      body = await deps.read(batch.bucket, key);
    } catch (err) {
      // Throttled or unavailable S3: let the state machine retry the batch (idempotent).
      if (isRetryable(err)) throw retryable(err);
      s.invalidObjects++;
      count(s.invalidReasons, `object: cannot be read (${errorName(err)})`);
      deps.logger.warn('backfill: object cannot be read', { key, errorType: errorName(err) });
      continue;
    }
    for await (const item of recordsOfObject(key, body, deps.limits ?? DEFAULT_OBJECT_LIMITS)) {
      if ('problem' in item) {
        if (item.scope === 'object') s.invalidObjects++;
        else {
          s.records++;
          s.invalid++;
        }
        count(s.invalidReasons, `${item.scope}: ${item.problem}`);
        deps.logger.warn('backfill: invalid input', { where: item.label, problem: item.problem });
        continue;
      }
      s.records++;
      await evaluateRecord(item.label, item.record, batch, deps, s);
    }
  }
  return s;
}

async function evaluateRecord(
  label: string,
  record: unknown,
  window: BackfillWindow,
  deps: BatchDeps,
  s: Mutable<BatchSummary>,
): Promise<void> {
  const when = inWindow((record as { eventTime?: unknown } | null)?.eventTime, window);
  if (when === 'unreadable') {
    s.invalid++;
    count(s.invalidReasons, 'record: detail.eventTime: must be an ISO 8601 time');
    return;
  }
  if (!when) {
    s.outsideWindow++;
    return;
  }
  const event = recordToEvent(record);
  if (!deps.patterns.some((p) => matchesPattern(p, event))) {
    s.notRouted++;
    return;
  }
  try {
    const { summary, duplicate } = await deps.evaluate(event);
    s.evaluated++;
    if (duplicate) s.duplicates++;
    s.findings += summary.findings;
    s.new += summary.new;
    s.resolved += summary.resolved;
    s.queued += summary.queued;
    if (summary.incomplete) s.incomplete++;
  } catch (err) {
    if (err instanceof InvalidEventError) {
      s.invalid++;
      count(s.invalidReasons, `record: ${err.path ? `${err.path}: ` : ''}${err.problem}`);
      return;
    }
    if (isRetryable(err)) throw retryable(err);
    s.failed++;
    count(s.failedReasons, errorName(err));
    deps.logger.warn('backfill: record failed', { where: label, errorType: errorName(err) });
  }
}

const retryable = (err: unknown): BackfillRetryableError =>
  new BackfillRetryableError(`batch interrupted: ${errorName(err)} (retried by the state machine)`, {
    cause: err,
  });

const errorName = (err: unknown): string => (err instanceof Error ? err.name : 'NonError');

/**
 * Throttled, timed out, network or server failures (the one classifier, shared/aws/classify.ts), and a
 * record another invocation is processing: the batch fails and the state machine's Retry runs it again
 * (idempotent, so what was done is not done twice).
 */
function isRetryable(err: unknown): boolean {
  return classifyAwsError(err).retryable || errorName(err) === 'IdempotencyAlreadyInProgressError';
}
