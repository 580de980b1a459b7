/**
 * `--format sarif`: findings -> one SARIF 2.1.0 log (docs/output-formats.md), what GitHub code scanning and
 * other SARIF viewers read. Pure: no I/O, no clock; the caller passes the tool version, the directory file
 * paths are made relative to, and the input file of each event finding.
 *
 * One rule descriptor per rule of the registry (also rules that found nothing: a viewer closes an alert
 * whose rule ran and no longer reports it). Infrastructure-as-code findings point at the file and line of
 * the offending property and name the resource's address as a logical location; event findings name the
 * resource's ARN and, when known, the event file. Exempted findings are results with a suppression.
 *
 * Text from inputs (evidence, names, addresses) only goes into plain-text messages, escaped: control and
 * direction characters become visible escapes, and `[`, `]`, `\` are backslash-escaped so that a value
 * cannot forge a SARIF embedded link (`[text](uri)`, SARIF 2.1.0 §3.11.6). Markdown fields hold only the
 * rules' own text.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  controlIds,
  FRAMEWORK_IDS,
  type Controls,
  type Finding,
  type FindingFrameworks,
  type Severity,
} from '../shared/model/finding';
import { FRAMEWORKS, findingFrameworks, frameworksOf } from '../shared/rules/frameworks';
import { RULES } from '../shared/rules/registry';
import type { Rule } from '../shared/rules/types';
import { exemptedBy } from './format';
import { escapeTerminal } from './terminal-text';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** The base that relative artifact URIs are resolved against (the repository / working directory). */
export const SRCROOT = '%SRCROOT%';
/** Key of the finding id in `partialFingerprints` (versioned: a change of the id scheme gets a new key). */
export const FINGERPRINT_KEY = 'guardrailFindingId/v1';

/** SARIF has three result levels: critical and high are errors, medium warnings, low and info notes. */
export const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning's `security-severity` (a CVSS-like score as a string): over 9.0 is critical, 7.0 to
 * 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low. Info rules get none (GitHub then shows the plain level).
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string | undefined>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

/** A problem found in an input (invalid event, failed enrichment, not checked): a tool notification. */
export interface SarifNotice {
  readonly level: 'error' | 'warning' | 'note';
  /** The input's label (`file`, `file:12`, `file[3]`): escaped like every input text. */
  readonly input: string;
  readonly message: string;
}

export interface SarifOptions {
  readonly toolVersion: string;
  /** Relative artifact URIs are relative to this directory (`%SRCROOT%`): the working directory. */
  readonly baseDir: string;
  /** The input file (and JSON Lines line) each event finding came from, by findingId, when known. */
  readonly sources?: ReadonlyMap<string, { readonly file: string; readonly line?: number }>;
  readonly notices?: readonly SarifNotice[];
  /** False when an input was invalid or its enrichment failed (the run exits 2). */
  readonly executionSuccessful?: boolean;
  /** The rules to describe (default: the registry). */
  readonly rules?: readonly Rule[];
}

/** Plain text from an input, safe in a SARIF message: visible control characters, no embedded link. */
export function sarifText(s: string): string {
  return escapeTerminal(s).replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/** A SARIF artifact location: relative to `%SRCROOT%` when the file is under it, else an absolute file URI. */
export function artifactLocation(file: string, baseDir: string): { uri: string; uriBaseId?: string } {
  const abs = resolve(baseDir, file);
  const rel = relative(baseDir, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

const pascal = (id: string): string =>
  id
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : p))
    .join('');

const CONTROL_TOOLS: readonly [keyof Omit<Controls, 'seeds'>, string][] = [
  ['securityHub', 'AWS Security Hub'],
  ['config', 'AWS Config'],
  ['checkov', 'Checkov'],
  ['prowler', 'Prowler'],
];

function frameworkLines(f: FindingFrameworks): string[] {
  return FRAMEWORK_IDS.filter((id) => f[id]?.length).map(
    (id) =>
      `${FRAMEWORKS[id].title}: ${f[id]!.join(', ')}${f.ownMapping?.includes(id) ? ' (own mapping)' : ''}`,
  );
}

/** The help of a rule as plain text and as Markdown: what, how to fix, the opt-in action, the controls. */
function ruleHelp(rule: Rule): { text: string; markdown: string } {
  const controls = CONTROL_TOOLS.map(([k, name]) => [name, controlIds(rule.controls[k])] as const).filter(
    ([, ids]) => ids.length > 0,
  );
  const frameworks = frameworkLines(frameworksOf(rule));
  const action = rule.remediation
    ? `Opt-in remediation (mode remediate): ${rule.remediation.action}: ${rule.remediation.summary}`
    : undefined;
  const text = [
    `When it fires: ${rule.description.replace(/`/g, '')}`,
    `How to fix: ${rule.advice}`,
    ...(action ? [action] : []),
    ...controls.map(([name, ids]) => `${name}: ${ids.join(', ')}`),
    ...frameworks,
  ].join('\n');
  const markdown = [
    `**${rule.title}** (\`${rule.id}\`, severity ${rule.severity})`,
    '',
    `When it fires: ${rule.description}`,
    '',
    `**How to fix**: ${rule.advice}`,
    ...(rule.remediation
      ? [
          '',
          `**Opt-in remediation** (mode \`remediate\`): \`${rule.remediation.action}\`: ${rule.remediation.summary}`,
        ]
      : []),
    ...(controls.length
      ? [
          '',
          '| Tool | Control |',
          '| --- | --- |',
          ...controls.map(([name, ids]) => `| ${name} | ${ids.join(', ')} |`),
        ]
      : []),
    ...(frameworks.length ? ['', ...frameworks.map((l) => `- ${l}`)] : []),
  ].join('\n');
  return { text, markdown };
}

function ruleDescriptor(rule: Rule) {
  const frameworks = frameworksOf(rule);
  const securitySeverity = SECURITY_SEVERITY[rule.severity];
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description.replace(/`/g, ''), markdown: rule.description },
    help: ruleHelp(rule),
    defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
    properties: {
      tags: ['security', 'ecs', ...FRAMEWORK_IDS.filter((id) => frameworks[id]?.length)],
      precision: 'high',
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
      severity: rule.severity,
      resourceType: rule.resourceType,
      defaultMode: rule.defaultMode ?? 'notify',
      securityHubControls: controlIds(rule.controls.securityHub),
      controls: rule.controls,
      frameworks,
    },
  };
}

function resultMessage(f: Finding): string {
  const subject = f.location?.address ?? f.resource.name ?? f.resource.arn;
  const evidence = f.evidence.map((e) => e.message).join('; ');
  return sarifText(`${f.title}: ${subject}${evidence ? `: ${evidence}` : ''}`);
}

function locations(f: Finding, opts: SarifOptions) {
  if (f.location) {
    const line = f.location.line;
    return [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.location.file, opts.baseDir),
          ...(line && line > 0 ? { region: { startLine: line } } : {}),
        },
        logicalLocations: [{ fullyQualifiedName: f.location.address, kind: 'resource' }],
      },
    ];
  }
  const source = opts.sources?.get(f.findingId);
  return [
    {
      ...(source
        ? {
            physicalLocation: {
              artifactLocation: artifactLocation(source.file, opts.baseDir),
              ...(source.line && source.line > 0 ? { region: { startLine: source.line } } : {}),
            },
          }
        : {}),
      logicalLocations: [
        {
          fullyQualifiedName: f.resource.arn,
          ...(f.resource.name ? { name: f.resource.name } : {}),
          kind: 'resource',
        },
      ],
    },
  ];
}

function suppressions(f: Finding) {
  if (!f.exemption || f.exemption.expired) return undefined;
  const why = [
    `exempted by ${exemptedBy(f.exemption)}`,
    ...(f.exemption.reason ? [f.exemption.reason] : []),
    ...(f.exemption.until ? [`until ${f.exemption.until}`] : []),
  ].join(': ');
  return [{ kind: 'external', status: 'accepted', justification: sarifText(why) }];
}

function result(f: Finding, ruleIndex: ReadonlyMap<string, number>, opts: SarifOptions) {
  const index = ruleIndex.get(f.ruleId);
  const suppressed = suppressions(f);
  return {
    ruleId: f.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: SARIF_LEVEL[f.severity],
    message: { text: resultMessage(f) },
    locations: locations(f, opts),
    partialFingerprints: { [FINGERPRINT_KEY]: f.findingId },
    ...(suppressed ? { suppressions: suppressed } : {}),
    properties: {
      severity: f.severity,
      mode: f.mode,
      account: f.account,
      region: f.region,
      resourceType: f.resource.type,
      evidence: f.evidence.map((e) => ({
        path: e.path,
        message: e.message,
        ...(e.container !== undefined ? { container: e.container } : {}),
        ...(e.line !== undefined ? { line: e.line } : {}),
      })),
      ...(f.action ? { action: f.action } : {}),
      ...(f.exemption?.expired
        ? { exemption: { expired: true, ...(f.exemption.until ? { until: f.exemption.until } : {}) } }
        : {}),
      ...(findingFrameworks(f) ? { frameworks: findingFrameworks(f) } : {}),
    },
  };
}

/** The SARIF log of one run. Findings of a rule the registry does not list keep their ruleId, without index. */
export function toSarif(findings: readonly Finding[], opts: SarifOptions) {
  const rules = opts.rules ?? RULES;
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const notices = opts.notices ?? [];
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ECS Guardrail',
            version: opts.toolVersion,
            semanticVersion: opts.toolVersion,
            rules: rules.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: {
          [SRCROOT]: {
            description: { text: 'The directory guardrail was run in (the repository root in CI).' },
          },
        },
        invocations: [
          {
            executionSuccessful: opts.executionSuccessful ?? true,
            ...(notices.length
              ? {
                  toolExecutionNotifications: notices.map((n) => ({
                    level: n.level,
                    message: { text: sarifText(`${n.input}: ${n.message}`) },
                  })),
                }
              : {}),
          },
        ],
        results: findings.map((f) => result(f, ruleIndex, opts)),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
