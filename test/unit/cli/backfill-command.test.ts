/**
 * `guardrail backfill`: the start and the follow loop against a Step Functions client whose answers the
 * test controls (aws-sdk-client-mock). Against moto, StartExecution works but the execution never runs
 * (it stays RUNNING), so the follow loop's ends (succeeded, failed, interrupted) are driven here.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBackfillCommand, type BackfillDeps } from '../../../cli/backfill-command';
import type { RunSummary } from '../../../shared/backfill/summary';
import { memoryIo, run } from './memory-io';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:ecs-guardrail-prod-backfill';
const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:ecs-guardrail-prod-backfill:backfill-1';
const ARGS = [
  '--bucket',
  'org-trail-logs',
  '--prefix',
  'AWSLogs/o-a1b2c3d4e5/',
  '--from',
  '2026-12-01',
  '--to',
  '2026-12-02T12:00Z',
  '--state-machine',
  ARN,
];

const summary = (over: Partial<RunSummary> = {}): RunSummary => ({
  batches: 12,
  failedBatches: 0,
  objects: 240,
  invalidObjects: 0,
  records: 9000,
  outsideWindow: 120,
  notRouted: 8700,
  evaluated: 180,
  duplicates: 0,
  invalid: 0,
  invalidReasons: {},
  findings: 7,
  new: 5,
  resolved: 0,
  queued: 5,
  incomplete: 0,
  failed: 0,
  failedReasons: {},
  ...over,
});

/** A follow loop that never really waits: records each wait, aborts when told to. */
function deps(
  over: Partial<BackfillDeps> = {},
  onSleep?: (ms: number) => void,
): BackfillDeps & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    client: () => new SFNClient({ region: 'eu-west-1' }),
    signal: new AbortController().signal,
    follow: {
      initialDelayMs: 1000,
      maxDelayMs: 4000,
      sleep: async (ms) => {
        waits.push(ms);
        onSleep?.(ms);
      },
    },
    now: () => 0,
    ...over,
  };
}

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
});

describe('guardrail backfill: start', () => {
  it('starts the state machine with the checked request and prints the execution ARN; without --follow it returns', async () => {
    const m = memoryIo();
    const code = await runBackfillCommand(ARGS, m.io, deps());
    expect(code).toBe(0);
    expect(m.out()).toBe(`${EXECUTION}\n`);
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(ARN);
    expect(input.name).toMatch(/^backfill-20261201-20261202-[0-9a-f]{8}$/);
    expect(JSON.parse(input.input!)).toEqual({
      bucket: 'org-trail-logs',
      prefix: 'AWSLogs/o-a1b2c3d4e5/',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T12:00:00.000Z',
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it.each([
    [
      ['--prefix', 'p', '--from', '2026-12-01', '--to', '2026-12-02', '--state-machine', ARN],
      '--bucket: is required',
    ],
    [
      ['--bucket', 'Bad_Bucket', '--from', '2026-12-01', '--to', '2026-12-02', '--state-machine', ARN],
      '--bucket: not an S3 bucket name',
    ],
    [
      ['--bucket', 'b-1', '--from', '2026-13-01', '--to', '2026-12-02', '--state-machine', ARN],
      '--from: not a calendar date',
    ],
    [
      ['--bucket', 'b-1', '--from', '2026-02-30', '--to', '2026-12-02', '--state-machine', ARN],
      '--from: not a calendar date',
    ],
    [
      ['--bucket', 'b-1', '--from', 'yesterday', '--to', '2026-12-02', '--state-machine', ARN],
      '--from: not a date',
    ],
    [
      ['--bucket', 'b-1', '--from', '2026-12-02', '--to', '2026-12-01', '--state-machine', ARN],
      '--to: must be after --from',
    ],
    [
      ['--bucket', 'b-1', '--from', '2999-01-01', '--to', '2999-01-02', '--state-machine', ARN],
      '--from: is in the future',
    ],
    [
      [
        '--bucket',
        'b-1',
        '--prefix',
        'AWSLogs/\x1b[2J',
        '--from',
        '2026-12-01',
        '--to',
        '2026-12-02',
        '--state-machine',
        ARN,
      ],
      '--prefix: contains control characters',
    ],
    [
      [
        '--bucket',
        'b-1',
        '--prefix',
        'x'.repeat(1025),
        '--from',
        '2026-12-01',
        '--to',
        '2026-12-02',
        '--state-machine',
        ARN,
      ],
      '--prefix: longer than an S3 key',
    ],
    [['--bucket', 'b-1', '--from', '2026-12-01', '--to', '2026-12-02'], '--state-machine: is required'],
    [
      [
        '--bucket',
        'b-1',
        '--from',
        '2026-12-01',
        '--to',
        '2026-12-02',
        '--state-machine',
        'arn:aws:lambda:eu-west-1:111122223333:function:x',
      ],
      '--state-machine: not a Step Functions state machine ARN',
    ],
    [[...ARGS, '--format', 'xml'], '--format must be table or json'],
    [[...ARGS, 'file.json'], 'no PATH without --local'],
  ])('refuses %j: exit 3 naming the flag, nothing started', async (argv, message) => {
    const m = memoryIo();
    expect(await runBackfillCommand(argv, m.io, deps())).toBe(3);
    expect(m.err()).toContain(`guardrail backfill: ${message}`);
    // The refused value is not echoed back raw (it may hold terminal control sequences).
    expect(m.err()).not.toContain('\x1b[2J');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('guardrail backfill: AWS refuses', () => {
  it('a start that AWS refuses: the error name, no stack, exit 5', async () => {
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error('User: arn:aws:iam::111122223333:user/x is not authorized'), {
        name: 'AccessDeniedException',
      }),
    );
    const m = memoryIo();
    expect(await runBackfillCommand(ARGS, m.io, deps())).toBe(5);
    expect(m.err()).toBe('guardrail backfill: cannot start the execution: AccessDeniedException\n');
    expect(m.out()).toBe('');
  });

  it('a follow that fails (DescribeExecution denied): said so with the ARN, the execution goes on, exit 5', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ExecutionDoesNotExist' }));
    const m = memoryIo();
    expect(await runBackfillCommand([...ARGS, '--follow'], m.io, deps())).toBe(5);
    expect(m.err()).toContain(
      `cannot follow the execution (ExecutionDoesNotExist); it goes on: ${EXECUTION}`,
    );
  });
});

describe('guardrail backfill --follow', () => {
  it('polls with backoff (x1.5, capped), shows the batch counts on stderr, prints the totals: exit 0', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(summary()) });
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [
        {
          mapRunArn: `${EXECUTION}:map`,
          executionArn: EXECUTION,
          stateMachineArn: ARN,
          startDate: new Date(),
        },
      ],
    });
    sfn.on(DescribeMapRunCommand).resolves({
      itemCounts: {
        succeeded: 120,
        total: 240,
        running: 20,
        failed: 0,
        pending: 100,
        aborted: 0,
        timedOut: 0,
        resultsWritten: 120,
      },
    } as never);
    const m = memoryIo();
    const d = deps();
    expect(await runBackfillCommand([...ARGS, '--follow'], m.io, d)).toBe(0);
    expect(d.waits).toEqual([1000, 1500, 2250, 3375]);
    expect(m.err()).toContain('backfill: running 0s, objects 120/240 done, 20 running, 0 failed\n');
    expect(m.out()).toContain(`${EXECUTION}\n`);
    expect(m.out()).toContain(
      'records       9,000: 180 evaluated (0 already processed), 120 outside the window, 8,700 not for the guardrail, 0 invalid, 0 failed',
    );
    expect(m.out()).toContain('findings      7 (5 new, 0 resolved, 5 notifications queued)');
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('the backoff stays at its cap however long the run', async () => {
    const running = sfn.on(DescribeExecutionCommand);
    for (let i = 0; i < 12; i++) running.resolvesOnce({ status: 'RUNNING' });
    running.resolves({ status: 'SUCCEEDED', output: JSON.stringify(summary()) });
    const d = deps();
    expect(await runBackfillCommand([...ARGS, '--follow'], memoryIo().io, d)).toBe(0);
    expect(Math.max(...d.waits)).toBe(4000);
    expect(d.waits.slice(-5)).toEqual([4000, 4000, 4000, 4000, 4000]);
  });

  it('invalid records, unreadable objects or failed batches: the totals with their reasons, escaped, exit 2', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: 'SUCCEEDED',
      output: JSON.stringify(
        summary({
          invalid: 3,
          invalidReasons: { 'record: detail.requestParameters.\x1b[31mevil\x1b[0m: expected string': 3 },
          failedBatches: 1,
        }),
      ),
    });
    const m = memoryIo();
    expect(await runBackfillCommand([...ARGS, '--follow'], m.io, deps())).toBe(2);
    expect(m.out()).toContain('batches       12 (1 failed or without a summary)');
    expect(m.out()).toContain(
      'invalid       3 x record: detail.requestParameters.\\x1b[31mevil\\x1b[0m: expected string',
    );
    expect(m.out()).not.toContain('\x1b[31m');
  });

  it('--format json: the totals as one JSON object', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: JSON.stringify(summary()) });
    const m = memoryIo();
    expect(await runBackfillCommand([...ARGS, '--follow', '--format', 'json'], m.io, deps())).toBe(0);
    const lines = m.out().trim().split('\n');
    expect(lines[0]).toBe(EXECUTION);
    expect(JSON.parse(lines[1]!)).toEqual(summary());
  });

  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])(
    'an execution that ends %s: its error and cause (escaped), exit 5',
    async (status) => {
      sfn.on(DescribeExecutionCommand).resolves({
        status: status as 'FAILED',
        error: 'States.ExceedToleratedFailureThreshold',
        cause: `The specified tolerated failure threshold was exceeded \x1b[2J${'x'.repeat(2000)}`,
      });
      const m = memoryIo();
      expect(await runBackfillCommand([...ARGS, '--follow'], m.io, deps())).toBe(5);
      expect(m.err()).toContain(
        `the execution ${status.toLowerCase().replace('_', ' ')}: States.ExceedToleratedFailureThreshold (The specified tolerated failure threshold was exceeded \\x1b[2J`,
      );
      expect(m.err()).not.toContain('\x1b[2J');
      expect(m.err().length).toBeLessThan(2000);
    },
  );

  it('a SUCCEEDED execution whose output is not a backfill summary: said so, exit 5', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"records": "many"}' });
    const m = memoryIo();
    expect(await runBackfillCommand([...ARGS, '--follow'], m.io, deps())).toBe(5);
    expect(m.err()).toContain('the output is not a backfill summary');
  });

  it('Ctrl-C stops following, not the execution: exit 130 with the ARN, no StopExecution', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const ctrlC = new AbortController();
    const m = memoryIo();
    const d = deps({ signal: ctrlC.signal }, (ms) => {
      if (ms >= 2250) ctrlC.abort();
    });
    expect(await runBackfillCommand([...ARGS, '--follow'], m.io, d)).toBe(130);
    expect(m.err()).toContain(`stopped following; the execution goes on: ${EXECUTION}`);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('progress needs no map-run permission: a denied ListMapRuns still follows the status', async () => {
    sfn.on(ListMapRunsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(summary()) });
    const m = memoryIo({ stderrIsTty: true });
    expect(await runBackfillCommand([...ARGS, '--follow'], m.io, deps())).toBe(0);
    // On a terminal the progress line is rewritten in place, then cleared.
    expect(m.err()).toContain('\r\x1b[2Kbackfill: running 0s');
    expect(m.err()).not.toContain('objects');
  });
});

describe('guardrail backfill --local', () => {
  it('evaluates local files exactly as guardrail evaluate does', async () => {
    const file = join(__dirname, '..', '..', 'fixtures', 'events', 'formats', 'cloudtrail-log.json');
    const local = await run(['backfill', '--local', '--format', 'json', file]);
    const evaluate = await run(['evaluate', '--format', 'json', file]);
    expect(local).toEqual(evaluate);
    expect(local.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('with a state machine flag: a usage error (local files are not in S3)', async () => {
    const r = await run(['backfill', '--local', '--state-machine', ARN, 'x.json']);
    expect(r.code).toBe(3);
  });
});
