/**
 * The records of one CloudTrail log file (`{"Records": [...]}`, gzip, as CloudTrail writes one per account,
 * region and about 5 minutes), streamed: bytes -> inflate (capped) -> text -> the splitter cuts out one
 * record at a time (capped per record) -> JSON.parse. Memory depends on the largest record, never on the
 * size of the file; a problem is yielded as an item naming where (`key:Records[3]`), never the content.
 */
import { textOf } from '../base/input-text';
import { JsonSplitter } from '../base/json-splitter';
import { isCloudTrailLog } from '../events/cloudtrail-record';

export interface ObjectLimits {
  /** Per record, in characters (the CLI's per-event limit). */
  readonly maxRecordChars: number;
  /** Inflated size of one object: past it the object is refused (a gzip bomb). */
  readonly maxInflatedBytes: number;
}

export const DEFAULT_OBJECT_LIMITS: ObjectLimits = {
  maxRecordChars: 1024 * 1024,
  maxInflatedBytes: 1024 * 1024 * 1024,
};

export type ObjectItem =
  | { readonly label: string; readonly record: unknown }
  /** `object`: the whole file is unreadable from here on (not gzip/JSON, not a log); `record`: one record. */
  | { readonly label: string; readonly problem: string; readonly scope: 'object' | 'record' };

/** The records of one object, in order. Never throws for bad content: it yields a problem instead. */
export async function* recordsOfObject(
  key: string,
  body: AsyncIterable<Uint8Array | string>,
  limits: ObjectLimits = DEFAULT_OBJECT_LIMITS,
): AsyncGenerator<ObjectItem> {
  const splitter = new JsonSplitter({ label: key, mode: 'document', maxPieceChars: limits.maxRecordChars });
  const fromPieces = function* (pieces: ReturnType<JsonSplitter['push']>): Generator<ObjectItem> {
    for (const piece of pieces) {
      if ('problem' in piece) {
        // A broken document ends the splitter: the rest of the object cannot be trusted.
        yield { label: piece.label, problem: piece.problem, scope: splitter.done ? 'object' : 'record' };
        continue;
      }
      if (!piece.record) {
        yield* topLevel(piece.label, piece.text);
        continue;
      }
      try {
        yield { label: piece.label, record: JSON.parse(piece.text) as unknown };
      } catch {
        yield { label: piece.label, problem: 'not valid JSON', scope: 'record' };
      }
    }
  };
  try {
    for await (const chunk of textOf(body, limits.maxInflatedBytes)) {
      yield* fromPieces(splitter.push(chunk));
      if (splitter.done) return;
    }
    yield* fromPieces(splitter.end());
  } catch (err) {
    // InputError (not gzip as announced, inflates past the cap) or the stream failed mid-way.
    const problem =
      err instanceof Error && err.name === 'InputError' ? err.message : 'cannot read the object';
    yield { label: key, problem, scope: 'object' };
    return;
  }
}

/**
 * A top-level value that is not split into records: a log whose `Records` is not the first key (rare,
 * small), or not a CloudTrail log at all.
 */
function* topLevel(label: string, text: string): Generator<ObjectItem> {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    yield { label, problem: 'not valid JSON', scope: 'object' };
    return;
  }
  if (!isCloudTrailLog(value)) {
    yield { label, problem: 'not a CloudTrail log file: Records must be an array', scope: 'object' };
    return;
  }
  for (const [i, record] of value.Records.entries()) yield { label: `${label}:Records[${i}]`, record };
}
