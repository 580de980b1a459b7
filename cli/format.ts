/** Human output: a findings table and a summary by severity. */
import { SEVERITIES, SEVERITY_RANK, type Finding, type Severity } from '../shared/model/finding';
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

export function formatTable(findings: readonly Finding[], opts: { color: boolean; width: number }): string {
  const paint = (sev: Severity, s: string): string => (opts.color ? `${COLORS[sev]}${s}${RESET}` : s);
  const w = Math.max(opts.width, 100);
  // MODE fits `remediate:planned` / `remediate:skipped` (17).
  const cols = { sev: 9, rule: 36, res: Math.floor((w - 9 - 36 - 17 - 5) * 0.45), mode: 17 };
  const evW = w - cols.sev - cols.rule - cols.res - cols.mode - 4;
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
    const mode = f.action ? `${f.mode}:${f.action.status}` : f.mode;
    lines.push(
      [
        paint(f.severity, cut(f.severity.toUpperCase(), cols.sev)),
        cut(f.ruleId, cols.rule),
        cut(f.resource.name ?? shortArn(f.resource.arn), cols.res),
        cut(mode, cols.mode),
        cut(`${first}${more}${count}`, evW).trimEnd(),
      ].join(' '),
    );
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
