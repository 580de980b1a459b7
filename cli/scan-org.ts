/**
 * `guardrail scan --org`: the organization sweep for a person. The plan (shared/sweep/plan.ts: the
 * organization's ACTIVE accounts x the regions, minus the allow-list and outside `--accounts`), then
 * every (account, region) pair swept through the read role assumed in each member account (the
 * caller's own account with the caller's credentials), `--concurrency` pairs at once. Prints the
 * findings per pair, a roll-up by account, OU and region, and a banner naming every pair that failed or
 * was partial and why; the HTML report rolls up the same way.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { CrossAccountCredentials } from '../shared/aws/credentials';
import {
  SEVERITIES,
  SEVERITY_RANK,
  type Finding,
  type FrameworkId,
  type Severity,
} from '../shared/model/finding';
import type { Policy } from '../shared/policy/types';
import { SweepClientPool, sweepClientConfig } from '../shared/sweep/clients';
import { classifyError } from '../shared/sweep/errors';
import { SWEEP_SESSION_NAME, sweepOrganization, type PairOutcome } from '../shared/sweep/organization';
import { planOrganization, type PlannedAccount, type SweepPlan } from '../shared/sweep/plan';
import type { Io } from './evaluate-command';
import { printFindings } from './print-findings';
import { formatTable, sortFindings } from './format';
import { renderHtmlReport, type ReportResolved } from './report-html';
import { saveStateFile, type ScanState } from './state-file';
import { escapeTerminal } from './terminal-text';
import { writeFileSync } from 'node:fs';

export interface OrgScanArgs {
  /** The caller's region: Organizations, STS and DescribeRegions are called there. */
  readonly region: string;
  readonly roleName: string;
  /** The policy's organization.externalId, when the read role's trust requires one. */
  readonly externalId?: string;
  readonly regions: readonly string[] | 'all';
  readonly accounts?: readonly string[];
  /** Pairs swept at once. */
  readonly concurrency: number;
  readonly format: 'table' | 'json' | 'ocsf' | 'sarif';
  /** Group the findings by the requirements of this framework (table or JSON Lines). */
  readonly framework?: FrameworkId;
  readonly html?: string;
  readonly state?: string;
  readonly failOn?: Severity;
  readonly policy: Policy;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function severityLine(findings: readonly Finding[]): string {
  const by = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  for (const f of findings) by.set(f.severity, (by.get(f.severity) ?? 0) + 1);
  return SEVERITIES.map((s) => `${s} ${by.get(s)}`).join(', ');
}

function accountLabel(a: PlannedAccount | undefined, id: string): string {
  const name = a?.name ? ` ${a.name}` : '';
  const ou = a?.ouName ? ` (OU ${a.ouName})` : a?.ouId ? ` (OU ${a.ouId})` : '';
  return `${id}${name}${ou}`;
}

/** One line per account, OU and region: findings by severity and pairs complete. */
export function rollupLines(plan: SweepPlan, outcomes: readonly PairOutcome[]): string[] {
  const accounts = new Map(plan.accounts.map((a) => [a.id, a]));
  const findingsOf = (o: PairOutcome) => o.scan?.evaluation.findings ?? [];
  const group = (key: (o: PairOutcome) => string) => {
    const m = new Map<string, PairOutcome[]>();
    for (const o of outcomes) m.set(key(o), [...(m.get(key(o)) ?? []), o]);
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  const line = (label: string, list: readonly PairOutcome[]) => {
    const f = list.flatMap(findingsOf);
    const complete = list.filter((o) => o.status === 'complete').length;
    return `  ${escapeTerminal(label)}: ${plural(f.length, 'finding')} (${severityLine(f)}); ${complete}/${list.length} pair(s) complete`;
  };
  const ouOf = (o: PairOutcome) => {
    const a = accounts.get(o.account);
    return a?.ouName ? `${a.ouName} (${a.ouId})` : (a?.ouId ?? 'unknown OU');
  };
  return [
    'by account:',
    ...group((o) => o.account).map(([id, list]) => line(accountLabel(accounts.get(id), id), list)),
    'by OU:',
    ...group(ouOf).map(([ou, list]) => line(ou, list)),
    'by region:',
    ...group((o) => o.region).map(([r, list]) => line(r, list)),
  ];
}

/** The partial-sweep banner: every pair that is not complete, with its reason. */
export function bannerLines(outcomes: readonly PairOutcome[]): string[] {
  const bad = outcomes.filter((o) => o.status !== 'complete');
  if (!bad.length) return [];
  return [
    `guardrail scan: partial organization sweep: ${bad.length} of ${outcomes.length} (account, region) pair(s) not complete; nothing was resolved there:`,
    ...bad.map(
      (o) =>
        `guardrail scan:   ${escapeTerminal(`${o.account} ${o.region} ${o.status}: ${o.reason ?? 'unknown'}`)}`,
    ),
  ];
}

function resolvedOf(outcomes: readonly PairOutcome[]): ReportResolved[] {
  return outcomes.flatMap((o) =>
    (o.scan?.reconcile.resolved ?? []).map(({ kind, record }) => ({
      ruleId: record.finding.ruleId,
      severity: record.finding.severity,
      resourceArn: record.finding.resource.arn,
      ...(record.finding.resource.name ? { resourceName: record.finding.resource.name } : {}),
      kind,
      resolvedAt: record.resolvedAt ?? o.scan!.sweep.finishedAt,
    })),
  );
}

export async function runOrgScan(args: OrgScanArgs, state: ScanState, io: Io): Promise<number> {
  const config = sweepClientConfig({ region: args.region });
  const credentials = new CrossAccountCredentials({
    sts: new STSClient(config),
    roleName: args.roleName,
    roleKey: '--role-name',
    sessionName: SWEEP_SESSION_NAME,
    ...(args.externalId ? { externalId: args.externalId } : {}),
  });
  try {
    await credentials.homeAccount();
  } catch (err) {
    const c = classifyError((err as { cause?: unknown }).cause ?? err);
    io.stderr(`guardrail scan: cannot determine the AWS account (${c.code}); check your credentials\n`);
    return 3;
  }

  let plan: SweepPlan;
  try {
    plan = await planOrganization({
      organizations: new OrganizationsClient(config),
      ec2: new EC2Client(config),
      regions: args.regions,
      ...(args.accounts ? { accounts: args.accounts } : {}),
      allowAccounts: args.policy.scope?.allowAccounts ?? [],
      withOus: true,
    });
  } catch (err) {
    const c = classifyError(err);
    io.stderr(
      `guardrail scan: cannot list the organization's accounts and regions (${c.code}: ${escapeTerminal(c.message)}); run it with credentials of the management account or a delegated administrator\n`,
    );
    return 3;
  }
  for (const s of plan.skipped)
    io.stderr(`guardrail scan: skipped account ${escapeTerminal(`${s.account}: ${s.reason}`)}\n`);
  if (!plan.pairs.length) {
    io.stderr('guardrail scan: nothing to sweep: no account of the organization is left in the plan\n');
    return 3;
  }
  io.stderr(
    `guardrail scan: sweeping ${plural(plan.accounts.length, 'account')} x ${plural(plan.regions.length, 'region')} = ${plural(plan.pairs.length, 'pair')}, ${args.concurrency} at a time (role ${escapeTerminal(args.roleName)})\n`,
  );

  const outcomes = await sweepOrganization(plan.pairs, {
    pool: new SweepClientPool({ credentials }),
    roleName: args.roleName,
    policy: args.policy,
    store: state.store,
    cache: state.cache,
    pairConcurrency: args.concurrency,
    onWarning: (m) => io.stderr(`guardrail scan: warning: ${escapeTerminal(m)}\n`),
    onPairDone: (o, done, total) =>
      io.stderr(
        `guardrail scan: [${done}/${total}] ${escapeTerminal(`${o.account} ${o.region}`)}: ${o.status}, ${plural(o.findings, 'finding')}, ${plural(o.calls, 'AWS call')}${o.scan ? `, ${o.scan.sweep.taskDefinitions.described} task definition(s) described, ${o.scan.sweep.taskDefinitions.fromCache} from cache` : ''}\n`,
      ),
  });

  const accounts = new Map(plan.accounts.map((a) => [a.id, a]));
  const all = sortFindings(outcomes.flatMap((o) => [...(o.scan?.evaluation.findings ?? [])]));
  const suppressed = outcomes.reduce((n, o) => n + (o.scan?.evaluation.suppressed.length ?? 0), 0);
  const resolved = resolvedOf(outcomes);
  const totals = [
    `${plural(all.length, 'finding')} in ${plural(plan.accounts.length, 'account')} and ${plural(plan.regions.length, 'region')}: ${severityLine(all)}`,
    ...(suppressed ? [`${plural(suppressed, 'finding')} suppressed by exemptions`] : []),
    ...(args.state ? [`state ${args.state}: ${resolved.length} resolved since the previous scan`] : []),
    ...rollupLines(plan, outcomes),
  ].join('\n');

  if (args.format !== 'table' || args.framework) {
    // Machine formats and the by-requirement view: the same output path as a single-account scan.
    // SARIF also lists the exempted findings, as suppressed results.
    const listed =
      args.format === 'sarif'
        ? sortFindings([...all, ...outcomes.flatMap((o) => [...(o.scan?.evaluation.suppressed ?? [])])])
        : all;
    printFindings(
      listed,
      { format: args.format, ...(args.framework ? { framework: args.framework } : {}) },
      io,
      () => totals,
      // A pair that failed or was partial is an unsuccessful execution, each named as a notification.
      {
        executionSuccessful: outcomes.every((o) => o.status === 'complete'),
        notices: outcomes
          .filter((o) => o.status !== 'complete')
          .map((o) => ({
            level: 'error' as const,
            input: `${o.account} ${o.region}`,
            message: `${o.status}: ${o.reason ?? 'unknown'}`,
          })),
      },
    );
  } else {
    for (const o of outcomes) {
      const findings = sortFindings([...(o.scan?.evaluation.findings ?? [])]);
      io.stdout(
        `== ${escapeTerminal(`${accountLabel(accounts.get(o.account), o.account)} ${o.region}`)}: ${o.status}, ${plural(findings.length, 'finding')}\n`,
      );
      if (findings.length)
        io.stdout(
          `${formatTable(findings, { color: io.stdoutIsTty, width: io.columns, terminal: io.stdoutIsTty })}\n`,
        );
      io.stdout('\n');
    }
    for (const r of [...resolved].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]))
      io.stdout(
        `resolved ${r.severity.toUpperCase().padEnd(8)} ${r.ruleId.padEnd(36)} ${escapeTerminal(r.resourceName ?? r.resourceArn)} (${r.kind})\n`,
      );
    io.stdout(`${totals}\n`);
  }
  for (const l of bannerLines(outcomes)) io.stderr(`${l}\n`);

  if (args.state) saveStateFile(args.state, state.store, new Date(), state.cache);
  if (args.html) {
    const firstSeen = new Map<string, string>();
    for (const f of all) {
      const r = await state.store.get(f.findingId);
      if (r) firstSeen.set(f.findingId, r.firstSeen);
    }
    writeFileSync(
      args.html,
      renderHtmlReport({
        title: 'ECS compliance report: organization',
        findings: all,
        generatedAt: new Date().toISOString(),
        sweeps: outcomes.flatMap((o) => (o.scan ? [o.scan.sweep] : [])),
        resolved,
        firstSeen,
        suppressedCount: suppressed,
        organization: {
          accounts: plan.accounts,
          pairs: outcomes.map((o) => ({
            account: o.account,
            region: o.region,
            status: o.status,
            findings: o.findings,
            ...(o.reason ? { reason: o.reason } : {}),
          })),
          skipped: plan.skipped,
        },
      }),
    );
    (args.format === 'table' ? io.stdout : io.stderr)(`report written to ${args.html}\n`);
  }

  if (outcomes.some((o) => o.status !== 'complete')) return 2;
  if (args.failOn) {
    const min = SEVERITY_RANK[args.failOn];
    if (all.some((f) => f.mode !== 'off' && SEVERITY_RANK[f.severity] >= min)) return 1;
  }
  return 0;
}
