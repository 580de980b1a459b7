/** `guardrail evaluate`: see the README, "The CLI". */
import { InvalidEventError } from '../shared/events/errors';
import { evaluateRaw, type EngineDeps } from '../shared/engine/run';
import { MemoryWindowCounter } from '../shared/engine/windows';
import { SEVERITY_RANK, type Finding, type Severity } from '../shared/model/finding';
import type { Policy } from '../shared/policy/types';
import { DEFAULT_ORGANIZATION_POLICY } from '../shared/policy/document';
import { formatSummary, formatTable, sortFindings, type RunStats } from './format';
import type { StdinSource } from './input-source';
import { readInputs } from './inputs';
import { Progress } from './progress';
import { escapeTerminal, terminalSafeJson } from './terminal-text';

export interface EvaluateArgs {
  readonly paths: readonly string[];
  readonly format: 'table' | 'json';
  readonly policy: Policy;
  readonly enrich: boolean;
  /** Run the Remediator on the findings (requires enrich; docs/remediation.md). */
  readonly remediate?: boolean;
  readonly failOn?: Severity;
  readonly includeExempt: boolean;
  /** Deliver the findings through the policy's channels, directly (docs/notifications.md). */
  readonly notify?: boolean;
}

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** The whole of stdin (tests) or a stream of it (process.stdin); read only for the PATH `-`. */
  readonly readStdin: () => StdinSource;
  readonly stderrIsTty: boolean;
  readonly stdoutIsTty: boolean;
  readonly columns: number;
}

const isSuppressed = (f: Finding): boolean => f.exemption !== undefined && !f.exemption.expired;

export async function runEvaluate(args: EvaluateArgs, io: Io): Promise<number> {
  const notify = args.notify ? await import('./notify') : undefined;
  const notifyProblem = notify?.notifyConfigProblem(args.policy);
  if (notifyProblem) {
    io.stderr(`guardrail: ${notifyProblem}\n`);
    return 3;
  }
  const deps: EngineDeps = {
    policy: args.policy,
    counter: new MemoryWindowCounter(),
    // Member accounts' events are read through their read role (policy organization.readRoleName).
    ...(args.enrich
      ? {
          enricher: await (
            await import('../shared/aws/enricher')
          ).createAwsEnricher({ organization: args.policy.organization ?? DEFAULT_ORGANIZATION_POLICY }),
        }
      : {}),
  };
  const remediation = args.remediate
    ? (await import('./remediation')).createCliRemediation(args.policy, io.stderr)
    : undefined;
  const byId = new Map<string, Finding>();
  const stats: RunStats = { events: 0, invalid: 0, incomplete: 0, exempted: 0 };
  const progress = new Progress(io.stderrIsTty, io.stderr);

  for await (const item of readInputs(args.paths, io.readStdin)) {
    if ('error' in item) {
      stats.invalid++;
      io.stderr(`guardrail: ${escapeTerminal(`${item.label}: ${item.error}`)}\n`);
      continue;
    }
    try {
      const result = await evaluateRaw(item.value, deps);
      stats.events++;
      if (result.incomplete) {
        stats.incomplete++;
        io.stderr(
          `guardrail: ${escapeTerminal(`${item.label}: incomplete: ${result.incomplete.reason}`)}${args.enrich ? '' : ' (use --enrich)'}\n`,
        );
      }
      // Aggregated findings are re-emitted as their count grows: keep the latest per findingId.
      const findings = remediation ? await remediation.remediate(result.findings) : result.findings;
      for (const f of findings) byId.set(f.findingId, f);
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      stats.invalid++;
      io.stderr(`guardrail: ${escapeTerminal(`${item.label}: invalid event: ${err.message}`)}\n`);
    }
    progress.tick(stats.events + stats.invalid);
  }
  progress.done();

  const all = sortFindings([...byId.values()]);
  const shown = args.includeExempt ? all : all.filter((f) => !isSuppressed(f));
  stats.exempted = all.filter(isSuppressed).length;

  if (args.format === 'json') {
    for (const f of shown) io.stdout(`${terminalSafeJson(f)}\n`);
    io.stderr(`${formatSummary(shown, stats, { color: false })}\n`);
  } else {
    if (shown.length) io.stdout(`${formatTable(shown, { color: io.stdoutIsTty, width: io.columns })}\n\n`);
    io.stdout(`${formatSummary(shown, stats, { color: io.stdoutIsTty })}\n`);
  }

  // --notify: the findings shown (never exempted ones) through the notifier's delivery code.
  const notifyFailed = notify ? !(await notify.notifyForCli(shown, args.policy, io.stderr)) : false;
  if (stats.invalid > 0) return 2;
  if (notifyFailed) return 4;
  if (args.failOn) {
    const min = SEVERITY_RANK[args.failOn];
    if (shown.some((f) => f.mode !== 'off' && SEVERITY_RANK[f.severity] >= min)) return 1;
  }
  return 0;
}
