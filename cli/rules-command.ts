/**
 * `guardrail rules [--format table|json]`: the rule catalog as the registry has it (id, severity, the
 * mode a rule gets when the policy does not name it, Security Hub control, title). `guardrail explain`
 * tells one rule in full.
 */
import { parseArgs } from 'node:util';
import { controlIds, type Mode } from '../shared/model/finding';
import { ruleDefaultMode } from '../shared/policy/document';
import { frameworksOf } from '../shared/rules/frameworks';
import { RULES } from '../shared/rules/registry';
import type { Rule } from '../shared/rules/types';
import type { Io } from './evaluate-command';
import { CliUsageError } from './usage-error';

export const RULES_USAGE = `Usage:
  guardrail rules [--format table|json]

Lists every rule: id, default severity, default mode (the mode when the policy does not name the rule),
Security Hub control and title. guardrail explain RULE_ID tells one rule in full.
  --format table|json   a table (default), or one JSON array of rule objects
`;

/** The mode a rule runs in under the default policy (every rule `notify`, lowered by the rule's own default). */
export const defaultModeOf = (rule: Rule): Mode => ruleDefaultMode(rule, 'notify');

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly defaultMode: Mode;
  readonly resourceType: string;
  readonly securityHub: readonly string[];
  readonly controls: Rule['controls'];
  readonly frameworks: ReturnType<typeof frameworksOf>;
  readonly remediation?: string;
}

export function ruleSummary(rule: Rule): RuleSummary {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    defaultMode: defaultModeOf(rule),
    resourceType: rule.resourceType,
    securityHub: controlIds(rule.controls.securityHub),
    controls: rule.controls,
    frameworks: frameworksOf(rule),
    ...(rule.remediation ? { remediation: rule.remediation.action } : {}),
  };
}

export function runRulesCommand(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(RULES_USAGE);
    return 0;
  }
  if (positionals.length) throw new CliUsageError('rules takes no argument (guardrail explain RULE_ID)');
  if (values.format === 'json') {
    io.stdout(`${JSON.stringify(RULES.map(ruleSummary), null, 2)}\n`);
    return 0;
  }
  if (values.format !== 'table') throw new CliUsageError('--format must be table or json');
  const rows = RULES.map((r) => [
    r.id,
    r.severity.toUpperCase(),
    defaultModeOf(r),
    controlIds(r.controls.securityHub).join(',') || '-',
    r.title,
  ]);
  const head = ['RULE', 'SEVERITY', 'DEFAULT MODE', 'SECURITY HUB', 'TITLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  io.stdout(line(head) + rows.map(line).join('') + `\n${RULES.length} rules\n`);
  return 0;
}
