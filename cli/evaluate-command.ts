/** `guardrail evaluate`: see the README, "The CLI". */
import { writeFileSync } from 'node:fs';
import { failureCause } from '../shared/aws/classify';
import { InvalidEventError } from '../shared/events/errors';
import type { EngineDeps, EventResult } from '../shared/engine/run';
import { MemoryWindowCounter } from '../shared/engine/windows';
import { SEVERITY_RANK, type Finding, type FrameworkId, type Severity } from '../shared/model/finding';
import type { Policy } from '../shared/policy/types';
import type { UnknownValue } from '../shared/iac/types';
import { DEFAULT_ORGANIZATION_POLICY } from '../shared/policy/document';
import { formatSummary, sortFindings, type RunStats } from './format';
import { printFindings } from './print-findings';
import { inputFileOf } from './input-label';
import type { SarifNotice } from './sarif';
import type { StdinSource } from './input-source';
import { evaluateItem, invalidMessage } from './evaluate-item';
import { readInputs } from './inputs';
import { Progress } from './progress';
import { renderHtmlReport } from './report-html';
import { escapeTerminal } from './terminal-text';

export interface EvaluateArgs {
  readonly paths: readonly string[];
  readonly format: 'table' | 'json' | 'ocsf' | 'sarif';
  /** Also write the HTML report (cli/report-html.ts) to this file. */
  readonly html?: string;
  /** Group the output by the requirements of this framework (table or json). */
  readonly framework?: FrameworkId;
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
  const stats: Required<RunStats> = {
    events: 0,
    invalid: 0,
    incomplete: 0,
    exempted: 0,
    notChecked: 0,
    partial: 0,
    enrichmentFailed: 0,
    unknownBeforeDeploy: 0,
  };
  const progress = new Progress(io.stderrIsTty, io.stderr);
  // SARIF: the input file of each event finding and what went wrong per input, for the log.
  const sarif = args.format === 'sarif';
  const sources = new Map<string, { file: string; line?: number }>();
  const notices: SarifNotice[] = [];

  for await (const item of readInputs(args.paths, io.readStdin)) {
    if ('error' in item) {
      stats.invalid++;
      io.stderr(`guardrail: ${escapeTerminal(`${item.label}: ${item.error}`)}\n`);
      if (sarif) notices.push({ level: 'error', input: item.label, message: item.error });
      continue;
    }
    try {
      const result = await evaluateItem(item, deps);
      stats.events++;
      const note = coverageNote(result, stats);
      if (note) io.stderr(`guardrail: ${escapeTerminal(`${item.label}: ${note}`)}\n`);
      if (note && sarif) notices.push({ level: noteLevel(note), input: item.label, message: note });
      if ('iac' in item && item.iac.unknown.length) {
        stats.unknownBeforeDeploy += item.iac.unknown.length;
        const unknown = unknownNote(item.iac.unknown);
        io.stderr(`guardrail: ${escapeTerminal(`${item.label}: ${unknown}`)}\n`);
        if (sarif) notices.push({ level: 'warning', input: item.label, message: unknown });
      }
      // Aggregated findings are re-emitted as their count grows: keep the latest per findingId.
      const findings = remediation ? await remediation.remediate(result.findings) : result.findings;
      for (const f of findings) byId.set(f.findingId, f);
      if (sarif)
        for (const f of findings) {
          const source = f.location ? undefined : inputFileOf(item.label);
          if (source) sources.set(f.findingId, source);
        }
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      stats.invalid++;
      const message = invalidMessage(item, err);
      io.stderr(`guardrail: ${escapeTerminal(`${item.label}: ${message}`)}\n`);
      if (sarif) notices.push({ level: 'error', input: item.label, message });
    }
    progress.tick(stats.events + stats.invalid);
  }
  progress.done();

  const all = sortFindings([...byId.values()]);
  const shown = args.includeExempt ? all : all.filter((f) => !isSuppressed(f));
  stats.exempted = all.filter(isSuppressed).length;

  // SARIF carries the exempted findings too, as suppressed results (a viewer shows them as such).
  printFindings(sarif ? all : shown, args, io, (color) => formatSummary(shown, stats, { color }), {
    sources,
    notices,
    executionSuccessful: stats.invalid === 0 && stats.enrichmentFailed === 0,
  });
  if (args.html) {
    const html = renderHtmlReport({
      findings: shown,
      generatedAt: new Date().toISOString(),
      title: 'ECS Guardrail evaluation',
      suppressedCount: args.includeExempt ? 0 : stats.exempted,
      ...(args.framework ? { framework: args.framework } : {}),
    });
    try {
      writeFileSync(args.html, html);
    } catch (err) {
      io.stderr(
        `guardrail: cannot write the --html report ${escapeTerminal(args.html)} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`,
      );
      return 3;
    }
    (args.format === 'table' ? io.stdout : io.stderr)(`report written to ${escapeTerminal(args.html)}\n`);
  }

  // --notify: the findings shown (never exempted ones) through the notifier's delivery code.
  const notifyFailed = notify ? !(await notify.notifyForCli(shown, args.policy, io.stderr)) : false;
  if (stats.invalid > 0 || stats.enrichmentFailed > 0) return 2;
  if (notifyFailed) return 4;
  if (args.failOn) {
    const min = SEVERITY_RANK[args.failOn];
    if (shown.some((f) => f.mode !== 'off' && SEVERITY_RANK[f.severity] >= min)) return 1;
  }
  return 0;
}

/** Failed enrichment and invalid input are errors; what was not checked is a warning; the rest a note. */
const noteLevel = (note: string): SarifNotice['level'] =>
  note.startsWith('enrichment failed') ? 'error' : note.startsWith('not checked') ? 'warning' : 'note';

/** The values of a template or plan that are unknown before deploy: how many, and the first few by path. */
function unknownNote(unknown: readonly UnknownValue[]): string {
  const shown = unknown
    .slice(0, 3)
    .map((u) => `${u.address}.${u.path}${u.line !== undefined ? ` (line ${u.line})` : ''}: ${u.reason}`);
  const more = unknown.length > shown.length ? `; ${unknown.length - shown.length} more` : '';
  return `${unknown.length} value(s) unknown before deploy, not checked: ${shown.join('; ')}${more}`;
}

/**
 * What the run could not check on one event, counted in `stats`: enrichment that failed (with its cause
 * from the AWS error classifier; the run exits 2), an event that needs enrichment while it is off ("not
 * checked"), the checks skipped without enrichment, or what the event itself lacks.
 */
function coverageNote(result: EventResult, stats: Required<RunStats>): string | undefined {
  if (result.enrichmentFailures?.length) {
    stats.enrichmentFailed++;
    const causes = result.enrichmentFailures.map((f) => `${failureCause({ name: f.code })}: ${f.message}`);
    // The engine's reason repeats the failures after what the event itself lacks: keep only the latter.
    const lacks = result.incomplete?.reason.split(/;? ?enrichment failed: /)[0];
    return `enrichment failed (${causes.join('; ')})${lacks ? `; ${lacks}` : ''}`;
  }
  if (result.needsEnrichment) {
    stats.notChecked++;
    return `not checked: needs --enrich (${result.incomplete?.reason ?? 'the event lacks what a rule reads'})`;
  }
  if (result.incomplete) {
    stats.incomplete++;
    return `incomplete: ${result.incomplete.reason}`;
  }
  if (result.skipped?.length) {
    stats.partial++;
    return `skipped without --enrich: ${result.skipped.join(', ')}`;
  }
  return undefined;
}
