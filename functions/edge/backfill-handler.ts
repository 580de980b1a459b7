/**
 * The backfill function's handler factory (docs/backfill.md). The backfill state machine calls it in two
 * ways, told apart by the input's shape:
 * - a batch of the Distributed Map (`{ Items: [{ Key }], BatchInput: { bucket, from, to } }`): every
 *   CloudTrail record of those objects in the window that a live rule would route goes through the same
 *   pipeline as the live cloudtrail-api-call and throttling functions (idempotent per record, enrichment,
 *   findings recorded and notified like live ones; never remediation: the events are history);
 * - the run's last step (`{ ResultWriterDetails: { Bucket, Key } }`): the totals of every batch.
 * A bad batch input fails with BackfillInputError (the state machine does not retry it); throttling and
 * service faults fail the batch so the state machine's Retry runs it again.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import type { Readable } from 'node:stream';
import patterns from '../../infra/event-patterns.json';
import { awsClientConfig } from '../../shared/aws/client-pool';
import { evaluateBatch, parseBatchInput } from '../../shared/backfill/batch';
import type { EventPattern } from '../../shared/backfill/event-pattern';
import { assertSupported } from '../../shared/backfill/event-pattern';
import { parseResultWriterDetails, summarizeRun, type ReadObject } from '../../shared/backfill/results';
import type { BatchSummary, RunSummary } from '../../shared/backfill/summary';
import type { Metrics } from '../../shared/model/metrics';
import type { Pipeline } from '../../shared/pipeline/pipeline';
import { buildPipeline, type PipelineHandlerOptions } from './pipeline-handler';
import { emf, logger } from './observability';

export interface BackfillHandlerDeps {
  /** The live rules' event patterns (infra/event-patterns.json). */
  readonly patterns: readonly EventPattern[];
  /** The S3 object body as a stream. */
  readonly read: ReadObject;
  /** Builds the pipeline with the given metrics (default: the live functions' pipeline). */
  readonly pipeline?: (metrics: Metrics) => Promise<Pick<Pipeline, 'handle'>>;
  readonly options?: PipelineHandlerOptions;
}

/** Reads S3 objects as streams (GetObject Body), with the backfill client profile of the pool. */
export function s3Reader(client: S3Client = new S3Client(awsClientConfig('backfill'))): ReadObject {
  return async (bucket, key) =>
    (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable;
}

/**
 * The deployed function's dependencies: the rules whose events are CloudTrail records (state-change events
 * are not in CloudTrail logs), S3, and the enricher loader (loaded on the first record that lacks facts).
 */
export function liveDeps(options: PipelineHandlerOptions): BackfillHandlerDeps {
  return {
    patterns: [patterns['cloudtrail-api-call'], patterns.throttling],
    read: s3Reader(),
    options,
  };
}

/** Counts the duplicates the pipeline reports (an idempotent replay) on top of the EMF metrics. */
class DuplicateCounter implements Metrics {
  duplicates = 0;
  count(name: string, value?: number): void {
    if (name === 'DuplicateEvents') this.duplicates += value ?? 1;
    emf.count(name, value);
  }
  countWith(name: string, dimensions: Record<string, string>, value?: number): void {
    emf.countWith(name, dimensions, value);
  }
  timing(name: string, ms: number): void {
    emf.timing(name, ms);
  }
}

interface Ready {
  readonly deps: BackfillHandlerDeps;
  readonly pipeline: Pick<Pipeline, 'handle'>;
  readonly counter: DuplicateCounter;
}

export function backfillHandler(getDeps: () => BackfillHandlerDeps) {
  // Built once per container on the first invocation; a failed build is tried again on the next.
  let ready: Promise<Ready> | undefined;
  const build = async (): Promise<Ready> => {
    const deps = getDeps();
    deps.patterns.forEach((p, i) => assertSupported(p, `patterns[${i}]`));
    const counter = new DuplicateCounter();
    const pipeline = await (deps.pipeline
      ? deps.pipeline(counter)
      : buildPipeline('backfill', deps.options ?? {}, counter));
    return { deps, pipeline, counter };
  };
  const init = (): Promise<Ready> =>
    (ready ??= build().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  return async (event: unknown, context: Context): Promise<BatchSummary | RunSummary> => {
    if (typeof event === 'object' && event !== null && 'ResultWriterDetails' in event) {
      const details = parseResultWriterDetails(event);
      const { deps } = await init();
      const summary = await summarizeRun(details, deps.read);
      logger.info('backfill run summary', { summary });
      return summary;
    }
    const batch = parseBatchInput(event);
    const { deps, pipeline, counter } = await init();
    const summary = await evaluateBatch(batch, {
      read: deps.read,
      patterns: deps.patterns,
      logger,
      evaluate: async (e) => {
        const before = counter.duplicates;
        const result = await pipeline.handle(e, context);
        return { summary: result, duplicate: counter.duplicates > before };
      },
    });
    emf.count('BackfillRecords', summary.records);
    emf.count('BackfillInvalidRecords', summary.invalid);
    logger.info('backfill batch', { objects: batch.keys.length, summary });
    return summary;
  };
}
