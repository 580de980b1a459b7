/**
 * The compliance report: findings -> ONE self-contained HTML page (inline CSS and SVG, no script, no
 * external asset; a Content-Security-Policy forbids loading anything). Pure: no I/O, no clock.
 *
 * Every text that came from AWS or from a user (resource names and ARNs, tags, evidence messages, gap
 * messages) goes through `escapeHtml`, in element content and attribute values alike.
 */
import {
  controlIds,
  SEVERITIES,
  SEVERITY_RANK,
  type Finding,
  type FrameworkId,
  type Severity,
} from '../shared/model/finding';
import { FRAMEWORKS } from '../shared/rules/frameworks';
import { exemptedBy } from './format';
import { groupByRequirement } from './framework-view';

export interface ReportGap {
  readonly operation: string;
  readonly target?: string;
  readonly kind: string;
  readonly code: string;
  readonly message: string;
  readonly missed: string;
}

/** What a sweep covered (structurally a subset of the sweep's SweepResult). */
export interface ReportSweep {
  readonly account: string;
  readonly region: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly complete: boolean;
  readonly gaps: readonly ReportGap[];
  readonly counts: Readonly<Record<string, number>>;
  readonly taskDefinitions?: { readonly described: number; readonly fromCache: number };
}

export interface ReportResolved {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly resourceArn: string;
  readonly resourceName?: string;
  /** compliant | gone | exempted */
  readonly kind: string;
  readonly resolvedAt: string;
}

export interface HtmlReportInput {
  readonly findings: readonly Finding[];
  /** ISO time printed in the header (the caller's clock: this module reads none). */
  readonly generatedAt: string;
  readonly title?: string;
  readonly sweeps?: readonly ReportSweep[];
  /** Findings resolved by this scan (shown in their own section). */
  readonly resolved?: readonly ReportResolved[];
  /** First-seen time per findingId, when a finding store knows it. */
  readonly firstSeen?: ReadonlyMap<string, string>;
  /** Findings an active exemption suppresses (counted, not listed). */
  readonly suppressedCount?: number;
  /** Adds the per-framework view: the findings grouped by the requirements of this framework. */
  readonly framework?: FrameworkId;
  /** An organization sweep (`guardrail scan --org`): roll-ups by account, OU and region. */
  readonly organization?: ReportOrganization;
}

/** What an organization sweep covered: its accounts (with their OU), every pair's outcome, what it skipped. */
export interface ReportOrganization {
  readonly accounts: readonly {
    readonly id: string;
    readonly name?: string;
    readonly ouId?: string;
    readonly ouName?: string;
  }[];
  readonly pairs: readonly {
    readonly account: string;
    readonly region: string;
    /** complete | partial | failed */
    readonly status: string;
    readonly findings: number;
    readonly reason?: string;
  }[];
  readonly skipped?: readonly { readonly account: string; readonly reason: string }[];
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#d97706',
  low: '#2563eb',
  info: '#6b7280',
};

const LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

const fmt = (n: number) => n.toLocaleString('en-US');

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) out[f.severity]++;
  return out;
}

function worst(findings: readonly Finding[]): Severity {
  let best: Severity = 'info';
  for (const f of findings) if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[best]) best = f.severity;
  return best;
}

/** Compare two severity histograms, worse first: more criticals, then more highs, ... */
function compareCounts(a: Record<Severity, number>, b: Record<Severity, number>): number {
  for (const s of SEVERITIES) if (a[s] !== b[s]) return b[s] - a[s];
  return 0;
}

function shortName(f: Finding): string {
  if (f.resource.name) return f.resource.name;
  const tail = f.resource.arn.split(':').slice(5).join(':');
  return tail || f.resource.arn;
}

const badge = (s: Severity) =>
  `<span class="sev sev-${s}" data-severity="${s}">${escapeHtml(LABEL[s])}</span>`;

// ------------------------------------------------------------------ charts (inline SVG)

interface BarRow {
  readonly label: string;
  readonly title: string;
  readonly counts: Record<Severity, number>;
}

function barChart(rows: readonly BarRow[], caption: string, id: string): string {
  if (!rows.length) return `<p class="muted">No findings.</p>`;
  const width = 960;
  const labelW = 300;
  const numW = 48;
  const rowH = 26;
  const barH = 16;
  const top = 8;
  const height = top + rows.length * rowH + 4;
  const max = Math.max(1, ...rows.map((r) => SEVERITIES.reduce((n, s) => n + r.counts[s], 0)));
  const scale = (width - labelW - numW - 8) / max;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const total = SEVERITIES.reduce((n, s) => n + r.counts[s], 0);
    parts.push(
      `<text x="${labelW - 8}" y="${y + barH - 3}" text-anchor="end" class="lbl">${escapeHtml(truncate(r.label, 38))}<title>${escapeHtml(r.title)}</title></text>`,
    );
    let x = labelW;
    for (const s of SEVERITIES) {
      const n = r.counts[s];
      if (!n) continue;
      const w = Math.max(2, n * scale);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" rx="2" fill="${SEVERITY_COLOR[s]}"><title>${escapeHtml(`${r.label}: ${n} ${s}`)}</title></rect>`,
      );
      x += w;
    }
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barH - 3}" class="num">${fmt(total)}</text>`);
  });
  return `<figure class="chart" id="${id}"><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(caption)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" preserveAspectRatio="xMinYMin meet">${parts.join('')}</svg><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function ruleRows(findings: readonly Finding[]): BarRow[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  return [...byRule.entries()]
    .map(([rule, list]) => ({
      label: rule,
      title: `${rule}: ${list[0]!.title}`,
      counts: countBySeverity(list),
    }))
    .sort((a, b) => compareCounts(a.counts, b.counts) || a.label.localeCompare(b.label));
}

function accountRows(findings: readonly Finding[]): BarRow[] {
  const byAccount = new Map<string, Finding[]>();
  for (const f of findings) byAccount.set(f.account, [...(byAccount.get(f.account) ?? []), f]);
  return [...byAccount.entries()]
    .map(([account, list]) => {
      const regions = [...new Set(list.map((f) => f.region))].sort();
      return {
        label: account,
        title: `account ${account} (${regions.join(', ')})`,
        counts: countBySeverity(list),
      };
    })
    .sort((a, b) => compareCounts(a.counts, b.counts) || a.label.localeCompare(b.label));
}

// ------------------------------------------------------------------ resources, worst first

interface ResourceGroup {
  readonly arn: string;
  readonly type: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly findings: Finding[];
  readonly counts: Record<Severity, number>;
}

export function groupByResource(findings: readonly Finding[]): ResourceGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = `${f.account}\n${f.region}\n${f.resource.arn}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  return [...groups.values()]
    .map((list) => {
      const first = list[0]!;
      list.sort(
        (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.ruleId.localeCompare(b.ruleId),
      );
      return {
        arn: first.resource.arn,
        type: first.resource.type,
        name: shortName(first),
        account: first.account,
        region: first.region,
        ...(list.find((f) => f.tags)?.tags ? { tags: list.find((f) => f.tags)!.tags! } : {}),
        findings: list,
        counts: countBySeverity(list),
      };
    })
    .sort(
      (a, b) =>
        compareCounts(a.counts, b.counts) || a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn),
    );
}

function countsCell(c: Record<Severity, number>): string {
  return SEVERITIES.filter((s) => c[s])
    .map((s) => `<span class="pill sev-${s}" title="${s}">${fmt(c[s])} ${escapeHtml(s)}</span>`)
    .join(' ');
}

function tagChips(tags: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(tags ?? {});
  if (!entries.length) return '';
  const shown = entries
    .slice(0, 12)
    .map(
      ([k, v]) => `<span class="tag">${escapeHtml(truncate(k, 60))}=${escapeHtml(truncate(v, 120))}</span>`,
    );
  const more = entries.length > 12 ? `<span class="muted"> +${entries.length - 12} more</span>` : '';
  return `<div class="tags">${shown.join(' ')}${more}</div>`;
}

function controlsOf(f: Finding): string {
  const c = f.controls;
  const securityHub = controlIds(c.securityHub);
  const sh = securityHub.length
    ? securityHub
        .map(
          (id) =>
            `<span class="control sh" data-control="${escapeHtml(id)}">Security Hub ${escapeHtml(id)}</span>`,
        )
        .join(' ')
    : `<span class="control none">No Security Hub control</span>`;
  const others = [
    ...controlIds(c.config).map((id) => `Config ${id}`),
    ...controlIds(c.checkov),
    ...controlIds(c.prowler).map((id) => `Prowler ${id}`),
  ];
  return `${sh}${others.map((o) => ` <span class="control">${escapeHtml(o)}</span>`).join('')}`;
}

function findingBlock(f: Finding, firstSeen: ReadonlyMap<string, string> | undefined): string {
  const evidence = f.evidence
    .map(
      (e) =>
        `<li><code>${escapeHtml(e.path)}</code> ${escapeHtml(e.message)}${e.container ? ` <span class="muted">(container ${escapeHtml(e.container)})</span>` : ''}</li>`,
    )
    .join('');
  const seen = firstSeen?.get(f.findingId);
  const exemption = f.exemption?.expired
    ? `<p class="warn">Exemption expired${f.exemption.until ? ` on ${escapeHtml(f.exemption.until)}` : ''}${f.exemption.reason ? ` (${escapeHtml(f.exemption.reason)})` : ''}: the finding applies again.</p>`
    : f.exemption
      ? `<p class="muted" data-exempted="true">Exempted by ${exemptedBy(f.exemption)}${f.exemption.until ? ` until ${escapeHtml(f.exemption.until)}` : ''}${f.exemption.reason ? ` (${escapeHtml(f.exemption.reason)})` : ''}.</p>`
      : '';
  // An infrastructure-as-code finding: where it is declared.
  const location = f.location
    ? `<p class="meta" data-location="true"><code>${escapeHtml(f.location.file)}${f.location.line ? `:${f.location.line}` : ''}</code> ${escapeHtml(f.location.address)}</p>`
    : '';
  const action = f.action
    ? `<p class="muted">Remediation ${escapeHtml(f.action.name)}: ${escapeHtml(f.action.status)}${f.action.reason ? ` (${escapeHtml(f.action.reason)})` : ''}</p>`
    : '';
  return `<div class="finding sev-border-${f.severity}" id="f-${escapeHtml(f.findingId)}" data-rule="${escapeHtml(f.ruleId)}">
<div class="fhead">${badge(f.severity)} <strong>${escapeHtml(f.title)}</strong> <code class="rule">${escapeHtml(f.ruleId)}</code> ${controlsOf(f)}</div>
${location}<ul class="evidence">${evidence}</ul>
${f.advice ? `<p class="advice">${escapeHtml(f.advice)}</p>` : ''}${exemption}${action}
<p class="meta">mode ${escapeHtml(f.mode)}${seen ? ` · first seen ${escapeHtml(seen)}` : ''} · finding ${escapeHtml(f.findingId)}</p>
</div>`;
}

// ------------------------------------------------------------------ page

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827;background:#f3f4f6;margin:0}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}section>h2:first-child{margin-top:0}h3{font-size:15px;margin:0}
section,header{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px 20px;margin-bottom:16px}
.muted{color:#6b7280}.meta{color:#6b7280;font-size:12px;margin:4px 0 0}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{flex:1 1 120px;border-radius:8px;padding:12px 14px;color:#fff}
.card .n{display:block;font-size:28px;font-weight:700;line-height:1.1}.card .l{font-size:13px;opacity:.9}
.card.total{background:#111827}
${SEVERITIES.map((s) => `.card.sev-${s},.sev.sev-${s}{background:${SEVERITY_COLOR[s]};color:#fff}.pill.sev-${s}{border-color:${SEVERITY_COLOR[s]};color:${SEVERITY_COLOR[s]}}.sev-border-${s}{border-left-color:${SEVERITY_COLOR[s]}}`).join('\n')}
.sev{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;padding:2px 7px;border-radius:4px}
.pill{display:inline-block;font-size:12px;border:1px solid;border-radius:10px;padding:0 7px;margin:1px 0;white-space:nowrap}
.charts{display:grid;grid-template-columns:1fr;gap:8px}
.chart{margin:0}.chart svg{max-width:100%;height:auto}.chart figcaption{font-size:12px;color:#6b7280}
.chart .lbl{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#111827}.chart .num{font-size:12px;fill:#374151}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e5e7eb}th{font-size:12px;color:#6b7280;font-weight:600}
.arn{font-size:12px;color:#4b5563;word-break:break-all}
.resource{border:1px solid #e5e7eb;border-radius:8px;padding:12px 14px;margin:12px 0;background:#fff}
.resource>.rhead{display:flex;justify-content:space-between;gap:12px;flex-wrap:wrap}
.finding{border-left:4px solid #e5e7eb;padding:6px 0 6px 12px;margin:10px 0}
.fhead{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.rule{font-size:12px}
.control{font-size:12px;border:1px solid #d1d5db;border-radius:4px;padding:0 6px;color:#374151}
.control.sh{border-color:#1d4ed8;color:#1d4ed8;font-weight:600}.control.none{color:#9ca3af}
.evidence{margin:6px 0;padding-left:20px}.advice{margin:4px 0;color:#065f46}
.warn{color:#92400e}
.tags{margin-top:4px}.tag{display:inline-block;font-size:11px;background:#eef2ff;color:#3730a3;border-radius:4px;padding:0 6px;margin:1px 0;word-break:break-all}
.banner{border-radius:8px;padding:12px 16px;margin-bottom:16px}
.banner.partial{background:#fef2f2;border:1px solid #fca5a5;color:#7f1d1d}
.banner.ok{background:#ecfdf5;border:1px solid #6ee7b7;color:#065f46}
@media print{body{background:#fff}main{padding:0}section,header{border:none}.resource{break-inside:avoid}}
`;

function legend(): string {
  return `<p class="legend">${SEVERITIES.map((s) => `<span><i style="background:${SEVERITY_COLOR[s]}"></i>${escapeHtml(LABEL[s])}</span>`).join('')}</p>`;
}

function coverageSection(sweeps: readonly ReportSweep[]): string {
  if (!sweeps.length) return '';
  const rows = sweeps
    .map((s) => {
      const c = s.counts;
      const td = s.taskDefinitions
        ? ` (${fmt(s.taskDefinitions.described)} described, ${fmt(s.taskDefinitions.fromCache)} from cache)`
        : '';
      return `<tr><td>${escapeHtml(s.account)}</td><td>${escapeHtml(s.region)}</td><td>${s.complete ? 'complete' : '<strong>partial</strong>'}</td><td>${fmt(c.clusters ?? 0)} clusters, ${fmt(c.services ?? 0)} services, ${fmt(c.taskSets ?? 0)} task sets, ${fmt(c.tasks ?? 0)} running tasks, ${fmt(c.containerInstances ?? 0)} container instances, ${fmt(c.taskDefinitions ?? 0)} task definitions${td}</td><td>${escapeHtml(s.startedAt)} · ${(s.durationMs / 1000).toFixed(1)} s</td></tr>`;
    })
    .join('');
  return `<section id="coverage"><h2>What was swept</h2><table><thead><tr><th>Account</th><th>Region</th><th>Sweep</th><th>Resources evaluated</th><th>When</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function banner(sweeps: readonly ReportSweep[]): string {
  const gaps = sweeps.flatMap((s) => s.gaps.map((g) => ({ s, g })));
  if (!sweeps.length) return '';
  if (!gaps.length)
    return `<div class="banner ok" id="completeness">Complete sweep: every cluster, service, task set, running task, container instance and task definition in scope was read.</div>`;
  const items = gaps
    .map(
      ({ s, g }) =>
        `<li><strong>${escapeHtml(g.missed)}</strong> (${escapeHtml(s.account)} ${escapeHtml(s.region)}: ${escapeHtml(g.operation)}${g.target ? ` ${escapeHtml(g.target)}` : ''} failed, ${escapeHtml(g.kind)}: ${escapeHtml(g.code)} ${escapeHtml(g.message)})</li>`,
    )
    .join('');
  return `<div class="banner partial" id="completeness"><strong>Partial sweep.</strong> Some of the estate could not be read, so this report may miss findings and no finding was marked resolved. Missed:<ul>${items}</ul></div>`;
}

function ouLabel(a: ReportOrganization['accounts'][number] | undefined): string {
  if (!a?.ouId) return 'unknown OU';
  return a.ouName ? `${a.ouName} (${a.ouId})` : a.ouId;
}

function groupRows(
  findings: readonly Finding[],
  keyOf: (f: Finding) => string,
  titleOf: (key: string) => string,
): BarRow[] {
  const by = new Map<string, Finding[]>();
  for (const f of findings) by.set(keyOf(f), [...(by.get(keyOf(f)) ?? []), f]);
  return [...by.entries()]
    .map(([key, list]) => ({ label: key, title: titleOf(key), counts: countBySeverity(list) }))
    .sort((a, b) => compareCounts(a.counts, b.counts) || a.label.localeCompare(b.label));
}

/** The organization banner: every (account, region) pair that is not complete, with its reason. */
function organizationBanner(org: ReportOrganization): string {
  const bad = org.pairs.filter((p) => p.status !== 'complete');
  if (!bad.length)
    return `<div class="banner ok" id="completeness">Complete organization sweep: all ${fmt(org.pairs.length)} (account, region) pairs were read in full.</div>`;
  const items = bad
    .map(
      (p) =>
        `<li data-account="${escapeHtml(p.account)}" data-region="${escapeHtml(p.region)}"><strong>${escapeHtml(p.account)} ${escapeHtml(p.region)}</strong>: ${escapeHtml(p.status)}: ${escapeHtml(p.reason ?? 'no reason given')}</li>`,
    )
    .join('');
  return `<div class="banner partial" id="completeness"><strong>Partial organization sweep.</strong> ${fmt(bad.length)} of ${fmt(org.pairs.length)} (account, region) pairs could not be read in full, so this report may miss findings there and no finding of those pairs was marked resolved:<ul>${items}</ul></div>`;
}

/** Per-account table (name, OU, regions complete, findings) and charts by account, OU and region. */
function organizationSection(org: ReportOrganization, findings: readonly Finding[]): string {
  const accounts = new Map(org.accounts.map((a) => [a.id, a]));
  const ids = [...new Set([...org.accounts.map((a) => a.id), ...org.pairs.map((p) => p.account)])].sort();
  const rows = ids
    .map((id) => {
      const a = accounts.get(id);
      const pairs = org.pairs.filter((p) => p.account === id);
      const complete = pairs.filter((p) => p.status === 'complete').length;
      const mine = findings.filter((f) => f.account === id);
      return `<tr data-account="${escapeHtml(id)}"><td>${escapeHtml(id)}</td><td>${escapeHtml(a?.name ?? '')}</td><td>${escapeHtml(ouLabel(a))}</td><td>${escapeHtml(pairs.map((p) => p.region).join(', '))}<div class="muted">${fmt(complete)}/${fmt(pairs.length)} complete</div></td><td>${fmt(mine.length)}</td><td>${countsCell(countBySeverity(mine))}</td></tr>`;
    })
    .join('');
  const skipped = (org.skipped ?? [])
    .map((s) => `<li>${escapeHtml(s.account)}: ${escapeHtml(s.reason)}</li>`)
    .join('');
  return `<section id="organization"><h2>By account, OU and region</h2>
<table><thead><tr><th>Account</th><th>Name</th><th>OU</th><th>Regions</th><th>Findings</th><th>By severity</th></tr></thead><tbody>${rows}</tbody></table>
${legend()}<div class="charts">
${barChart(
  groupRows(
    findings,
    (f) => f.account,
    (id) => `account ${id}${accounts.get(id)?.name ? ` (${accounts.get(id)!.name})` : ''}`,
  ),
  'Findings per account',
  'chart-org-accounts',
)}
${barChart(
  groupRows(
    findings,
    (f) => ouLabel(accounts.get(f.account)),
    (ou) => `OU ${ou}`,
  ),
  'Findings per OU',
  'chart-org-ous',
)}
${barChart(
  groupRows(
    findings,
    (f) => f.region,
    (r) => `region ${r}`,
  ),
  'Findings per region',
  'chart-org-regions',
)}
</div>${skipped ? `<h3>Accounts not swept</h3><ul>${skipped}</ul>` : ''}</section>`;
}

function resolvedSection(resolved: readonly ReportResolved[]): string {
  if (!resolved.length) return '';
  const rows = [...resolved]
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.ruleId.localeCompare(b.ruleId))
    .map(
      (r) =>
        `<tr><td>${badge(r.severity)}</td><td><code>${escapeHtml(r.ruleId)}</code></td><td>${r.resourceName ? `${escapeHtml(r.resourceName)}<div class="muted arn">${escapeHtml(r.resourceArn)}</div>` : `<span class="arn">${escapeHtml(r.resourceArn)}</span>`}</td><td>${escapeHtml(r.kind)}</td><td>${escapeHtml(r.resolvedAt)}</td></tr>`,
    )
    .join('');
  return `<section id="resolved"><h2>Resolved since the previous scan (${fmt(resolved.length)})</h2><table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Why</th><th>Resolved</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const findings = input.findings;
  const sweeps = input.sweeps ?? [];
  const totals = countBySeverity(findings);
  const groups = groupByResource(findings);
  // Infrastructure-as-code findings have no account or region ('') until deployed: not listed.
  const accounts = [...new Set([...findings.map((f) => f.account), ...sweeps.map((s) => s.account)])]
    .filter(Boolean)
    .sort();
  const regions = [...new Set([...findings.map((f) => f.region), ...sweeps.map((s) => s.region)])]
    .filter(Boolean)
    .sort();
  const title = input.title ?? 'ECS compliance report';
  const scope = `${accounts.length ? `Account${accounts.length > 1 ? 's' : ''} ${accounts.join(', ')}` : 'No account'} · Region${regions.length > 1 ? 's' : ''} ${regions.join(', ') || '-'}`;

  const cards = [
    `<div class="card total" data-severity="total"><span class="n">${fmt(findings.length)}</span><span class="l">Findings</span></div>`,
    ...SEVERITIES.map(
      (s) =>
        `<div class="card sev-${s}" data-severity="${s}"><span class="n">${fmt(totals[s])}</span><span class="l">${escapeHtml(LABEL[s])}</span></div>`,
    ),
  ].join('');
  const affected = `<p class="muted">${fmt(groups.length)} resource(s) affected${worstLine(findings)}${input.suppressedCount ? ` · ${fmt(input.suppressedCount)} finding(s) suppressed by exemptions are not shown` : ''}.</p>`;

  const worstRows = groups
    .map(
      (g, i) =>
        `<tr><td>${i + 1}</td><td><a href="#r-${i + 1}">${escapeHtml(g.name)}</a><div class="muted">${escapeHtml(g.type)}</div></td><td>${escapeHtml(g.account)}<div class="muted">${escapeHtml(g.region)}</div></td><td>${countsCell(g.counts)}</td><td>${[...new Set(g.findings.map((f) => f.ruleId))].map((r) => `<code>${escapeHtml(r)}</code>`).join(' ')}</td></tr>`,
    )
    .join('');
  const details = groups
    .map(
      (g, i) => `<article class="resource" id="r-${i + 1}">
<div class="rhead"><div><h3>${i + 1}. ${escapeHtml(g.name)}</h3><div class="muted">${escapeHtml(g.type)} · ${escapeHtml(g.account)} · ${escapeHtml(g.region)}</div></div><div>${countsCell(g.counts)}</div></div>
<div class="arn muted"><code>${escapeHtml(g.arn)}</code></div>${tagChips(g.tags)}
${g.findings.map((f) => findingBlock(f, input.firstSeen)).join('\n')}
</article>`,
    )
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="ECS Guardrail">
<title>${escapeHtml(`${title} · ${accounts.join(', ')} · ${input.generatedAt.slice(0, 10)}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(scope)} · generated ${escapeHtml(input.generatedAt)} by ECS Guardrail (rule catalog v1)</p></header>
${input.organization ? organizationBanner(input.organization) : banner(sweeps)}
<section id="totals"><h2>Findings by severity</h2><div class="cards">${cards}</div>${affected}</section>
${input.framework ? frameworkSection(findings, input.framework) : ''}
<section id="charts"><h2>Where the findings are</h2>${legend()}<div class="charts">
${barChart(ruleRows(findings), 'Findings by rule', 'chart-rules')}
${barChart(accountRows(findings), 'Findings by account', 'chart-accounts')}
</div></section>
${input.organization ? organizationSection(input.organization, findings) : ''}
<section id="worst"><h2>Resources, worst first</h2>${groups.length ? `<table><thead><tr><th>#</th><th>Resource</th><th>Account</th><th>Findings</th><th>Rules</th></tr></thead><tbody>${worstRows}</tbody></table>` : '<p class="muted">No findings: nothing to fix.</p>'}</section>
<section id="findings"><h2>Findings by resource, with evidence</h2>${details || '<p class="muted">No findings.</p>'}</section>
${resolvedSection(input.resolved ?? [])}
${coverageSection(sweeps)}
<p class="muted">Severities: critical &gt; high &gt; medium &gt; low &gt; info. Security Hub control ids map each rule to the AWS Foundational Security Best Practices ECS controls.</p>
</main>
</body>
</html>
`;
}

function worstLine(findings: readonly Finding[]): string {
  if (!findings.length) return '';
  const w = worst(findings);
  return ` · worst severity ${escapeHtml(w)}`;
}

// ------------------------------------------------------------------ per-framework view (--framework)

/** The findings by requirement of one framework: counts, worst severity, rules (own mapping marked), resources. */
export function frameworkSection(findings: readonly Finding[], framework: FrameworkId): string {
  const info = FRAMEWORKS[framework];
  const groups = groupByRequirement(findings, framework);
  const rows = groups
    .map((g) => {
      const rules = g.rules
        .map(
          (r) =>
            `<code class="rule">${escapeHtml(r.ruleId)}</code>${r.ownMapping ? ' <span class="muted" title="the project\'s own mapping">(own)</span>' : ''}`,
        )
        .join(' ');
      const names = [...new Set(g.findings.map(shortName))];
      const shown = names
        .slice(0, 8)
        .map((n) => `<span class="arn">${escapeHtml(truncate(n, 120))}</span>`)
        .join(', ');
      const more = names.length > 8 ? ` <span class="muted">+${fmt(names.length - 8)} more</span>` : '';
      return `<tr data-requirement="${escapeHtml(g.requirement)}"><td><strong>${escapeHtml(g.requirement)}</strong></td><td>${fmt(g.findings.length)}</td><td>${fmt(g.resources.length)}</td><td>${badge(g.worst)}</td><td>${rules}</td><td>${shown}${more}</td></tr>`;
    })
    .join('');
  const body = groups.length
    ? `<table><thead><tr><th>Requirement</th><th>Findings</th><th>Resources</th><th>Worst</th><th>Rules</th><th>Resources affected</th></tr></thead><tbody>${rows}</tbody></table><p class="muted">Requirements are the ones Security Hub lists as related to the rule's control; (own) marks the project's own mapping.</p>`
    : '<p class="muted">No findings.</p>';
  return `<section id="framework-${escapeHtml(framework)}" data-framework="${escapeHtml(framework)}"><h2>${escapeHtml(info.title)}: findings by requirement (${fmt(groups.length)})</h2>${body}</section>`;
}
