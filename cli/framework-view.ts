/**
 * `--framework <id>`: findings grouped by the requirements of one compliance framework (a finding counts under
 * every requirement its rule maps to). Pure: the table, the JSON Lines and the HTML report's section read this.
 */
import {
  SEVERITIES,
  SEVERITY_RANK,
  type Finding,
  type FrameworkId,
  type Severity,
} from '../shared/model/finding';
import { FRAMEWORKS, findingFrameworks } from '../shared/rules/frameworks';
import { shortArn } from './format';
import { escapeTerminal, terminalSafeJson } from './terminal-text';

/** Findings of rules that map to no requirement of the framework (a stored finding of a removed rule). */
export const UNMAPPED = '(unmapped)';

export interface RuleInRequirement {
  readonly ruleId: string;
  /** The requirement comes from the project's own mapping of this rule, not from Security Hub. */
  readonly ownMapping: boolean;
  readonly findings: number;
}

export interface RequirementGroup {
  readonly framework: FrameworkId;
  readonly requirement: string;
  readonly rules: readonly RuleInRequirement[];
  readonly findings: readonly Finding[];
  /** Distinct resource ARNs. */
  readonly resources: readonly string[];
  readonly severity: Readonly<Record<Severity, number>>;
  readonly worst: Severity;
}

// AC-3(7) before AC-3(15) before AC-21; 1.4.4 before 10.2.1.
const collator = new Intl.Collator('en', { numeric: true });

export function groupByRequirement(findings: readonly Finding[], framework: FrameworkId): RequirementGroup[] {
  const groups = new Map<
    string,
    { rules: Map<string, { own: boolean; n: number }>; findings: Finding[]; arns: Set<string> }
  >();
  for (const f of findings) {
    const fw = findingFrameworks(f);
    const reqs = fw?.[framework]?.length ? fw[framework]! : [UNMAPPED];
    const own = fw?.ownMapping?.includes(framework) ?? false;
    for (const req of new Set(reqs)) {
      let g = groups.get(req);
      if (!g) groups.set(req, (g = { rules: new Map(), findings: [], arns: new Set() }));
      g.findings.push(f);
      g.arns.add(f.resource.arn);
      const r = g.rules.get(f.ruleId) ?? { own, n: 0 };
      r.n++;
      g.rules.set(f.ruleId, r);
    }
  }
  return [...groups.entries()]
    .map(([requirement, g]): RequirementGroup => {
      const severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      let worst: Severity = 'info';
      for (const f of g.findings) {
        severity[f.severity]++;
        if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) worst = f.severity;
      }
      return {
        framework,
        requirement,
        rules: [...g.rules.entries()]
          .map(([ruleId, r]) => ({ ruleId, ownMapping: r.own, findings: r.n }))
          .sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
        findings: g.findings,
        resources: [...g.arns],
        severity,
        worst,
      };
    })
    .sort((a, b) =>
      a.requirement === UNMAPPED
        ? 1
        : b.requirement === UNMAPPED
          ? -1
          : collator.compare(a.requirement, b.requirement),
    );
}

/** One JSON Lines object per requirement, with its findings' ids. */
export function frameworkJsonLines(groups: readonly RequirementGroup[]): string[] {
  return groups.map((g) =>
    terminalSafeJson({
      framework: g.framework,
      requirement: g.requirement,
      findings: g.findings.length,
      resources: g.resources.length,
      severity: g.severity,
      rules: g.rules,
      findingIds: g.findings.map((f) => f.findingId),
    }),
  );
}

function cut(raw: string, width: number): string {
  const s = escapeTerminal(raw);
  return s.length <= width ? s.padEnd(width) : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** The human table: requirement -> counts, worst severity, rule ids (own mapping marked `*`), resources. */
export function formatFrameworkTable(groups: readonly RequirementGroup[], opts: { width: number }): string {
  const info = FRAMEWORKS[groups[0]?.framework ?? 'nist-800-53-r5'];
  const w = Math.max(opts.width, 100);
  const cols = { req: 14, n: 8, res: 9, worst: 9 };
  const rest = w - cols.req - cols.n - cols.res - cols.worst - 5;
  const rulesW = Math.floor(rest * 0.55);
  const namesW = rest - rulesW;
  const lines = [
    `${info.title} (${info.id}): ${groups.length} requirement(s)`,
    [
      cut('REQUIREMENT', cols.req),
      cut('FINDINGS', cols.n),
      cut('RESOURCES', cols.res),
      cut('WORST', cols.worst),
      cut('RULES', rulesW),
      'RESOURCE NAMES',
    ].join(' '),
  ];
  let own = false;
  for (const g of groups) {
    const rules = g.rules.map((r) => `${r.ruleId}${r.ownMapping ? '*' : ''}`).join(', ');
    own ||= g.rules.some((r) => r.ownMapping);
    const names = [...new Set(g.findings.map((f) => f.resource.name ?? shortArn(f.resource.arn)))];
    lines.push(
      [
        cut(g.requirement, cols.req),
        cut(String(g.findings.length), cols.n),
        cut(String(g.resources.length), cols.res),
        cut(g.worst.toUpperCase(), cols.worst),
        cut(rules, rulesW),
        cut(names.join(', '), namesW).trimEnd(),
      ].join(' '),
    );
  }
  if (own)
    lines.push(
      "* the project's own mapping (Security Hub lists no requirement of this framework for the rule)",
    );
  return lines.join('\n');
}
