/**
 * `guardrail` command line. Exit codes (README, "The CLI"): 0 all inputs evaluated; 1 `--fail-on` matched;
 * 2 an input was not a valid event or was refused (the valid ones are still evaluated), or enrichment
 * failed; 3 the run could not start (usage, a missing PATH, policy, no AWS region for --enrich); 4 a
 * `--notify` delivery failed.
 */
import { lstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FRAMEWORK_IDS, SEVERITIES } from '../shared/model/finding';
import { parseFrameworkId, UnknownFrameworkError } from '../shared/rules/frameworks';
import { PolicyError } from '../shared/policy/errors';
import { DEFAULT_POLICY, loadPolicyFile } from '../shared/policy/load';
import { runEvaluate, type Io } from './evaluate-command';
import { escapeTerminal } from './terminal-text';
import { awsErrorExitCode, awsRegionProblem, describeAwsError, isAwsError } from './aws-setup';
import { EXPLAIN_USAGE } from './explain-command';
import { RULES_USAGE } from './rules-command';
import { parseSeverityOption, SEVERITY_CHOICES } from './severity-option';
import { CliUsageError as UsageError } from './usage-error';
import { VERSION } from './version';

const USAGE = `Usage:
  guardrail --version
  guardrail rules [--format table|json]      (every rule: id, severity, default mode, Security Hub control)
  guardrail explain RULE_ID                  (one rule: what, why, how to fix, controls, frameworks, example)
  guardrail COMMAND --help                   (one command's options)
  guardrail evaluate [--format table|json|ocsf|sarif] [--framework ID] [--html FILE] [--policy FILE] [--enrich [--remediate]] [--notify] [--fail-on SEVERITY] [--include-exempt] PATH...
  guardrail scan [--region R] [--policy FILE] [--format table|json|ocsf|sarif] [--framework ID] [--html FILE] [--state FILE] [--fail-on SEVERITY]
      (sweep an account's ECS estate; guardrail scan --help)
  guardrail scan --org [--role-name NAME] [--regions R1,R2|all] [--accounts ID,ID] [--concurrency N] [...]
      (sweep every account and region of the organization through the member read role)
  guardrail redrive --queue DLQ_URL --to OUTBOX_URL [--max N] [--dry-run]
      (move dead-lettered notifications back to the outbox; guardrail redrive --help)
  guardrail backfill --bucket B --prefix P --from DATE --to DATE --state-machine ARN [--follow]
      (evaluate an organization trail's CloudTrail logs on Step Functions; guardrail backfill --help)
  guardrail backfill --local PATH...   (local files, as guardrail evaluate)
  guardrail running --image REPO[:TAG|@DIGEST] [--table NAME] [--region R] [--format table|json]
      (the running tasks that use an image; guardrail running --help)
  guardrail exemptions list --table TABLE [--policy FILE] [--format table|json]
      (the exemptions in force, those made from Slack included; guardrail exemptions --help)

PATH: an event file, a JSON array of events, JSON Lines, concatenated JSON documents, a CloudTrail log
file ({"Records": [...]}, optionally .json.gz), a directory (recursive, symbolic links followed) or - for
stdin. Read as streams; at most 1 MiB per event and 256 MiB inflated per gzip input; only regular files
(FIFOs and devices are refused).
  --format table|json|ocsf|sarif
                        table (default), JSON Lines (one finding per line), OCSF Compliance Finding
                        JSON Lines, or one SARIF 2.1.0 log for code scanning (docs/output-formats.md)
  --framework ID        group the findings by the requirements of a framework (${FRAMEWORK_IDS.join('|')}):
                        table or JSON Lines, one object per requirement with its findings' ids
  --html FILE           also write a self-contained HTML report
  --policy FILE         policy YAML (default: every rule in notify mode)
  --enrich              describe what events lack (task definitions, ENI public IPs, services) via AWS APIs
  --remediate           with --enrich: run the policy's remediations now (modes, dryRun, budget; docs/remediation.md)
  --fail-on SEVERITY    exit 1 when a finding of this severity or worse is found (${SEVERITIES.join('|')},
                        any case)
  --include-exempt      also print findings suppressed by an exemption
  --notify              also deliver the findings through the policy's channels (SNS, Slack, Security Hub);
                        exit 4 when a delivery failed (docs/notifications.md)

Every PATH given must exist: a missing one is a usage error (exit 3) before any input is read.
--enrich and --remediate need an AWS region (checked before any input is read) and credentials.

Exit codes: 0 evaluated, 1 --fail-on matched, 2 invalid or refused input(s) or failed enrichment, 3 usage,
missing PATH, policy, or no AWS region, 4 a --notify delivery failed.
`;

/**
 * Whether a PATH names anything at all. A dangling or looping symbolic link exists (it is reported as
 * that input's error, exit 2); so does a file we may not read (EACCES, reported when read).
 */
function pathExists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}

/** The usage printed with a usage error: the command's own when it has one. */
const USAGE_OF: Readonly<Record<string, string>> = { rules: RULES_USAGE, explain: EXPLAIN_USAGE };

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return command ? 0 : 3;
    }
    if (command === '--version' || command === '-V' || command === 'version') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    if (command === 'rules') return (await import('./rules-command')).runRulesCommand(rest, io);
    if (command === 'explain') return (await import('./explain-command')).runExplainCommand(rest, io);
    // Loaded on demand: `evaluate` never pays for the AWS SDK clients the sweep needs.
    if (command === 'scan') return await (await import('./scan-command')).runScanCommand(rest, io);
    if (command === 'redrive') return await (await import('./redrive-command')).runRedriveCommand(rest, io);
    if (command === 'running') return await (await import('./running-command')).runRunningCommand(rest, io);
    if (command === 'exemptions')
      return await (await import('./exemptions-command')).runExemptionsCommand(rest, io);
    if (command === 'backfill') {
      // No state machine: local files (downloaded logs) are evaluated exactly as `evaluate` does.
      if (rest.includes('--local'))
        return await main(['evaluate', ...rest.filter((a) => a !== '--local')], io);
      return await (await import('./backfill-command')).runBackfillCommand(rest, io);
    }
    if (command !== 'evaluate')
      throw new UsageError(`unknown command "${escapeTerminal(command.slice(0, 60))}"`);
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'table' },
        framework: { type: 'string' },
        html: { type: 'string' },
        policy: { type: 'string' },
        enrich: { type: 'boolean', default: false },
        remediate: { type: 'boolean', default: false },
        'fail-on': { type: 'string' },
        'include-exempt': { type: 'boolean', default: false },
        notify: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const format = values.format;
    if (format !== 'table' && format !== 'json' && format !== 'ocsf' && format !== 'sarif')
      throw new UsageError('--format must be table, json, ocsf or sarif');
    const framework = values.framework === undefined ? undefined : parseFrameworkId(values.framework);
    if (framework && (format === 'ocsf' || format === 'sarif'))
      throw new UsageError(
        `--framework groups table or json output (${format === 'ocsf' ? 'OCSF findings' : 'SARIF rules'} carry their requirements)`,
      );
    if (values.html === '') throw new UsageError('--html needs a FILE');
    const failOn = values['fail-on'] === undefined ? undefined : parseSeverityOption(values['fail-on']);
    if (values['fail-on'] !== undefined && !failOn)
      throw new UsageError(`--fail-on must be one of ${SEVERITY_CHOICES} (any case)`);
    if (values.remediate && !values.enrich)
      throw new UsageError('--remediate requires --enrich (remediation reads the current state from AWS)');
    if (positionals.length === 0) throw new UsageError('no PATH given (use - for stdin)');
    if (positionals.filter((p) => p === '-').length > 1)
      throw new UsageError('- (stdin) can be given only once');
    // A mistyped PATH is the command line's fault, not the input's: refuse the run before reading any.
    const missing = positionals.filter((p) => p !== '-' && !pathExists(p));
    if (missing.length)
      throw new UsageError(`no such file or directory: ${missing.map((p) => escapeTerminal(p)).join(', ')}`);
    const policy = values.policy ? loadPolicyFile(values.policy) : DEFAULT_POLICY;
    if (values.enrich) {
      const problem = await awsRegionProblem();
      if (problem) {
        io.stderr(`guardrail: ${values.remediate ? '--remediate' : '--enrich'} cannot start: ${problem}\n`);
        return 3;
      }
    }
    return await runEvaluate(
      {
        paths: positionals,
        format,
        ...(values.html ? { html: values.html } : {}),
        ...(framework ? { framework } : {}),
        policy,
        enrich: values.enrich,
        remediate: values.remediate,
        includeExempt: values['include-exempt'],
        notify: values.notify,
        ...(failOn ? { failOn } : {}),
      },
      io,
    );
  } catch (err) {
    if (err instanceof PolicyError) {
      io.stderr(`guardrail: policy error: ${err.message}\n`);
      return 3;
    }
    if (err instanceof UnknownFrameworkError) {
      io.stderr(`guardrail: ${escapeTerminal(err.message)}\n`);
      return 3;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`guardrail: ${(err as Error).message}\n\n${USAGE_OF[command ?? ''] ?? USAGE}`);
      return 3;
    }
    // An AWS failure that stopped a command: its cause and what to do, never a stack trace.
    if (isAwsError(err)) {
      io.stderr(`guardrail ${escapeTerminal(command ?? '')}: ${describeAwsError(err)}\n`);
      return awsErrorExitCode(err);
    }
    throw err;
  }
}

/* c8 ignore start */
if (require.main === module) {
  // The AWS SDK warns on every run under Node < 22 (its own future support policy); this package supports
  // Node 20 (package.json engines), so the CLI turns the warning off with the SDK's documented switch,
  // unless the user set it. Only the CLI entry: the Lambdas run on their own runtime.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const io: Io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: () => process.stdin,
    stderrIsTty: Boolean(process.stderr.isTTY),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns ?? 140,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`guardrail: internal error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
/* c8 ignore stop */
