/** An in-memory `Io` for `main(argv, io)`, and a runner that returns what the command printed. */
import { main } from '../../../cli/main';
import type { Io } from '../../../cli/evaluate-command';
import type { Finding } from '../../../shared/model/finding';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface IoOptions {
  readonly stdin?: Buffer | string;
  readonly stderrIsTty?: boolean;
  readonly stdoutIsTty?: boolean;
  readonly columns?: number;
}

/** An Io that keeps each write as one entry (a command that prints one JSON line per write). */
export function recordingIo(opts: IoOptions = {}): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    readStdin: () =>
      typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : (opts.stdin ?? Buffer.alloc(0)),
    stderrIsTty: opts.stderrIsTty ?? false,
    stdoutIsTty: opts.stdoutIsTty ?? false,
    columns: opts.columns ?? 160,
  };
}

export function memoryIo(opts: IoOptions = {}): { io: Io; out: () => string; err: () => string } {
  const io = recordingIo(opts);
  return { io, out: () => io.out.join(''), err: () => io.err.join('') };
}

export async function run(argv: readonly string[], opts: IoOptions = {}): Promise<RunResult> {
  const m = memoryIo(opts);
  const code = await main(argv, m.io);
  return { code, stdout: m.out(), stderr: m.err() };
}

/** Parse JSON Lines output into findings (every non-empty line must be JSON). */
export function jsonLines(stdout: string): Finding[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Finding);
}

/** stderr lines that report a bad input (`guardrail: LABEL: problem`). */
export function inputErrors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('guardrail: ') && !l.includes(': incomplete:'));
}
