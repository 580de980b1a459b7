/** `guardrail evaluate` through `main(argv, io)` with an in-memory Io. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../shared/model/finding';
import { apiThrottle, fixture, okContainer, registerTd } from '../engine/builders';
import { fixturePath, FORMATS_DIR } from '../../helpers/fixtures';
import { engineFindings, engineRules } from './engine-findings';
import { inputErrors, jsonLines, run } from './memory-io';

const ev = fixturePath;
const PRIVILEGED = ev('cloudtrail-register-task-definition-privileged.json');
const SERVICE = ev('cloudtrail-create-service-assign-public-ip.json');
const COMPLIANT = ev('cloudtrail-register-task-definition-compliant-fargate.json');
const ARRAY = join(FORMATS_DIR, 'events-array.json');
const JSONL = join(FORMATS_DIR, 'events.jsonl');
const TRAIL = join(FORMATS_DIR, 'cloudtrail-log.json');

let PRIVILEGED_RULES: string[];
let FORMAT_RULES: string[];
let TRAIL_RULES: string[];
beforeAll(async () => {
  PRIVILEGED_RULES = await engineRules([PRIVILEGED]);
  FORMAT_RULES = await engineRules([JSONL]);
  TRAIL_RULES = await engineRules([TRAIL]);
  // The inputs are chosen to fire several rules each (a vacuous comparison would prove nothing).
  for (const list of [PRIVILEGED_RULES, FORMAT_RULES, TRAIL_RULES]) expect(list.length).toBeGreaterThan(2);
});

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function tmpFile(name: string, content: string | Buffer): string {
  const dir = join(tmp, String(++n));
  mkdirSync(dir);
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
const rulesOf = (stdout: string): string[] =>
  jsonLines(stdout)
    .map((f) => f.ruleId)
    .sort();

describe('input formats', () => {
  it('a single event file', async () => {
    const r = await run(['evaluate', '--format', 'json', PRIVILEGED]);
    expect(r.code).toBe(0);
    expect(rulesOf(r.stdout)).toEqual(PRIVILEGED_RULES);
  });

  it('a JSON array of events', async () => {
    const r = await run(['evaluate', '--format', 'json', ARRAY]);
    expect(r.code).toBe(0);
    expect(rulesOf(r.stdout)).toEqual(FORMAT_RULES);
    expect(r.stderr).toContain('over 3 event(s)');
  });

  it('JSON Lines', async () => {
    const r = await run(['evaluate', '--format', 'json', JSONL]);
    expect(r.code).toBe(0);
    expect(rulesOf(r.stdout)).toEqual(FORMAT_RULES);
  });

  it('a CloudTrail log file: each record is evaluated as the EventBridge event it would have been', async () => {
    const r = await run(['evaluate', '--format', 'json', TRAIL]);
    expect(r.code).toBe(0);
    const findings = jsonLines(r.stdout);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(TRAIL_RULES);
    for (const f of findings) {
      expect(f.event.source).toBe('aws.ecs');
      expect(f.event.detailType).toBe('AWS API Call via CloudTrail');
      expect(f.account).toBe('111122223333');
    }
    const record = (JSON.parse(readFileSync(TRAIL, 'utf8')) as { Records: { eventID: string }[] })
      .Records[0]!;
    expect(findings.find((f) => f.ruleId === 'td-privileged')!.event.id).toBe(record.eventID);
  });

  it('the same CloudTrail log gzipped as .json.gz', async () => {
    const gz = tmpFile(
      '111122223333_CloudTrail_us-west-2_20260302T0800Z_abc.json.gz',
      gzipSync(readFileSync(TRAIL)),
    );
    const r = await run(['evaluate', '--format', 'json', gz]);
    expect(r.code).toBe(0);
    expect(rulesOf(r.stdout)).toEqual(TRAIL_RULES);
  });

  it('a directory, recursively, skipping files that are not events', async () => {
    const root = join(tmp, 'tree');
    mkdirSync(join(root, 'a', 'b', 'c'), { recursive: true });
    copyFileSync(PRIVILEGED, join(root, 'a', 'td.json'));
    copyFileSync(JSONL, join(root, 'a', 'b', 'events.jsonl'));
    writeFileSync(join(root, 'a', 'b', 'c', 'trail.json.gz'), gzipSync(readFileSync(TRAIL)));
    writeFileSync(join(root, 'README.md'), '# not an event\n');
    writeFileSync(join(root, 'a', 'notes.txt'), 'not an event either');
    const r = await run(['evaluate', '--format', 'json', root]);
    expect(r.code).toBe(0);
    // The privileged task definition and the service appear twice in the tree: each finding once.
    expect(rulesOf(r.stdout)).toEqual(await engineRules([root]));
    expect(r.stderr).toContain('over 7 event(s)');
  });

  it('- reads stdin, plain or gzipped', async () => {
    const plain = await run(['evaluate', '--format', 'json', '-'], { stdin: readFileSync(JSONL) });
    expect(plain.code).toBe(0);
    expect(rulesOf(plain.stdout)).toEqual(FORMAT_RULES);
    const gz = await run(['evaluate', '--format', 'json', '-'], { stdin: gzipSync(readFileSync(TRAIL)) });
    expect(gz.code).toBe(0);
    expect(rulesOf(gz.stdout)).toEqual(TRAIL_RULES);
  });

  it('several paths of different formats in one run', async () => {
    const r = await run(['evaluate', '--format', 'json', PRIVILEGED, ARRAY, '-'], {
      stdin: readFileSync(SERVICE),
    });
    expect(r.code).toBe(0);
    expect(rulesOf(r.stdout)).toEqual(await engineRules([PRIVILEGED, ARRAY, '-'], readFileSync(SERVICE)));
  });
});

describe('--format json', () => {
  it('prints JSON Lines only on stdout, each findingId once, the summary on stderr', async () => {
    const r = await run(['evaluate', '--format', 'json', PRIVILEGED, PRIVILEGED, TRAIL, JSONL]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    const findings = lines.map((l) => JSON.parse(l) as { findingId: string });
    const ids = findings.map((f) => f.findingId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe((await engineRules([PRIVILEGED, PRIVILEGED, TRAIL, JSONL])).length);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stderr).toMatch(/^\d+ finding\(s\) from \d+ rule\(s\) over 8 event\(s\): critical 1, /);
  });

  it('prints an aggregated finding once, with its latest count', async () => {
    const events = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify(apiThrottle(`2026-03-02T08:00:${String(i).padStart(2, '0')}Z`)),
    );
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: events.join('\n') });
    const findings = jsonLines(r.stdout);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.ruleId).toBe('throttle-api-calls');
    expect(findings[0]!.aggregate).toMatchObject({ count: 12 });
  });
});

describe('table output', () => {
  it('prints the findings sorted by severity and a summary by severity', async () => {
    const r = await run(['evaluate', PRIVILEGED, SERVICE], { columns: 220 });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^SEVERITY\s+RULE\s+RESOURCE\s+MODE\s+EVIDENCE$/);
    const found = await engineFindings([PRIVILEGED, SERVICE]);
    // Not a terminal: a finding's further evidence is on indented lines below its row.
    const rows = lines
      .slice(1)
      .filter((l) => /^[A-Z]/.test(l))
      .slice(0, found.length);
    const rank = (sev: string) => SEVERITIES.indexOf(sev.toLowerCase() as (typeof SEVERITIES)[number]);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(
      found.map((f) => f.severity.toUpperCase()).sort((a, b) => rank(a) - rank(b)),
    );
    expect(rows[0]).toMatch(
      /^CRITICAL\s+td-privileged\s+node-exporter:7\s+notify\s+container "node-exporter" is privileged$/,
    );
    expect(r.stdout).toMatch(/HIGH\s+svc-public-ip\s+checkout-api\s+notify/);
    // Two containers run as root: both named, nothing cut.
    expect(r.stdout).toMatch(
      /td-root-user\s+node-exporter:7\s+notify\s+container "node-exporter" runs as root \(user "0"\)\n\s+container "sidecar" sets no user/,
    );
    const count = (sev: string) => found.filter((f) => f.severity === sev).length;
    expect(r.stdout).toContain(
      `${found.length} finding(s) from ${new Set(found.map((f) => f.ruleId)).size} rule(s) over 2 event(s): ${SEVERITIES.map((sev) => `${sev} ${count(sev)}`).join(', ')}`,
    );
    expect(r.stdout).not.toContain('\x1b['); // no colour when stdout is not a terminal
    expect(r.stderr).toBe('');
  });

  it('colours severities only on a terminal', async () => {
    const r = await run(['evaluate', PRIVILEGED], { stdoutIsTty: true });
    expect(r.stdout).toContain('\x1b[1;31mCRITICAL');
  });

  it('prints only the summary when nothing is found', async () => {
    const r = await run(['evaluate', COMPLIANT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '0 finding(s) from 0 rule(s) over 1 event(s): critical 0, high 0, medium 0, low 0, info 0\n',
    );
  });

  it('shows the mode and the planned action of remediated rules, and counts exempted findings', async () => {
    const policy = tmpFile(
      'policy.yml',
      [
        'dryRun: true',
        'rules:',
        '  td-privileged: { mode: remediate }',
        '  svc-public-ip: { mode: observe }',
        'exemptions:',
        '  - { rule: td-host-pid, arn: "*:task-definition/node-exporter:*", reason: SEC-1 }',
        '',
      ].join('\n'),
    );
    const r = await run(['evaluate', '--policy', policy, PRIVILEGED, SERVICE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/td-privileged\s+node-exporter:7\s+remediate:planned/);
    expect(r.stdout).toMatch(/svc-public-ip\s+checkout-api\s+observe/);
    expect(r.stdout).not.toContain('td-host-pid');
    // Every finding the engine returns but the exempted one.
    expect(r.stdout).toContain(`${(await engineFindings([PRIVILEGED, SERVICE])).length - 1} finding(s)`);
    expect(r.stdout).toContain('1 exempted');

    const all = await run([
      'evaluate',
      '--format',
      'json',
      '--include-exempt',
      '--policy',
      policy,
      PRIVILEGED,
    ]);
    const pid = jsonLines(all.stdout).find((f) => f.ruleId === 'td-host-pid')!;
    expect(pid.exemption).toEqual({ source: 'policy', expired: false, reason: 'SEC-1' });
    const priv = jsonLines(all.stdout).find((f) => f.ruleId === 'td-privileged')!;
    expect(priv.action?.reason).toMatch(/^dry-run: would /);
  });

  it('a registration truncated beyond repair (no ARN, no family) is incomplete, exit 0', async () => {
    const r = await run(['evaluate', ev('cloudtrail-register-task-definition-truncated-omitted.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/truncated-omitted\.json: incomplete: .*truncated/);
    expect(r.stdout).toContain('1 incomplete');
  });

  it('a truncated registration naming its ARN, without --enrich: "not checked: needs --enrich", counted, exit 0', async () => {
    const raw = fixture('cloudtrail-register-task-definition-truncated-omitted.json');
    (raw.detail as Record<string, unknown>).responseElements = {
      taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/web:3' },
    };
    const r = await run(['evaluate', '-'], { stdin: JSON.stringify(raw) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/not checked: needs --enrich \(.*truncated/);
    expect(r.stdout).toContain('1 not checked (needs --enrich)');
  });

  it('a task state change without --enrich says which checks it skipped, counted, exit 0', async () => {
    const r = await run(['evaluate', ev('ecs-task-state-change-running-awsvpc.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /running-awsvpc\.json: skipped without --enrich: task definition rules \(td-\*\), public IP \(task-public-ip\)/,
    );
    expect(r.stdout).toContain('1 partly checked (checks skipped without --enrich)');
  });

  it('a launch whose response is omitted stays "incomplete" (enrichment cannot tell which tasks started)', async () => {
    const raw = fixture('cloudtrail-run-task-public-ip-with-overrides.json');
    delete (raw.detail as Record<string, unknown>).responseElements;
    const r = await run(['evaluate', '-'], { stdin: JSON.stringify(raw) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/incomplete: responseElements omitted/);
    expect(r.stdout).toContain('1 incomplete');
  });
});

describe('exit codes', () => {
  it('0 when every input was evaluated', async () => {
    expect((await run(['evaluate', PRIVILEGED])).code).toBe(0);
  });

  it('1 when --fail-on matched; 0 when it did not', async () => {
    expect((await run(['evaluate', '--fail-on', 'critical', PRIVILEGED])).code).toBe(1);
    expect((await run(['evaluate', '--fail-on', 'critical', SERVICE])).code).toBe(0);
    expect((await run(['evaluate', '--fail-on', 'high', SERVICE])).code).toBe(1);
    expect((await run(['evaluate', '--fail-on', 'info', COMPLIANT])).code).toBe(0);
    const json = await run(['evaluate', '--format', 'json', '--fail-on', 'high', SERVICE]);
    expect(json.code).toBe(1);
    expect(jsonLines(json.stdout)).toHaveLength(1);
  });

  it('--fail-on ignores exempted findings', async () => {
    const policy = tmpFile('policy.yml', 'exemptions:\n  - { rule: svc-public-ip, arn: "*" }\n');
    expect((await run(['evaluate', '--policy', policy, '--fail-on', 'high', SERVICE])).code).toBe(0);
  });

  it('2 when an input is invalid: the valid ones are still evaluated, one message per bad input', async () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    copyFileSync(PRIVILEGED, join(dir, '1-good.json'));
    writeFileSync(join(dir, '2-not-json.json'), 'this is not JSON\n');
    const good = JSON.stringify(fixture('cloudtrail-create-service-assign-public-ip.json'));
    writeFileSync(join(dir, '3-lines.jsonl'), `${good}\n{"broken": \n${good}\n`);
    const noType = fixture('ecs-deployment-state-change-failed-circuit-breaker.json');
    delete noType['detail-type'];
    writeFileSync(join(dir, '4-no-detail-type.json'), JSON.stringify(noType));
    const wrongType = registerTd({
      containers: [okContainer('a', { privileged: 'yes' as unknown as boolean })],
    });
    writeFileSync(join(dir, '5-wrong-type.json'), JSON.stringify(wrongType, null, 2));
    writeFileSync(join(dir, '6-empty.json'), '  \n');
    writeFileSync(join(dir, '7-truncated.json'), readFileSync(SERVICE, 'utf8').slice(0, 700));

    const r = await run(['evaluate', '--format', 'json', '--fail-on', 'critical', dir]);
    expect(r.code).toBe(2);
    expect(rulesOf(r.stdout)).toEqual(await engineRules([dir]));
    const errors = inputErrors(r.stderr);
    expect(errors).toEqual([
      `guardrail: ${join(dir, '2-not-json.json')}:1: not valid JSON (unexpected character)`,
      `guardrail: ${join(dir, '3-lines.jsonl')}:2: not valid JSON (unexpected end: truncated?)`,
      `guardrail: ${join(dir, '4-no-detail-type.json')}: not an event: no form recognised (expected an EventBridge event, a CloudTrail record or log file, lookup-events output, a task definition, a create-service input, a CloudFormation template or a Terraform plan)`,
      `guardrail: ${join(dir, '5-wrong-type.json')}: invalid event: detail.requestParameters.containerDefinitions.0.privileged: expected boolean, got string`,
      `guardrail: ${join(dir, '6-empty.json')}: empty input`,
      expect.stringMatching(
        new RegExp(
          `^guardrail: ${join(dir, '7-truncated.json')}: not valid JSON \\(.* at line \\d+ column \\d+\\)$`,
        ),
      ),
    ]);
    expect(r.stderr).toContain('6 invalid input(s)');
  });

  // Issue 12: a mistyped PATH is a usage error (3) before any work (test/unit/cli/commands.test.ts).
  it('3 for a path that does not exist, before evaluating the others', async () => {
    const missing = join(tmp, 'no-such-file.json');
    const r = await run(['evaluate', missing, SERVICE]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^guardrail: no such file or directory: ${missing}\n`));
    expect(r.stdout).toBe('');
  });

  it('2 for a truncated gzip stream on stdin (not a crash)', async () => {
    const r = await run(['evaluate', '-'], { stdin: gzipSync(readFileSync(TRAIL)).subarray(0, 60) });
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([expect.stringMatching(/^guardrail: stdin: cannot read/)]);
  });

  it.each([
    [[], 'Usage:'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['evaluate'], 'no PATH given'],
    [['evaluate', '--format', 'xml', 'x.json'], '--format must be table, json, ocsf or sarif'],
    [
      ['evaluate', '--fail-on', 'urgent', 'x.json'],
      '--fail-on must be one of critical, high, medium, low, info',
    ],
    [['evaluate', '--nope', 'x.json'], "Unknown option '--nope'"],
  ])('3 for a usage error: %j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain(message);
  });

  it('3 for a policy error, naming the key', async () => {
    const bad = tmpFile('policy.yml', 'rules:\n  td-privilegd: { mode: off }\n');
    const r = await run(['evaluate', '--policy', bad, PRIVILEGED]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `guardrail: policy error: ${bad}: rules.td-privilegd: unknown rule id (did you mean td-privileged?)\n`,
    );
    const missing = await run(['evaluate', '--policy', join(tmp, 'nope.yml'), PRIVILEGED]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('cannot read policy file (ENOENT)');
  });

  it('0 for --help, with the usage on stdout', async () => {
    for (const argv of [['--help'], ['evaluate', '--help']]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('guardrail evaluate [--format table|json|ocsf|sarif] [--framework ID]');
    }
  });
});

describe('progress', () => {
  const quiet = Array.from({ length: 2600 }, (_, i) =>
    JSON.stringify({ ...fixture('ecs-service-action-steady-state.json'), id: `steady-${i}` }),
  ).join('\n');

  it('shows progress on stderr for a long run when stderr is a terminal, and clears it', async () => {
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: quiet, stderrIsTty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\x1b[2Kevaluated 2,000 events (');
    expect(r.stderr).toContain('\r\x1b[2K0 finding(s)');
    expect(r.stdout).toBe('');
  });

  it('never when stderr is not a terminal', async () => {
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: quiet, stderrIsTty: false });
    expect(r.stderr).not.toContain('evaluated');
    expect(r.stderr).not.toContain('\x1b');
  });

  it('never for a short run', async () => {
    const r = await run(['evaluate', PRIVILEGED], { stderrIsTty: true });
    expect(r.stderr).toBe('');
  });
});
