/**
 * The totals of a backfill run, from what the Distributed Map's ResultWriter wrote to S3: a manifest
 * (`manifest.json`: `ResultFiles.SUCCEEDED|FAILED|PENDING: [{ Key }]`) and result files, each a JSON array
 * of child executions whose `Output` is the batch summary as a JSON string. The files are streamed
 * element by element (a run of 100,000 batches does not fit in memory as one string).
 */
import * as v from 'valibot';
import { textOf } from '../base/input-text';
import { JsonSplitter } from '../base/json-splitter';
import { BackfillInputError } from './errors';
import { addSummaries, asBatchSummary, emptySummary, type RunSummary } from './summary';

const ManifestSchema = v.object({
  ResultFiles: v.object({
    SUCCEEDED: v.optional(v.array(v.object({ Key: v.string() })), []),
    FAILED: v.optional(v.array(v.object({ Key: v.string() })), []),
    PENDING: v.optional(v.array(v.object({ Key: v.string() })), []),
  }),
});

export interface ResultWriterDetails {
  readonly Bucket: string;
  readonly Key: string;
}

const DetailsSchema = v.object({
  ResultWriterDetails: v.object({
    Bucket: v.pipe(v.string(), v.minLength(3)),
    Key: v.pipe(v.string(), v.minLength(1)),
  }),
});

/** The summarize step's input (the Map's output), checked. */
export function parseResultWriterDetails(input: unknown): ResultWriterDetails {
  const r = v.safeParse(DetailsSchema, input);
  if (!r.success)
    throw new BackfillInputError(
      `backfill summary ${v.getDotPath(r.issues[0]) ?? '(input)'}: missing or not a string`,
    );
  return r.output.ResultWriterDetails;
}

export type ReadObject = (bucket: string, key: string) => Promise<AsyncIterable<Uint8Array | string>>;

/** Up to 16 MiB per child execution record (its Input and Output are each at most 256 KiB). */
const MAX_ELEMENT_CHARS = 16 * 1024 * 1024;
const MAX_FILE_BYTES = 8 * 1024 * 1024 * 1024;

async function* elements(key: string, body: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const splitter = new JsonSplitter({ label: key, mode: 'document', maxPieceChars: MAX_ELEMENT_CHARS });
  const parse = function* (pieces: ReturnType<JsonSplitter['push']>): Generator<unknown> {
    for (const p of pieces) {
      if ('problem' in p) throw new BackfillInputError(`result file ${p.label}: ${p.problem}`);
      yield JSON.parse(p.text) as unknown;
    }
  };
  for await (const chunk of textOf(body, MAX_FILE_BYTES)) yield* parse(splitter.push(chunk));
  yield* parse(splitter.end());
}

async function readAll(body: AsyncIterable<Uint8Array | string>): Promise<string> {
  let text = '';
  for await (const chunk of textOf(body, 64 * 1024 * 1024)) text += chunk;
  return text;
}

/** Adds up every batch summary of the run; batches that failed, are pending or did not report are counted. */
export async function summarizeRun(details: ResultWriterDetails, read: ReadObject): Promise<RunSummary> {
  const manifestText = await readAll(await read(details.Bucket, details.Key));
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestText);
  } catch {
    throw new BackfillInputError('backfill summary: the manifest is not valid JSON');
  }
  const manifest = v.safeParse(ManifestSchema, manifestJson);
  if (!manifest.success)
    throw new BackfillInputError(
      `backfill summary: manifest ${v.getDotPath(manifest.issues[0]) ?? ''}: not a ResultWriter manifest`,
    );
  let total = emptySummary();
  let batches = 0;
  let failedBatches = 0;
  const files = manifest.output.ResultFiles;
  for (const file of [...files.SUCCEEDED, ...files.FAILED, ...files.PENDING]) {
    for await (const child of elements(file.Key, await read(details.Bucket, file.Key))) {
      batches++;
      const c = child as { Status?: unknown; Output?: unknown };
      let output: unknown = null;
      if (c.Status === 'SUCCEEDED' && typeof c.Output === 'string') {
        try {
          output = JSON.parse(c.Output);
        } catch {
          output = null;
        }
      }
      const summary = asBatchSummary(output);
      if (summary) total = addSummaries(total, summary);
      else failedBatches++;
    }
  }
  return { ...total, batches, failedBatches };
}
