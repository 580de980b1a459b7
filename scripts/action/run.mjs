// The GitHub Action's step (action.yml, docs/ci.md): `guardrail evaluate --format sarif` over the `paths`
// input, the SARIF log written to a file for github/codeql-action/upload-sarif, one annotation per finding
// (visible on the pull request even without code scanning), a step summary, the step outputs, and the
// guardrail's own exit code (0 ok, 1 a finding at or above `fail-on`, 2 invalid input or failed enrichment,
// 3 usage). Runs the same way locally (test/unit/scripts/action.test.ts):
//
//   INPUT_PATHS=events GUARDRAIL_CLI=dist/guardrail.cjs INPUT_FAIL_ON=high node scripts/action/run.mjs
//
// Inputs come only from the environment (INPUT_*), never spliced into a shell: a path or policy name with
// shell syntax stays a file name. Text from the findings is escaped for workflow commands (`%`, CR, LF, and
// `:` `,` in properties), so an evidence message cannot end an annotation and start a command of its own.
import { closeSync, existsSync, openSync, readFileSync, appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const ANNOTATION_LIMIT = 100;

const env = (name, fallback = '') => (process.env[name] ?? fallback).trim();

/** @actions/core's escaping of a workflow command's message and of its properties. */
const escapeData = (s) => String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function command(name, props, message) {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  process.stdout.write(`::${name}${p ? ` ${p}` : ''}::${escapeData(message)}\n`);
}

function fail(message, code = 3) {
  command('error', { title: 'ECS Guardrail' }, message);
  setOutputs({ 'sarif-file': '', 'exit-code': String(code), findings: '0' });
  process.exit(code);
}

function setOutputs(outputs) {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  // Every value is a number or a path checked to have no line break: one `name=value` line each.
  appendFileSync(
    file,
    Object.entries(outputs)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}

// ------------------------------------------------------------------ inputs

const paths = env('INPUT_PATHS')
  .split(/\r?\n/)
  .map((p) => p.trim())
  .filter(Boolean);
if (paths.length === 0) fail('input "paths" is empty: give one file or directory per line');
if (paths.includes('-')) fail('input "paths": - (stdin) is not an input of the Action: name files');
for (const p of paths)
  if (!existsSync(p))
    fail(`input "paths": ${JSON.stringify(p)} does not exist (one file or directory per line)`);

const policy = env('INPUT_POLICY');
if (policy && !existsSync(policy)) fail(`input "policy": ${JSON.stringify(policy)} does not exist`);

const failOn = env('INPUT_FAIL_ON', 'high').toLowerCase();
if (failOn !== 'none' && !SEVERITIES.includes(failOn))
  fail(`input "fail-on" must be one of ${SEVERITIES.join(', ')} or none`);

const sarifFile = env('INPUT_SARIF_FILE', 'guardrail.sarif') || 'guardrail.sarif';
if (/[\r\n]/.test(sarifFile)) fail('input "sarif-file" must be one line');

const cli = env('GUARDRAIL_CLI', 'guardrail') || 'guardrail';

// ------------------------------------------------------------------ run

const args = [
  'evaluate',
  '--format',
  'sarif',
  ...(policy ? ['--policy', policy] : []),
  ...(failOn !== 'none' ? ['--fail-on', failOn] : []),
  '--',
  ...paths,
];
const out = openSync(sarifFile, 'w');
// The log goes straight to the file (no buffer limit); the guardrail's notes go to the job log.
const run = /\.(c|m)?js$/.test(cli)
  ? spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', out, 'inherit'] })
  : spawnSync(cli, args, { stdio: ['ignore', out, 'inherit'] });
closeSync(out);
if (run.error) fail(`cannot run ${JSON.stringify(cli)}: ${run.error.code ?? run.error.message}`, 3);
const code = run.status ?? 70;

let log;
try {
  log = JSON.parse(readFileSync(sarifFile, 'utf8'));
} catch {
  // A usage error (3) or a crash writes no log: nothing to upload.
  fail(
    `guardrail evaluate exited ${code} without a SARIF log (see the messages above)`,
    code === 0 ? 70 : code,
  );
}

// ------------------------------------------------------------------ annotations, summary, outputs

const results = log.runs?.[0]?.results ?? [];
const open = results.filter((r) => !r.suppressions?.length);
const LEVEL = { error: 'error', warning: 'warning', note: 'notice' };
for (const r of open.slice(0, ANNOTATION_LIMIT)) {
  const physical = r.locations?.[0]?.physicalLocation;
  const uri = physical?.artifactLocation?.uriBaseId ? physical.artifactLocation.uri : undefined;
  command(
    LEVEL[r.level] ?? 'warning',
    {
      file: uri ? decodeURIComponent(uri) : undefined,
      line: physical?.region?.startLine,
      title: `ECS Guardrail ${r.ruleId}`,
    },
    // SARIF plain text escapes brackets against embedded links; an annotation is plain text: unescape.
    (r.message?.text ?? r.ruleId).replace(/\\([[\]\\])/g, '$1'),
  );
}
// Code scanning refuses a whole log when a result has no file of the repository: say which inputs cause it.
const outside = results.filter(
  (r) => !r.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId,
).length;
if (outside)
  command(
    'warning',
    { title: 'ECS Guardrail' },
    `${outside} finding(s) point at no file of the repository (inputs outside the working directory): code scanning may refuse the upload; keep generated inputs such as plan.json in the workspace`,
  );
if (open.length > ANNOTATION_LIMIT)
  command(
    'notice',
    { title: 'ECS Guardrail' },
    `${open.length - ANNOTATION_LIMIT} more finding(s) in ${sarifFile}`,
  );

const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
for (const r of open) {
  const s = r.properties?.severity;
  if (s in bySeverity) bySeverity[s]++;
}
const summaryFile = process.env.GITHUB_STEP_SUMMARY;
if (summaryFile) {
  const rules = [...new Set(open.map((r) => r.ruleId))].sort();
  appendFileSync(
    summaryFile,
    [
      '### ECS Guardrail',
      '',
      `${open.length} finding(s)${results.length > open.length ? `, ${results.length - open.length} exempted` : ''}; exit code ${code}${failOn !== 'none' ? ` (fail-on ${failOn})` : ''}.`,
      '',
      '| Severity | Findings |',
      '| --- | --- |',
      ...SEVERITIES.map((s) => `| ${s} | ${bySeverity[s]} |`),
      '',
      // Rule ids are the registry's ([a-z0-9-]); anything else is dropped rather than rendered.
      ...(rules.length
        ? [
            `Rules: ${rules
              .filter((id) => /^[a-z0-9-]+$/.test(id))
              .map((id) => `\`${id}\``)
              .join(', ')}`,
            '',
          ]
        : []),
    ].join('\n') + '\n',
  );
}
setOutputs({ 'sarif-file': sarifFile, 'exit-code': String(code), findings: String(open.length) });
process.exit(code);
