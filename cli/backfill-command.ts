/**
 * `guardrail backfill --bucket B --prefix P --from D --to D --state-machine ARN [--follow]`: starts the
 * backfill state machine over an organization trail's CloudTrail objects (docs/backfill.md) and, with
 * `--follow`, follows the execution: DescribeExecution polled with backoff, the Distributed Map's batch
 * counts as progress on stderr, the run's totals at the end. Ctrl-C stops following, never the execution
 * (it runs in AWS; the ARN is printed to look it up later). `--local PATH...` (cli/main.ts) evaluates
 * local files instead, exactly as `guardrail evaluate` does.
 *
 * Exit codes: 0 started (or succeeded, with --follow); 2 succeeded but records or objects were invalid or
 * batches failed (counted in the summary); 3 usage error; 5 the execution could not be started or
 * followed, or failed, timed out or was aborted; 130 stopped following on Ctrl-C (the execution goes on).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { awsErrorName } from '../shared/aws/classify';
import { GuardrailError } from '../shared/base/errors';
import { BackfillInputError } from '../shared/backfill/errors';
import { asBatchSummary, type RunSummary } from '../shared/backfill/summary';
import { parseBackfillRequest, type BackfillRequest } from '../shared/backfill/window';
import type { Io } from './evaluate-command';
import { escapeTerminal, terminalSafeJson } from './terminal-text';

export const BACKFILL_USAGE = `Usage:
  guardrail backfill --bucket BUCKET --prefix PREFIX --from DATE --to DATE --state-machine ARN [--follow] [--format table|json]
  guardrail backfill --local PATH...

Evaluates an organization trail's CloudTrail log files (one object per account, region and 5 minutes)
on the backfill state machine: a Distributed Map over the objects under PREFIX, in batches, each through
the same pipeline as the live functions (findings recorded and notified like live ones, never
remediated; a record already processed is not processed again).
  --bucket BUCKET        the trail's S3 bucket
  --prefix PREFIX        e.g. AWSLogs/o-abc123defg/ (all accounts) or AWSLogs/o-abc123defg/111122223333/CloudTrail/eu-west-1/2026/12/
  --from DATE --to DATE  the window of eventTime: [from, to), YYYY-MM-DD or ISO 8601 with Z or an offset
  --state-machine ARN    the backfill state machine (stack output BackfillStateMachineArn)
  --follow               follow the execution: progress on stderr, the totals at the end (Ctrl-C stops
                         following, not the execution)
  --format table|json    the totals as lines (default) or one JSON object
  --local PATH...        no state machine: evaluate local files (downloaded logs) as guardrail evaluate does
Region and credentials: the state machine's region, the usual AWS_PROFILE environment.

Exit codes: 0 started / succeeded, 2 succeeded with invalid input or failed batches, 3 usage error,
5 the execution could not be started or followed, or failed, timed out or was aborted, 130 stopped
following (the execution goes on).
`;

class BackfillUsageError extends GuardrailError {
  override readonly name = 'UsageError';
}

/** `arn:aws:states:eu-west-1:111122223333:stateMachine:ecs-guardrail-prod-backfill` */
const STATE_MACHINE_ARN =
  /^arn:aws[a-z-]*:states:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:stateMachine:[\w-]{1,80}$/;

export interface FollowOptions {
  /** First wait between two DescribeExecution calls, then x1.5 up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface BackfillDeps {
  /** The Step Functions client for a region (default: the client pool's backfill profile). */
  readonly client?: (region: string) => SFNClient | Promise<SFNClient>;
  /** Aborted on Ctrl-C (default: SIGINT). */
  readonly signal?: AbortSignal;
  readonly follow?: FollowOptions;
  readonly now?: () => number;
}

const DONE = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function defaultClient(region: string): Promise<SFNClient> {
  const [{ SFNClient: Client }, { awsClientConfig }] = await Promise.all([
    import('@aws-sdk/client-sfn'),
    import('../shared/aws/client-pool'),
  ]);
  return new Client(awsClientConfig('backfill', { region }));
}

/** A name Step Functions accepts (80 of [A-Za-z0-9-_]) that says what the run covers. */
function executionName(r: BackfillRequest): string {
  const day = (iso: string) => iso.slice(0, 10).replaceAll('-', '');
  return `backfill-${day(r.from)}-${day(r.to)}-${randomBytes(4).toString('hex')}`;
}

function printSummary(s: RunSummary, format: string, io: Io): void {
  if (format === 'json') {
    io.stdout(`${terminalSafeJson(s)}\n`);
    return;
  }
  const n = (x: number) => x.toLocaleString('en-US');
  io.stdout(
    [
      `batches       ${n(s.batches)}${s.failedBatches ? ` (${n(s.failedBatches)} failed or without a summary)` : ''}`,
      `objects       ${n(s.objects)}${s.invalidObjects ? ` (${n(s.invalidObjects)} unreadable)` : ''}`,
      `records       ${n(s.records)}: ${n(s.evaluated)} evaluated (${n(s.duplicates)} already processed), ${n(s.outsideWindow)} outside the window, ${n(s.notRouted)} not for the guardrail, ${n(s.invalid)} invalid, ${n(s.failed)} failed`,
      `findings      ${n(s.findings)} (${n(s.new)} new, ${n(s.resolved)} resolved, ${n(s.queued)} notifications queued)${s.incomplete ? `, ${n(s.incomplete)} records without every fact` : ''}`,
      ...Object.entries(s.invalidReasons).map(([r, c]) => `invalid       ${n(c)} x ${escapeTerminal(r)}`),
      ...Object.entries(s.failedReasons).map(([r, c]) => `failed        ${n(c)} x ${escapeTerminal(r)}`),
    ].join('\n') + '\n',
  );
}

/** The run's totals from the execution output; anything else is reported as such. */
function runSummaryOf(output: string | undefined): RunSummary | undefined {
  if (!output) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return undefined;
  }
  const batch = asBatchSummary(parsed);
  const o = parsed as { batches?: unknown; failedBatches?: unknown };
  if (!batch || typeof o.batches !== 'number' || typeof o.failedBatches !== 'number') return undefined;
  return { ...batch, batches: o.batches, failedBatches: o.failedBatches };
}

async function progressOf(client: SFNClient, executionArn: string): Promise<string | undefined> {
  const { ListMapRunsCommand, DescribeMapRunCommand } = await import('@aws-sdk/client-sfn');
  const runs = await client.send(new ListMapRunsCommand({ executionArn, maxResults: 1 }));
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  if (!mapRunArn) return undefined;
  const c = (await client.send(new DescribeMapRunCommand({ mapRunArn }))).itemCounts;
  if (!c) return undefined;
  return `objects ${c.succeeded ?? 0}/${c.total ?? 0} done, ${c.running ?? 0} running, ${c.failed ?? 0} failed`;
}

/** Polls the execution until it ends or `signal` aborts; returns the final description or 'interrupted'. */
async function follow(
  client: SFNClient,
  executionArn: string,
  io: Io,
  signal: AbortSignal,
  o: FollowOptions,
  now: () => number,
): Promise<{ status: string; output?: string; error?: string; cause?: string } | 'interrupted'> {
  const { DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
  const sleep = o.sleep ?? defaultSleep;
  const max = o.maxDelayMs ?? 30_000;
  let delay = o.initialDelayMs ?? 2_000;
  const started = now();
  for (;;) {
    if (signal.aborted) return 'interrupted';
    const d = await client
      .send(new DescribeExecutionCommand({ executionArn }), { abortSignal: signal })
      .catch((err: unknown) => {
        if (signal.aborted) return undefined;
        throw err;
      });
    if (!d) return 'interrupted';
    const status = d.status ?? 'UNKNOWN';
    if (DONE.has(status))
      return {
        status,
        ...(d.output !== undefined ? { output: d.output } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(d.cause !== undefined ? { cause: d.cause } : {}),
      };
    // Progress is best effort: a caller without ListMapRuns/DescribeMapRun still follows the status.
    const progress = await progressOf(client, executionArn).catch(() => undefined);
    const elapsed = Math.round((now() - started) / 1000);
    const text = `backfill: ${status.toLowerCase()} ${elapsed}s${progress ? `, ${progress}` : ''}`;
    io.stderr(io.stderrIsTty ? `\r\x1b[2K${text}` : `${text}\n`);
    await sleep(delay, signal);
    delay = Math.min(max, Math.ceil(delay * 1.5));
  }
}

export async function runBackfillCommand(
  argv: readonly string[],
  io: Io,
  deps: BackfillDeps = {},
): Promise<number> {
  let values;
  let positionals: string[];
  let request: BackfillRequest;
  let region: string;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        bucket: { type: 'string' },
        prefix: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'state-machine': { type: 'string' },
        follow: { type: 'boolean', default: false },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      io.stdout(BACKFILL_USAGE);
      return 0;
    }
    if (positionals.length) throw new BackfillUsageError('no PATH without --local (the objects are in S3)');
    if (values.format !== 'table' && values.format !== 'json')
      throw new BackfillUsageError('--format must be table or json');
    request = parseBackfillRequest(
      { bucket: values.bucket, prefix: values.prefix, from: values.from, to: values.to },
      { bucket: '--bucket', prefix: '--prefix', from: '--from', to: '--to' },
    );
    const arn = values['state-machine'];
    if (!arn)
      throw new BackfillUsageError('--state-machine: is required (stack output BackfillStateMachineArn)');
    const m = STATE_MACHINE_ARN.exec(arn);
    if (!m) throw new BackfillUsageError('--state-machine: not a Step Functions state machine ARN');
    region = m[1]!;
  } catch (err) {
    if (
      err instanceof BackfillUsageError ||
      err instanceof BackfillInputError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`guardrail backfill: ${escapeTerminal((err as Error).message)}\n\n${BACKFILL_USAGE}`);
      return 3;
    }
    throw err;
  }

  const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const client = await (deps.client ?? defaultClient)(region);
  let started;
  try {
    started = await client.send(
      new StartExecutionCommand({
        stateMachineArn: values['state-machine'],
        name: executionName(request),
        input: JSON.stringify(request),
      }),
    );
  } catch (err) {
    // Denied, no such state machine, throttled past the SDK's retries: the name of the error, no stack.
    io.stderr(`guardrail backfill: cannot start the execution: ${escapeTerminal(awsErrorName(err))}\n`);
    return 5;
  }
  const executionArn = started.executionArn!;
  io.stdout(`${executionArn}\n`);
  io.stderr(
    `guardrail backfill: started on s3://${escapeTerminal(request.bucket)}/${escapeTerminal(request.prefix)}, ${request.from} to ${request.to}\n`,
  );
  if (!values.follow) return 0;

  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  const external = deps.signal;
  external?.addEventListener('abort', onSigint, { once: true });
  if (!external) process.once('SIGINT', onSigint);
  try {
    let end;
    try {
      end = await follow(
        client,
        executionArn,
        io,
        controller.signal,
        deps.follow ?? {},
        deps.now ?? Date.now,
      );
    } catch (err) {
      io.stderr(
        `guardrail backfill: cannot follow the execution (${escapeTerminal(awsErrorName(err))}); it goes on: ${executionArn}\n`,
      );
      return 5;
    }
    if (io.stderrIsTty) io.stderr('\r\x1b[2K');
    if (end === 'interrupted') {
      io.stderr(`guardrail backfill: stopped following; the execution goes on: ${executionArn}\n`);
      return 130;
    }
    if (end.status !== 'SUCCEEDED') {
      io.stderr(
        `guardrail backfill: the execution ${end.status.toLowerCase().replace('_', ' ')}${end.error ? `: ${escapeTerminal(end.error)}` : ''}${end.cause ? ` (${escapeTerminal(end.cause.slice(0, 500))})` : ''}\n`,
      );
      return 5;
    }
    const summary = runSummaryOf(end.output);
    if (!summary) {
      io.stderr('guardrail backfill: succeeded, but the output is not a backfill summary\n');
      return 5;
    }
    printSummary(summary, values.format, io);
    return summary.invalid || summary.invalidObjects || summary.failed || summary.failedBatches ? 2 : 0;
  } finally {
    external?.removeEventListener('abort', onSigint);
    if (!external) process.removeListener('SIGINT', onSigint);
  }
}
