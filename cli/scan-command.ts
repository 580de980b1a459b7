/**
 * `guardrail scan`: sweep one account and region with the caller's credentials, evaluate every resource
 * with the same rules as `evaluate`, print the findings (table or JSON Lines), optionally write the HTML
 * report and keep findings and described task definitions between runs in a state file (so a later scan
 * resolves what was fixed and describes only new revisions). `--org` sweeps every account and region of
 * the organization instead (cli/scan-org.ts).
 *
 * Exit codes: 0 complete scan; 1 `--fail-on` matched; 2 partial scan (some of the estate could not be
 * read: every gap is on stderr and nothing was resolved); 3 usage, policy, state file, region or
 * credentials error.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  FRAMEWORK_IDS,
  SEVERITIES,
  SEVERITY_RANK,
  type Finding,
  type FrameworkId,
  type Severity,
} from '../shared/model/finding';
import { parseFrameworkId, UnknownFrameworkError } from '../shared/rules/frameworks';
import { DEFAULT_POLICY, loadPolicyFile } from '../shared/policy/load';
import { renderHtmlReport, type ReportResolved } from './report-html';
import { MemoryFindingStore } from '../shared/store/memory-store';
import { MemoryTaskDefinitionCache } from '../shared/store/td-cache';
import { createSweepClients, sweepClientConfig } from '../shared/sweep/clients';
import { classifyError } from '../shared/sweep/errors';
import { runScan, type ScanOutcome } from '../shared/sweep/run';
import { loadScanState, saveStateFile, StateFileError, type ScanState } from './state-file';
import { DEFAULT_ORGANIZATION_POLICY } from '../shared/policy/document';
import { parseAccountList, parseRegionList } from '../shared/sweep/plan';
import { parseSeverityOption, SEVERITY_CHOICES } from './severity-option';
import { SweepInputError } from '../shared/sweep/pair';
import type { SweepProgress, SweepResult } from '../shared/sweep/types';
import type { Io } from './evaluate-command';
import { formatTable, sortFindings } from './format';
import { printFindings } from './print-findings';
import { escapeTerminal } from './terminal-text';
import { GuardrailError } from '../shared/base/errors';

export const SCAN_USAGE = `Usage:
  guardrail scan [--region REGION] [--policy FILE] [--format table|json|ocsf|sarif] [--framework ID] [--html FILE]
                 [--state FILE] [--fail-on SEVERITY] [--concurrency N]
  guardrail scan --org [--role-name NAME] [--regions R1,R2|all] [--accounts ID,ID] [--concurrency N]
                 [--policy FILE] [--format table|json|ocsf|sarif] [--html FILE] [--state FILE] [--fail-on SEVERITY]

Sweeps the ECS estate of one account and region (the caller's credentials): clusters, services, task
sets, running tasks, container instances, and the task definitions that are ACTIVE or in use.
  --region REGION       default: AWS_REGION / AWS_DEFAULT_REGION / the profile's region
  --policy FILE         policy YAML (default: every rule in notify mode)
  --format table|json|ocsf|sarif
                        table (default), JSON Lines (one finding per line), OCSF Compliance Findings or
                        one SARIF 2.1.0 log (exempted findings as suppressed results)
  --framework ID        group the findings by requirement of ${FRAMEWORK_IDS.join('|')} (table, JSON Lines,
                        and a per-framework section in the HTML report)
  --html FILE           also write a self-contained HTML report
  --state FILE          keep findings and described task definitions between scans (JSON); a later scan
                        resolves what was fixed and describes only new task definition revisions
  --fail-on SEVERITY    exit 1 when a finding of this severity or worse is found (${SEVERITIES.join('|')})
  --concurrency N       AWS calls in flight at once (default 4); with --org: pairs swept at once
With --org, every ACTIVE account of the organization (the policy's scope.allowAccounts, if set, limits
them) in every region given, run with credentials of the management account or a delegated administrator:
  --role-name NAME      the read role assumed in each member account (default: the policy's
                        organization.readRoleName, ${DEFAULT_ORGANIZATION_POLICY.readRoleName}; its
                        organization.externalId is passed to AssumeRole)
  --regions R1,R2|all   regions to sweep (default: --region's default; all = the enabled regions)
  --accounts ID,ID      only these accounts
AWS_MAX_ATTEMPTS sets the attempts per call (default 8, adaptive retries).

Exit codes: 0 complete, 1 --fail-on matched, 2 partial scan (nothing resolved; with --org: a pair failed or
was partial), 3 usage/policy/state/credentials/organization error.
`;

class ScanUsageError extends GuardrailError {
  override readonly name = 'UsageError';
}

interface ScanArgs {
  readonly org?: {
    readonly roleName?: string;
    readonly regions?: readonly string[] | 'all';
    readonly accounts?: readonly string[];
  };
  readonly region?: string;
  readonly policyFile?: string;
  readonly format: 'table' | 'json' | 'ocsf' | 'sarif';
  readonly framework?: FrameworkId;
  readonly html?: string;
  readonly state?: string;
  readonly failOn?: Severity;
  readonly concurrency: number;
}

function parseScanArgs(argv: readonly string[]): ScanArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      region: { type: 'string' },
      policy: { type: 'string' },
      format: { type: 'string', default: 'table' },
      framework: { type: 'string' },
      html: { type: 'string' },
      state: { type: 'string' },
      'fail-on': { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      org: { type: 'boolean', default: false },
      'role-name': { type: 'string' },
      regions: { type: 'string' },
      accounts: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const orgOnly = (['role-name', 'regions', 'accounts'] as const).find((k) => values[k] !== undefined);
  if (orgOnly && !values.org) throw new ScanUsageError(`--${orgOnly} needs --org`);
  if (values.org && values.region !== undefined)
    throw new ScanUsageError(
      '--org sweeps --regions (the default: the current region); --region is not used',
    );
  const roleName = values['role-name'];
  if (roleName !== undefined && !/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new ScanUsageError('--role-name must be an IAM role name');
  let org: ScanArgs['org'];
  try {
    org = values.org
      ? {
          ...(roleName ? { roleName } : {}),
          ...(values.regions !== undefined ? { regions: parseRegionList(values.regions) } : {}),
          ...(values.accounts !== undefined ? { accounts: parseAccountList(values.accounts) } : {}),
        }
      : undefined;
  } catch (err) {
    if (err instanceof SweepInputError) throw new ScanUsageError(err.message);
    throw err;
  }
  if (positionals.length) throw new ScanUsageError(`unexpected argument "${positionals[0]}"`);
  const format = values.format;
  if (format !== 'table' && format !== 'json' && format !== 'ocsf' && format !== 'sarif')
    throw new ScanUsageError('--format must be table, json, ocsf or sarif');
  const framework = values.framework === undefined ? undefined : parseFrameworkId(values.framework);
  if (framework && (format === 'ocsf' || format === 'sarif'))
    throw new ScanUsageError(
      `--framework groups table or json output (${format === 'ocsf' ? 'OCSF findings' : 'SARIF rules'} carry their requirements)`,
    );
  const failOn = values['fail-on'] === undefined ? undefined : parseSeverityOption(values['fail-on']);
  if (values['fail-on'] !== undefined && !failOn)
    throw new ScanUsageError(`--fail-on must be one of ${SEVERITY_CHOICES} (any case)`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
    throw new ScanUsageError('--concurrency must be an integer from 1 to 32');
  for (const [k, v] of [
    ['--html', values.html],
    ['--state', values.state],
    ['--region', values.region],
    ['--policy', values.policy],
  ] as const)
    if (v !== undefined && v.trim() === '') throw new ScanUsageError(`${k} needs a value`);
  return {
    format,
    ...(framework ? { framework } : {}),
    concurrency,
    ...(org ? { org } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.policy ? { policyFile: values.policy } : {}),
    ...(values.html ? { html: values.html } : {}),
    ...(values.state ? { state: values.state } : {}),
    ...(failOn ? { failOn: failOn as Severity } : {}),
  };
}

// ------------------------------------------------------------------ progress bar (stderr, TTY only)

const PHASE_LABEL: Record<SweepProgress['phase'], string> = {
  clusters: 'clusters',
  'task-definitions': 'task definitions',
  done: 'done',
};

export class ScanProgressBar {
  private last = 0;
  private printed = false;

  constructor(
    private readonly enabled: boolean,
    private readonly write: (s: string) => void,
    private readonly width = 24,
  ) {}

  update(p: SweepProgress): void {
    if (!this.enabled || p.phase === 'done') return;
    const now = Date.now();
    if (now - this.last < 100 && p.done !== p.total) return;
    this.last = now;
    this.printed = true;
    const frac = p.total ? Math.min(1, p.done / p.total) : 0;
    const overall = p.phase === 'clusters' ? frac / 2 : 0.5 + frac / 2;
    const filled = Math.round(overall * this.width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}]`;
    const c = p.counts;
    this.write(
      `\r\x1b[2K${bar} ${PHASE_LABEL[p.phase]} ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} · ${c.clusters} clusters · ${c.services.toLocaleString('en-US')} services · ${c.tasks.toLocaleString('en-US')} tasks · ${c.taskDefinitions.toLocaleString('en-US')} task definitions`,
    );
  }

  done(): void {
    if (this.printed) this.write('\r\x1b[2K');
  }
}

// ------------------------------------------------------------------ output

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function coverageLine(s: SweepResult): string {
  const c = s.counts;
  return (
    `swept ${s.account} ${s.region} in ${(s.durationMs / 1000).toFixed(1)} s: ${plural(c.clusters, 'cluster')}, ` +
    `${plural(c.services, 'service')}, ${plural(c.taskSets, 'task set')}, ${plural(c.tasks, 'running task')}, ` +
    `${plural(c.containerInstances, 'container instance')}, ${plural(c.taskDefinitions, 'task definition')} ` +
    `(${s.taskDefinitions.described.toLocaleString('en-US')} described, ${s.taskDefinitions.fromCache.toLocaleString('en-US')} from cache)`
  );
}

export function findingsLine(findings: readonly Finding[], resources: number): string {
  const bySev = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  for (const f of findings) bySev.set(f.severity, (bySev.get(f.severity) ?? 0) + 1);
  const rules = new Set(findings.map((f) => f.ruleId)).size;
  return `${plural(findings.length, 'finding')} from ${plural(rules, 'rule')} over ${plural(resources, 'resource')}: ${SEVERITIES.map((s) => `${s} ${bySev.get(s)}`).join(', ')}`;
}

function resolvedForReport(outcome: ScanOutcome): ReportResolved[] {
  return outcome.reconcile.resolved.map(({ kind, record }) => ({
    ruleId: record.finding.ruleId,
    severity: record.finding.severity,
    resourceArn: record.finding.resource.arn,
    ...(record.finding.resource.name ? { resourceName: record.finding.resource.name } : {}),
    kind,
    resolvedAt: record.resolvedAt ?? outcome.sweep.finishedAt,
  }));
}

// ------------------------------------------------------------------ command

async function resolveRegion(explicit: string | undefined): Promise<string | undefined> {
  const fromEnv = explicit ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  try {
    return await new ECSClient({}).config.region();
  } catch {
    return undefined;
  }
}

export async function runScanCommand(argv: readonly string[], io: Io): Promise<number> {
  let args: ScanArgs;
  try {
    const parsed = parseScanArgs(argv);
    if (parsed === 'help') {
      io.stdout(SCAN_USAGE);
      return 0;
    }
    args = parsed;
  } catch (err) {
    if (err instanceof UnknownFrameworkError) {
      io.stderr(`guardrail scan: ${escapeTerminal(err.message)}\n`);
      return 3;
    }
    if (err instanceof ScanUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`guardrail scan: ${(err as Error).message}\n\n${SCAN_USAGE}`);
      return 3;
    }
    throw err;
  }
  // A PolicyError propagates: main reports it (exit 3) the same way for every command.
  const policy = args.policyFile ? loadPolicyFile(args.policyFile) : DEFAULT_POLICY;

  let state: ScanState;
  try {
    state = args.state
      ? loadScanState(args.state)
      : { store: new MemoryFindingStore(), cache: new MemoryTaskDefinitionCache() };
  } catch (err) {
    if (err instanceof StateFileError) {
      io.stderr(`guardrail scan: ${err.message}\n`);
      return 3;
    }
    throw err;
  }

  const store = state.store;
  const region = await resolveRegion(args.region);
  if (!region) {
    io.stderr('guardrail scan: no AWS region: pass --region or set AWS_REGION\n');
    return 3;
  }
  if (args.org) {
    const { runOrgScan } = await import('./scan-org');
    return runOrgScan(
      {
        region,
        roleName: args.org.roleName ?? (policy.organization ?? DEFAULT_ORGANIZATION_POLICY).readRoleName,
        ...(policy.organization?.externalId ? { externalId: policy.organization.externalId } : {}),
        regions: args.org.regions ?? [region],
        ...(args.org.accounts ? { accounts: args.org.accounts } : {}),
        concurrency: args.concurrency,
        format: args.format,
        ...(args.framework ? { framework: args.framework } : {}),
        policy,
        ...(args.html ? { html: args.html } : {}),
        ...(args.state ? { state: args.state } : {}),
        ...(args.failOn ? { failOn: args.failOn } : {}),
      },
      state,
      io,
    );
  }

  let account: string;
  try {
    const id = await new STSClient(sweepClientConfig({ region })).send(new GetCallerIdentityCommand({}));
    if (!id.Account) throw new Error('GetCallerIdentity returned no account');
    account = id.Account;
  } catch (err) {
    const c = classifyError(err);
    io.stderr(
      `guardrail scan: cannot determine the AWS account (${c.code}: ${c.message}); check your credentials\n`,
    );
    return 3;
  }

  const progress = new ScanProgressBar(io.stderrIsTty, io.stderr);
  const outcome = await runScan({
    ...createSweepClients({ region }),
    account,
    region,
    concurrency: args.concurrency,
    policy,
    store,
    cache: state.cache,
    onProgress: (p) => progress.update(p),
    onWarning: (m) => io.stderr(`guardrail scan: warning: ${escapeTerminal(m)}\n`),
  });
  progress.done();

  const { sweep, evaluation, reconcile } = outcome;
  const findings = sortFindings([...evaluation.findings]);
  const summary = [
    findingsLine(findings, sweep.resources.length),
    coverageLine(sweep),
    ...(evaluation.suppressed.length
      ? [`${plural(evaluation.suppressed.length, 'finding')} suppressed by exemptions`]
      : []),
    ...(args.state
      ? [
          reconcile.reconciled
            ? `state ${args.state}: ${reconcile.opened.length} new, ${reconcile.resolved.length} resolved since the previous scan`
            : `state ${args.state}: ${reconcile.opened.length} new, nothing resolved (partial scan)`,
        ]
      : []),
  ].join('\n');

  if (args.format === 'sarif') {
    // Exempted findings are suppressed results in SARIF; a partial sweep is not a successful execution.
    printFindings(sortFindings([...findings, ...evaluation.suppressed]), args, io, () => summary, {
      executionSuccessful: sweep.complete,
    });
  } else if (args.format !== 'table' || args.framework) {
    printFindings(findings, args, io, () => summary);
  } else {
    if (findings.length)
      io.stdout(
        `${formatTable(findings, { color: io.stdoutIsTty, width: io.columns, terminal: io.stdoutIsTty })}\n\n`,
      );
    const resolved = [...reconcile.resolved].sort(
      (a, b) =>
        SEVERITY_RANK[b.record.finding.severity] - SEVERITY_RANK[a.record.finding.severity] ||
        a.record.finding.ruleId.localeCompare(b.record.finding.ruleId),
    );
    for (const r of resolved)
      io.stdout(
        `resolved ${r.record.finding.severity.toUpperCase().padEnd(8)} ${r.record.finding.ruleId.padEnd(36)} ${escapeTerminal(r.record.finding.resource.name ?? r.record.finding.resource.arn)} (${r.kind})\n`,
      );
    if (reconcile.resolved.length) io.stdout('\n');
    io.stdout(`${summary}\n`);
  }

  for (const g of sweep.gaps)
    io.stderr(
      `guardrail scan: incomplete: ${escapeTerminal(`missed ${g.missed} (${g.operation}${g.target ? ` ${g.target}` : ''}: ${g.kind}, ${g.code}: ${g.message})`)}\n`,
    );
  if (!sweep.complete) io.stderr(`guardrail scan: partial scan: nothing was resolved\n`);

  if (args.state) saveStateFile(args.state, store, new Date(), state.cache);
  if (args.html) {
    const firstSeen = new Map<string, string>();
    for (const f of findings) {
      const r = await store.get(f.findingId);
      if (r) firstSeen.set(f.findingId, r.firstSeen);
    }
    writeFileSync(
      args.html,
      renderHtmlReport({
        findings,
        generatedAt: sweep.finishedAt,
        sweeps: [sweep],
        resolved: resolvedForReport(outcome),
        firstSeen,
        suppressedCount: evaluation.suppressed.length,
        ...(args.framework ? { framework: args.framework } : {}),
      }),
    );
    if (args.format === 'table') io.stdout(`report written to ${args.html}\n`);
    else io.stderr(`report written to ${args.html}\n`);
  }

  if (!sweep.complete) return 2;
  if (args.failOn) {
    const min = SEVERITY_RANK[args.failOn];
    if (findings.some((f) => f.mode !== 'off' && SEVERITY_RANK[f.severity] >= min)) return 1;
  }
  return 0;
}
