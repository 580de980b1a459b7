/**
 * `guardrail explain RULE_ID`: one rule in full, from the registry: what fires it, why it matters and how
 * to fix it (the ECS Best Practices advice), the opt-in remediation, the controls of other tools that test
 * the same thing, the framework requirements, and a policy example with the rule's parameters.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { controlIds, FRAMEWORK_IDS } from '../shared/model/finding';
import { didYouMean } from '../shared/policy/document';
import { FRAMEWORKS, frameworksOf } from '../shared/rules/frameworks';
import { RULES, RULES_BY_ID } from '../shared/rules/registry';
import type { Rule } from '../shared/rules/types';
import type { Io } from './evaluate-command';
import { defaultModeOf } from './rules-command';
import { escapeTerminal } from './terminal-text';
import { CliUsageError } from './usage-error';

export const EXPLAIN_USAGE = `Usage:
  guardrail explain RULE_ID

Tells one rule in full: what fires it, why it matters and how to fix it, the opt-in remediation, the
controls of Security Hub, AWS Config, Checkov and Prowler that test the same thing, the NIST SP 800-53 and
PCI DSS requirements, and a policy example. guardrail rules lists the ids.
`;

/** An unknown rule id: exit 3, with the closest known id. */
export class UnknownRuleError extends CliUsageError {
  constructor(given: string) {
    const shown = given.length > 60 ? `${given.slice(0, 59)}…` : given;
    super(
      `unknown rule "${escapeTerminal(shown)}"${didYouMean(given.toLowerCase(), [...RULES_BY_ID.keys()])}; guardrail rules lists them`,
    );
  }
}

const CONTROL_TOOLS = [
  ['securityHub', 'Security Hub'],
  ['config', 'AWS Config'],
  ['checkov', 'Checkov'],
  ['prowler', 'Prowler'],
] as const;

export function explainRule(rule: Rule): string {
  const controls = CONTROL_TOOLS.flatMap(([key, label]) => {
    const ids = controlIds(rule.controls[key]);
    return ids.length ? [`  ${label}: ${ids.join(', ')}`] : [];
  });
  const fw = frameworksOf(rule);
  const frameworks = FRAMEWORK_IDS.flatMap((id) =>
    fw[id]?.length
      ? [
          `  ${FRAMEWORKS[id].title}: ${fw[id].join(', ')}${fw.ownMapping?.includes(id) ? ' (own mapping)' : ''}`,
        ]
      : [],
  );
  const params = rule.params?.defaults;
  const example = stringify({
    rules: {
      [rule.id]: {
        mode: rule.remediation ? 'remediate' : 'notify',
        ...(params && typeof params === 'object' && Object.keys(params).length ? { params } : {}),
      },
    },
  });
  return [
    `${rule.id}: ${rule.title}`,
    '',
    `Severity: ${rule.severity}    Default mode: ${defaultModeOf(rule)}    Resource: ${rule.resourceType}`,
    '',
    `What: ${rule.description}`,
    `Why and how to fix: ${rule.advice}`,
    rule.remediation
      ? `Remediation (opt-in, mode remediate): ${rule.remediation.action}: ${rule.remediation.summary}`
      : 'Remediation: none (notify only)',
    '',
    'Controls that test the same thing:',
    ...(controls.length ? controls : ['  none']),
    'Frameworks:',
    ...(frameworks.length ? frameworks : ['  none']),
    '',
    `Example policy${params ? ' (the parameters at their defaults)' : ''}:`,
    ...example
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
    '',
  ].join('\n');
}

export function runExplainCommand(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new CliUsageError('explain takes one RULE_ID (guardrail rules lists them)');
  const given = positionals[0]!;
  const rule = RULES_BY_ID.get(given) ?? RULES.find((r) => r.id === given.toLowerCase());
  if (!rule) throw new UnknownRuleError(given);
  io.stdout(`${explainRule(rule)}\n`);
  return 0;
}
