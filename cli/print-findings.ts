/**
 * The findings of `evaluate` and `scan` on stdout in the chosen format: the table, JSON Lines (one finding a
 * line), OCSF Compliance Findings (one a line), one SARIF log (cli/sarif.ts), or grouped by the requirements of a framework (`--framework`).
 * Machine formats keep stdout to their lines and put the summary on stderr.
 */
import type { Finding, FrameworkId } from '../shared/model/finding';
import { toOcsf } from '../shared/notify/ocsf';
import type { Io } from './evaluate-command';
import { formatTable } from './format';
import { formatFrameworkTable, frameworkJsonLines, groupByRequirement } from './framework-view';
import { toSarif, type SarifOptions } from './sarif';
import { terminalSafeJson } from './terminal-text';
import { VERSION } from './version';

export interface OutputChoice {
  readonly format: 'table' | 'json' | 'ocsf' | 'sarif';
  readonly framework?: FrameworkId;
}

/** What a SARIF log says besides the findings (sources of event findings, problems per input). */
export type SarifContext = Pick<SarifOptions, 'sources' | 'notices' | 'executionSuccessful'>;

export function printFindings(
  findings: readonly Finding[],
  out: OutputChoice,
  io: Pick<Io, 'stdout' | 'stderr' | 'stdoutIsTty' | 'columns'>,
  summary: (color: boolean) => string,
  sarif: SarifContext = {},
): void {
  if (out.format === 'sarif') {
    const log = toSarif(findings, { ...sarif, toolVersion: VERSION, baseDir: process.cwd() });
    io.stdout(`${terminalSafeJson(log)}\n`);
    io.stderr(`${summary(false)}\n`);
    return;
  }
  if (out.format === 'ocsf') {
    for (const f of findings) io.stdout(`${terminalSafeJson(toOcsf(f))}\n`);
    io.stderr(`${summary(false)}\n`);
    return;
  }
  const groups = out.framework ? groupByRequirement(findings, out.framework) : undefined;
  if (out.format === 'json') {
    const lines = groups ? frameworkJsonLines(groups) : findings.map((f) => terminalSafeJson(f));
    for (const l of lines) io.stdout(`${l}\n`);
    io.stderr(`${summary(false)}\n`);
    return;
  }
  if (groups) io.stdout(`${formatFrameworkTable(groups, { width: io.columns })}\n\n`);
  else if (findings.length)
    io.stdout(
      `${formatTable(findings, { color: io.stdoutIsTty, width: io.columns, terminal: io.stdoutIsTty })}\n\n`,
    );
  io.stdout(`${summary(io.stdoutIsTty)}\n`);
}
