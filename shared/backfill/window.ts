/**
 * What a backfill run covers: a bucket, a key prefix and a time window [from, to). Checked once where the
 * request enters (the CLI's flags, the state machine's batch input), so a typo fails before any object is
 * listed; each error names the flag or field, never the value.
 */
import { BackfillInputError } from './errors';

export interface BackfillWindow {
  /** Inclusive, ISO 8601 UTC. */
  readonly from: string;
  /** Exclusive, ISO 8601 UTC. */
  readonly to: string;
}

export interface BackfillRequest extends BackfillWindow {
  readonly bucket: string;
  readonly prefix: string;
}

/** The field names as the CLI spells them (`--from`) or as the state machine input does (`from`). */
export type FieldNames = Readonly<Record<keyof BackfillRequest, string>>;

export const INPUT_FIELDS: FieldNames = { bucket: 'bucket', prefix: 'prefix', from: 'from', to: 'to' };

/** S3 bucket naming rules (general purpose buckets): 3-63 of a-z 0-9 . -, starting and ending alphanumeric. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An S3 key is at most 1,024 bytes of UTF-8. */
const MAX_PREFIX_BYTES = 1024;
/** `2026-12-01`, `2026-12-01T10:00Z`, `2026-12-01T10:00:00.000Z`, with an explicit Z or offset. */
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseInstant(value: unknown, field: string): Date {
  if (typeof value !== 'string')
    throw new BackfillInputError(`${field}: must be a date (YYYY-MM-DD or ISO 8601 UTC)`);
  if (!DATE.test(value))
    throw new BackfillInputError(
      `${field}: not a date: use YYYY-MM-DD or an ISO 8601 time with Z or an offset (2026-12-01T10:00Z)`,
    );
  // `2026-02-30` passes the pattern and Date would roll it over to March: refuse it.
  const day = value.slice(0, 10);
  const midnight = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day)
    throw new BackfillInputError(`${field}: not a calendar date`);
  const d = new Date(value.length === 10 ? `${day}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw new BackfillInputError(`${field}: not a valid time`);
  return d;
}

function checkPrefix(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new BackfillInputError(`${field}: must be a string`);
  if (Buffer.byteLength(value, 'utf8') > MAX_PREFIX_BYTES)
    throw new BackfillInputError(`${field}: longer than an S3 key (1,024 bytes)`);
  // Control characters are legal in keys but never in CloudTrail's; they would also reach a terminal.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new BackfillInputError(`${field}: contains control characters`);
  if (value.startsWith('/')) throw new BackfillInputError(`${field}: an S3 prefix does not start with "/"`);
  return value;
}

/**
 * The request, checked: the bucket name, the prefix, the window (`from` before `to`). `now` bounds `from`:
 * a window entirely in the future is refused as the mistake it is.
 */
export function parseBackfillRequest(
  input: Partial<Record<keyof BackfillRequest, unknown>>,
  names: FieldNames = INPUT_FIELDS,
  now: Date = new Date(),
): BackfillRequest {
  const bucket = input.bucket;
  if (typeof bucket !== 'string' || bucket === '')
    throw new BackfillInputError(`${names.bucket}: is required`);
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new BackfillInputError(`${names.bucket}: not an S3 bucket name (3-63 of a-z, 0-9, "." and "-")`);
  const prefix = checkPrefix(input.prefix ?? '', names.prefix);
  const window = parseWindow(input, names, now);
  return { bucket, prefix, ...window };
}

/** The window, checked; with `now`, a window that starts in the future is refused too. */
export function parseWindow(
  input: Partial<Record<keyof BackfillWindow, unknown>>,
  names: Pick<FieldNames, 'from' | 'to'> = INPUT_FIELDS,
  now?: Date,
): BackfillWindow {
  if (input.from === undefined) throw new BackfillInputError(`${names.from}: is required`);
  if (input.to === undefined) throw new BackfillInputError(`${names.to}: is required`);
  const from = parseInstant(input.from, names.from);
  const to = parseInstant(input.to, names.to);
  if (from.getTime() >= to.getTime())
    throw new BackfillInputError(`${names.to}: must be after ${names.from}`);
  if (now && from.getTime() > now.getTime()) throw new BackfillInputError(`${names.from}: is in the future`);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** Whether a record's `eventTime` falls in the window; an unreadable time is outside (and reported so). */
export function inWindow(eventTime: unknown, window: BackfillWindow): boolean | 'unreadable' {
  if (typeof eventTime !== 'string') return 'unreadable';
  const t = Date.parse(eventTime);
  if (Number.isNaN(t)) return 'unreadable';
  return t >= Date.parse(window.from) && t < Date.parse(window.to);
}
