/** Human output: a findings table and a summary by severity. */
import {
  SEVERITIES,
  SEVERITY_RANK,
  type Exemption,
  type Finding,
  type Severity,
} from '../shared/model/finding';
import { escapeTerminal } from './terminal-text';

export interface RunStats {
  events: number;
  invalid: number;
  /** Evaluated without what the event itself lacks (a launch without its response): enrichment cannot help. */
  incomplete: number;
  exempted: number;
  /** Not checked at all without enrichment (a truncated registration): "needs --enrich". */
  notChecked?: number;
  /** Evaluated without enrichment, some checks skipped (a running task's task definition and public IP). */
  partial?: number;
  /** Events whose enrichment failed (exit 2). */
  enrichmentFailed?: number;
  /** Values of templates and plans unknown before deploy (`Ref`, unknown after apply): not checked. */
  unknownBeforeDeploy?: number;
}

const COLORS: Record<Severity, string> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};
const RESET = '\x1b[0m';

/** Fit `s` (escaped: it may come from an event) into `width` columns. */
function cut(raw: string, width: number): string {
  const s = escapeTerminal(raw);
  return s.length <= width ? s.padEnd(width) : `${s.slice(0, Math.max(0, width - 1))}…`;
}

export function shortArn(arn: string): string {
  const i = arn.indexOf(':', arn.indexOf(':', arn.indexOf(':', 4) + 1) + 1);
  // arn:aws:ecs:region:account:rest -> rest (account and region have their own columns in JSON)
  const parts = arn.split(':');
  return parts.length >= 6 ? parts.slice(5).join(':') : i > 0 ? arn.slice(i + 1) : arn;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.resource.arn.localeCompare(b.resource.arn),
  );
}

/** The MODE cell: the mode, the remediation outcome, and whether an exemption suppresses the finding. */
function modeCell(f: Finding): string {
  const mode = f.action ? `${f.mode}:${f.action.status}` : f.mode;
  if (!f.exemption) return mode;
  return `${mode} (${f.exemption.expired ? 'exemption expired' : 'exempt'})`;
}

/** The RESOURCE cell: the name, else the ARN without partition, service, region and account; for a template its address and file:line. */
function resourceCell(f: Finding): string {
  if (f.location)
    return `${f.location.address} (${f.location.file}${f.location.line ? `:${f.location.line}` : ''})`;
  return f.resource.name ?? shortArn(f.resource.arn);
}

/** Who exempted a finding, in words (the table, the SARIF suppression and the HTML report say it alike). */
export const exemptedBy = (e: Exemption): string => (e.source === 'tag' ? 'a tag' : 'the policy');

/** What the exemption says (source, end, reason), on its own line of a non-terminal table. */
function exemptionLine(f: Finding): string | undefined {
  const e = f.exemption;
  if (!e) return undefined;
  const by = exemptedBy(e);
  const when = e.until ? ` ${e.expired ? 'expired' : 'until'} ${e.until}` : '';
  return `${e.expired ? 'exemption by' : 'exempted by'} ${by}${when}${e.reason ? `: ${e.reason}` : ''}`;
}

/**
 * The findings as a table. On a terminal (`terminal`, the default) every cell is cut to fit `width`. Elsewhere
 * (a CI log, a file) nothing is cut: the columns are as wide as their longest cell, every evidence message is
 * printed (the first on the row, the others below it) and the exemption of a marked row is spelled out.
 */
export function formatTable(
  findings: readonly Finding[],
  opts: { color: boolean; width: number; terminal?: boolean },
): string {
  const paint = (sev: Severity, s: string): string => (opts.color ? `${COLORS[sev]}${s}${RESET}` : s);
  if (opts.terminal === false) return fullTable(findings, paint);
  const w = Math.max(opts.width, 100);
  // MODE fits `remediate:planned` / `remediate:skipped` (17), wider only when an exemption is marked.
  const modeW = Math.max(17, ...findings.map((f) => modeCell(f).length));
  const cols = { sev: 9, rule: 36, res: Math.floor((w - 9 - 36 - 17 - 5) * 0.45), mode: modeW };
  const evW = Math.max(20, w - cols.sev - cols.rule - cols.res - cols.mode - 4);
  const lines = [
    [
      cut('SEVERITY', cols.sev),
      cut('RULE', cols.rule),
      cut('RESOURCE', cols.res),
      cut('MODE', cols.mode),
      'EVIDENCE',
    ].join(' '),
  ];
  for (const f of findings) {
    const first = f.evidence[0]?.message ?? '';
    const more = f.evidence.length > 1 ? ` (+${f.evidence.length - 1} more)` : '';
    const count = f.aggregate ? ` [${f.aggregate.count} in window]` : '';
    lines.push(
      [
        paint(f.severity, cut(f.severity.toUpperCase(), cols.sev)),
        cut(f.ruleId, cols.rule),
        cut(resourceCell(f), cols.res),
        cut(modeCell(f), cols.mode),
        cut(`${first}${more}${count}`, evW).trimEnd(),
      ].join(' '),
    );
  }
  return lines.join('\n');
}

function fullTable(findings: readonly Finding[], paint: (sev: Severity, s: string) => string): string {
  const rows = findings.map((f) => ({
    f,
    sev: f.severity.toUpperCase(),
    rule: escapeTerminal(f.ruleId),
    res: escapeTerminal(resourceCell(f)),
    mode: modeCell(f),
  }));
  const width = (header: string, cells: string[]): number =>
    Math.max(header.length, ...cells.map((c) => c.length));
  const w = {
    sev: width(
      'SEVERITY',
      rows.map((r) => r.sev),
    ),
    rule: width(
      'RULE',
      rows.map((r) => r.rule),
    ),
    res: width(
      'RESOURCE',
      rows.map((r) => r.res),
    ),
    mode: width(
      'MODE',
      rows.map((r) => r.mode),
    ),
  };
  const indent = ' '.repeat(w.sev + w.rule + w.res + w.mode + 4);
  const lines = [
    [
      'SEVERITY'.padEnd(w.sev),
      'RULE'.padEnd(w.rule),
      'RESOURCE'.padEnd(w.res),
      'MODE'.padEnd(w.mode),
      'EVIDENCE',
    ].join(' '),
  ];
  for (const { f, sev, rule, res, mode } of rows) {
    const messages = f.evidence.map((e) => escapeTerminal(e.message));
    const count = f.aggregate ? ` [${f.aggregate.count} in window]` : '';
    lines.push(
      [
        paint(f.severity, sev.padEnd(w.sev)),
        rule.padEnd(w.rule),
        res.padEnd(w.res),
        mode.padEnd(w.mode),
        `${messages[0] ?? ''}${count}`,
      ]
        .join(' ')
        .trimEnd(),
    );
    for (const m of messages.slice(1)) lines.push(`${indent}${m}`);
    const exemption = exemptionLine(f);
    if (exemption) lines.push(`${indent}(${escapeTerminal(exemption)})`);
  }
  return lines.join('\n');
}

export function formatSummary(
  findings: readonly Finding[],
  stats: RunStats,
  opts: { color: boolean },
): string {
  const bySev = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  for (const f of findings) bySev.set(f.severity, (bySev.get(f.severity) ?? 0) + 1);
  const parts = SEVERITIES.map((s) => {
    const text = `${s} ${bySev.get(s)}`;
    return opts.color && (bySev.get(s) ?? 0) > 0 ? `${COLORS[s]}${text}${RESET}` : text;
  });
  const rules = new Set(findings.map((f) => f.ruleId)).size;
  const extra = [
    stats.exempted ? `${stats.exempted} exempted` : '',
    stats.notChecked ? `${stats.notChecked} not checked (needs --enrich)` : '',
    stats.partial ? `${stats.partial} partly checked (checks skipped without --enrich)` : '',
    stats.enrichmentFailed ? `${stats.enrichmentFailed} with failed enrichment` : '',
    stats.incomplete ? `${stats.incomplete} incomplete` : '',
    stats.unknownBeforeDeploy
      ? `${stats.unknownBeforeDeploy} value(s) unknown before deploy, not checked`
      : '',
    stats.invalid ? `${stats.invalid} invalid input(s)` : '',
  ].filter(Boolean);
  return [
    `${findings.length} finding(s) from ${rules} rule(s) over ${stats.events} event(s): ${parts.join(', ')}`,
    ...(extra.length ? [extra.join('; ')] : []),
  ].join('\n');
}
