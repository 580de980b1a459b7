/**
 * The GitHub Action, run locally: its script (scripts/action/run.mjs) as the Action's Evaluate step runs it,
 * against the built CLI and the samples (events/, and the infrastructure-as-code fixtures when present), with
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files. Checks the SARIF log (valid against the SARIF 2.1.0 schema),
 * the exit code per `fail-on`, the annotations, the outputs, and the hostile cases: inputs with shell syntax,
 * a missing path, a bad `fail-on`, evidence built to inject a workflow command. Then action.yml itself:
 * composite, inputs only through the environment, the upload step also after a failing evaluation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../helpers/fixtures';
import { sarifProblems } from '../../helpers/sarif-schema';
import { okContainer, registerTd } from '../engine/builders';

const SCRIPT = join(REPO_ROOT, 'scripts/action/run.mjs');
const CLI = join(REPO_ROOT, 'dist/guardrail.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-action-'));

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  sarif?: { runs: { results: { ruleId: string; suppressions?: unknown[] }[] }[] };
}

let n = 0;
/** The Evaluate step as the runner runs it: the repository as working directory, inputs as INPUT_*. */
function action(inputs: Record<string, string>, cwd = REPO_ROOT): ActionRun {
  const dir = join(tmp, String(++n));
  mkdirSync(dir);
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  const r = spawnSync(process.execPath, [SCRIPT], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      GUARDRAIL_CLI: CLI,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      INPUT_SARIF_FILE: join(dir, 'guardrail.sarif'),
      ...inputs,
    },
  });
  if (r.error) throw r.error;
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const sarifPath = outputs['sarif-file'];
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs,
    summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '',
    ...(sarifPath ? { sarif: JSON.parse(readFileSync(sarifPath, 'utf8')) as ActionRun['sarif'] } : {}),
  };
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: REPO_ROOT, stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scripts/action/run.mjs against the samples', () => {
  it('events/ with fail-on high: a valid SARIF log, annotations with file, outputs, summary, exit 1', () => {
    const r = action({ INPUT_PATHS: 'events/\n', INPUT_FAIL_ON: 'high' });
    expect(r.code).toBe(1);
    expect(sarifProblems(r.sarif)).toEqual([]);
    const results = r.sarif!.runs[0]!.results;
    expect(results.length).toBeGreaterThan(20);
    expect(r.outputs).toEqual({
      'sarif-file': expect.stringMatching(/guardrail\.sarif$/),
      'exit-code': '1',
      findings: String(results.length),
    });
    expect(r.stdout).toMatch(
      /^::error file=events\/cloudtrail-register-task-definition-privileged\.json,title=ECS Guardrail td-privileged::Privileged container/m,
    );
    expect(r.summary).toContain('### ECS Guardrail');
    expect(r.summary).toMatch(/\| critical \| [1-9]\d* \|/);
  });

  it('fail-on none and fail-on CRITICAL (any case) decide the exit code, the log is the same', () => {
    const none = action({ INPUT_PATHS: 'events', INPUT_FAIL_ON: 'none' });
    expect(none.code).toBe(0);
    expect(none.outputs['exit-code']).toBe('0');
    const compliant = action({ INPUT_PATHS: 'events/compliant', INPUT_FAIL_ON: 'CRITICAL' });
    expect(compliant.code).toBe(0);
    expect(sarifProblems(compliant.sarif)).toEqual([]);
    const critical = action({ INPUT_PATHS: 'events', INPUT_FAIL_ON: 'Critical' });
    expect(critical.code).toBe(1);
    expect(critical.sarif!.runs[0]!.results.length).toBe(none.sarif!.runs[0]!.results.length);
  });

  it('several paths, one per line (blank lines and spaces around ignored)', () => {
    const r = action({
      INPUT_PATHS: '\n  events/cloudtrail-register-task-definition-privileged.json  \n\nevents/compliant\n',
      INPUT_FAIL_ON: 'none',
    });
    expect(r.code).toBe(0);
    expect(r.sarif!.runs[0]!.results.some((x) => x.ruleId === 'td-privileged')).toBe(true);
  });

  it.runIf(existsSync(join(REPO_ROOT, 'test/fixtures/iac')))(
    'the infrastructure-as-code fixtures: results with file and line annotations',
    () => {
      const r = action({ INPUT_PATHS: 'test/fixtures/iac', INPUT_FAIL_ON: 'none' });
      expect([0, 2]).toContain(r.code);
      expect(sarifProblems(r.sarif)).toEqual([]);
      expect(r.stdout).toMatch(/^::(error|warning|notice) file=test\/fixtures\/iac\/[^,]+,line=\d+,/m);
    },
  );

  it('an exempting policy: the finding is a suppressed result, not an annotation, and does not fail the run', () => {
    const policy = join(tmp, 'policy.yml');
    writeFileSync(policy, 'exemptions:\n  - { rule: td-privileged, arn: "*", reason: SEC-1 }\n');
    const file = 'events/cloudtrail-register-task-definition-privileged.json';
    const r = action({ INPUT_PATHS: file, INPUT_POLICY: policy, INPUT_FAIL_ON: 'critical' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('td-privileged::');
    expect(r.sarif!.runs[0]!.results.filter((x) => x.suppressions).map((x) => x.ruleId)).toEqual([
      'td-privileged',
    ]);
    expect(r.summary).toContain('1 exempted');
  });

  it('an invalid input fails the step (2) but the log is still written, valid, for upload', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"detail-type": 1}');
    const r = action({
      INPUT_PATHS: `events/cloudtrail-execute-command.json\n${bad}`,
      INPUT_FAIL_ON: 'none',
    });
    expect(r.code).toBe(2);
    expect(r.outputs['exit-code']).toBe('2');
    expect(sarifProblems(r.sarif)).toEqual([]);
  });
});

describe('hostile inputs', () => {
  it('a path with shell syntax is a file name, not a command: missing, exit 3, nothing run', () => {
    const marker = join(tmp, 'pwned');
    const r = action({ INPUT_PATHS: `events; touch ${marker}\n$(touch ${marker})`, INPUT_FAIL_ON: 'high' });
    expect(r.code).toBe(3);
    expect(existsSync(marker)).toBe(false);
    expect(r.stdout).toMatch(
      /^::error title=ECS Guardrail::input "paths": "events; touch .*" does not exist/m,
    );
    expect(r.outputs).toEqual({ 'sarif-file': '', 'exit-code': '3', findings: '0' });
  });

  it('a path that looks like an option is passed after --: a missing file, not --notify', () => {
    const r = action({ INPUT_PATHS: '--notify', INPUT_FAIL_ON: 'high' });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('input "paths": "--notify" does not exist');
  });

  it('empty paths, an unknown fail-on, a missing policy, a two-line sarif-file: exit 3 with the input named', () => {
    expect(action({ INPUT_PATHS: ' \n ' }).stdout).toContain('input "paths" is empty');
    const sev = action({ INPUT_PATHS: 'events', INPUT_FAIL_ON: 'severe' });
    expect(sev.code).toBe(3);
    expect(sev.stdout).toContain('input "fail-on" must be one of critical, high, medium, low, info or none');
    const pol = action({ INPUT_PATHS: 'events', INPUT_POLICY: 'nope.yml' });
    expect(pol.code).toBe(3);
    expect(pol.stdout).toContain('input "policy": "nope.yml" does not exist');
    expect(action({ INPUT_PATHS: 'events', INPUT_SARIF_FILE: 'a\nb' }).code).toBe(3);
  });

  it('evidence built to end the annotation and start a workflow command stays inside its annotation', () => {
    const name = 'app%0A::set-env name=X::1\n::add-mask::x\r,title=forged:';
    // In the workspace (the working directory), as in CI: every finding has a file of the repository.
    const workspace = join(tmp, 'workspace');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(
      join(workspace, 'hostile.json'),
      JSON.stringify(registerTd({ family: 'h', containers: [okContainer(name, { privileged: true })] })),
    );
    const r = action({ INPUT_PATHS: 'hostile.json', INPUT_FAIL_ON: 'none' }, workspace);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    // Every line the script printed is one of its own annotations: no line starts a command of the input's.
    expect(
      lines.every((l) =>
        /^::(error|warning|notice) (file=[^,]+,)?(line=\d+,)?title=ECS Guardrail [a-z-]+::/.test(l),
      ),
    ).toBe(true);
    const priv = lines.find((l) => l.includes('td-privileged::'))!;
    expect(priv).toContain('app%250A::set-env name=X::1');
    expect(priv).not.toMatch(/\r/);
  });

  it('stdin is refused; an input outside the workspace is evaluated with a warning that code scanning may refuse it', () => {
    const stdin = action({ INPUT_PATHS: '-' });
    expect(stdin.code).toBe(3);
    expect(stdin.stdout).toContain('- (stdin) is not an input of the Action');
    const outside = join(tmp, 'outside.json');
    writeFileSync(
      outside,
      readFileSync(join(REPO_ROOT, 'events/cloudtrail-register-task-definition-privileged.json')),
    );
    const r = action({ INPUT_PATHS: outside, INPUT_FAIL_ON: 'none' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^::warning title=ECS Guardrail::\d+ finding\(s\) point at no file of the repository/m,
    );
    const inside = action({
      INPUT_PATHS: 'events/cloudtrail-register-task-definition-privileged.json',
      INPUT_FAIL_ON: 'none',
    });
    expect(inside.stdout).not.toContain('point at no file');
  });

  it('a guardrail that cannot start: exit 3, named', () => {
    const r = action({ INPUT_PATHS: 'events', GUARDRAIL_CLI: 'no-such-guardrail-binary' });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('cannot run "no-such-guardrail-binary": ENOENT');
  });
});

describe('action.yml and the example workflow', () => {
  const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { required?: boolean; default?: string }>;
    runs: {
      using: string;
      steps: {
        name?: string;
        id?: string;
        run?: string;
        uses?: string;
        if?: string;
        env?: Record<string, string>;
        with?: Record<string, string>;
      }[];
    };
  };
  const steps = action.runs.steps;

  it('is a composite action with the inputs the docs name', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'paths',
        'policy',
        'fail-on',
        'sarif-file',
        'upload-sarif',
        'category',
        'version',
      ]),
    );
    expect(action.inputs['paths']!.required).toBe(true);
    expect(action.inputs['fail-on']!.default).toBe('high');
  });

  it('no input is spliced into a script: every run block reads them from env', () => {
    for (const s of steps) if (s.run) expect(s.run, s.name).not.toMatch(/\$\{\{/);
    const evaluate = steps.find((s) => s.id === 'evaluate')!;
    expect(evaluate.run).toContain('scripts/action/run.mjs');
    expect(evaluate.env).toMatchObject({
      INPUT_PATHS: '${{ inputs.paths }}',
      INPUT_POLICY: '${{ inputs.policy }}',
      INPUT_FAIL_ON: '${{ inputs.fail-on }}',
    });
  });

  it('uploads the SARIF log with upload-sarif, also after a failing evaluation', () => {
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.if).toContain('!cancelled()');
    expect(upload.with?.['sarif_file']).toBe('${{ steps.evaluate.outputs.sarif-file }}');
  });

  it('the example workflow grants security-events write and uses the Action with paths', () => {
    const wf = parse(readFileSync(join(REPO_ROOT, 'examples/github-workflow.yml'), 'utf8')) as {
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
    };
    expect(wf.permissions['security-events']).toBe('write');
    const step = Object.values(wf.jobs)[0]!.steps.find((s) => s.with?.['paths']);
    expect(step?.uses).toMatch(/ecs-guardrail@/);
  });
});
