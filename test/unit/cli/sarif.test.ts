/**
 * `--format sarif`: every log the CLI writes over the samples (events/, the fixture corpus, and the
 * infrastructure-as-code fixtures when present) validates against the official SARIF 2.1.0 JSON Schema vendored
 * in test/fixtures/sarif/ (its README names the source); the validator is shown to reject what the schema
 * forbids, so a pass means something. Then the promises: one descriptor per rule, file and line for IaC
 * findings, the event file for event findings, suppressions for exemptions, and text built to break JSON, a
 * terminal or a SARIF viewer's links arrives inert.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { artifactLocation, FINGERPRINT_KEY, SARIF_LEVEL, sarifText, toSarif } from '../../../cli/sarif';
import { inputFileOf } from '../../../cli/input-label';
import { RULES } from '../../../shared/rules/registry';
import { corpusFiles } from '../../golden/corpus';
import { REPO_ROOT, fixturePath, FORMATS_DIR } from '../../helpers/fixtures';
import { finding } from '../notify/fixtures';
import { fixture, okContainer, registerTd } from '../engine/builders';
import { run } from './memory-io';
import { parseEvent } from '../../../shared/events/parse';
import { normalize } from '../../../shared/events/normalize';
import { evaluateNormalized } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { sarifProblems } from '../../helpers/sarif-schema';

const problems = sarifProblems;

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation?: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number };
    };
    logicalLocations: { fullyQualifiedName: string; name?: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; justification: string }[];
  properties: Record<string, unknown>;
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: { rules: { id: string; help: { markdown: string }; properties: Record<string, unknown> }[] };
    };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications?: { level: string; message: { text: string } }[];
    }[];
    results: SarifResult[];
  }[];
}

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-sarif-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const tmpFile = (name: string, content: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

async function sarifOf(
  args: string[],
  stdin?: string,
): Promise<{ code: number; log: SarifLog; stderr: string }> {
  const r = await run(['evaluate', '--format', 'sarif', ...args], stdin === undefined ? {} : { stdin });
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trimEnd().includes('\n')).toBe(false);
  return { code: r.code, log: JSON.parse(r.stdout) as SarifLog, stderr: r.stderr };
}

const IAC_FIXTURES = join(REPO_ROOT, 'test/fixtures/iac');
/** The other input forms (bare CloudTrail records, lookup-events output, task definition JSON, ...). */
const INPUT_FIXTURES = join(REPO_ROOT, 'test/fixtures/inputs');

describe('the SARIF log validates against the SARIF 2.1.0 schema', () => {
  it('the validator rejects what the schema forbids (wrong version, unknown level, a result without message)', () => {
    const ok = toSarif([finding()], { toolVersion: '1.0.0', baseDir: REPO_ROOT });
    expect(problems(ok)).toEqual([]);
    expect(problems({ ...ok, version: '2.0.0' })).not.toEqual([]);
    const bad = structuredClone(ok) as unknown as SarifLog;
    bad.runs[0]!.results[0]!.level = 'critical';
    expect(problems(bad)).not.toEqual([]);
    const noMessage = structuredClone(ok) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete noMessage.runs[0]!.results[0]!.message;
    expect(problems(noMessage)).not.toEqual([]);
  });

  it('over every sample of events/ and the fixture corpus, one file at a time and all together', async () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(30);
    let results = 0;
    for (const file of files) {
      const { log } = await sarifOf([file]);
      expect(problems(log), file).toEqual([]);
      results += log.runs[0]!.results.length;
    }
    expect(results).toBeGreaterThan(20);
    const all = await sarifOf([join(REPO_ROOT, 'events'), ...files]);
    expect(problems(all.log)).toEqual([]);
  });

  it('a Terraform plan: results at the line of the property, values unknown before deploy as a warning notification', async () => {
    const plan = join(IAC_FIXTURES, 'terraform', 'ecs-plan.json');
    const { log } = await sarifOf([plan]);
    expect(problems(log)).toEqual([]);
    const priv = log.runs[0]!.results.find((r) => r.ruleId === 'td-privileged')!;
    expect(priv.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/iac/terraform/ecs-plan.json', uriBaseId: '%SRCROOT%' },
      region: { startLine: expect.any(Number) },
    });
    expect(priv.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toMatch(/^aws_ecs_task_definition\./);
    const notes = log.runs[0]!.invocations[0]!.toolExecutionNotifications ?? [];
    expect(notes).toContainEqual({
      level: 'warning',
      message: {
        text: expect.stringMatching(/unknown before deploy, not checked: .*known only after apply/),
      },
    });
  });

  it.runIf(existsSync(INPUT_FIXTURES))('over the fixtures of every other input form', async () => {
    const { log } = await sarifOf([INPUT_FIXTURES]);
    expect(problems(log)).toEqual([]);
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it.runIf(existsSync(IAC_FIXTURES))(
    'over the infrastructure-as-code fixtures (file and line per result)',
    async () => {
      const { log } = await sarifOf([IAC_FIXTURES]);
      expect(problems(log)).toEqual([]);
      const located = log.runs[0]!.results.filter((r) => r.locations[0]?.physicalLocation?.region);
      expect(located.length).toBeGreaterThan(0);
    },
  );
});

describe('rule descriptors', () => {
  const log = toSarif([], { toolVersion: '1.2.3', baseDir: REPO_ROOT }) as unknown as SarifLog;
  const rules = log.runs[0]!.tool.driver.rules;

  it('one per rule of the registry, in its order, with help text, Markdown and the Security Hub control', () => {
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const priv = rules.find((r) => r.id === 'td-privileged')!;
    expect(priv.help.markdown).toContain('**How to fix**');
    expect(priv.help.markdown).toContain('| AWS Security Hub | ECS.4 |');
    expect(priv.properties['securityHubControls']).toEqual(['ECS.4']);
    expect(priv.properties['security-severity']).toBe('9.5');
    expect(priv.properties['frameworks']).toMatchObject({
      'nist-800-53-r5': expect.arrayContaining(['AC-6']),
    });
  });

  it('security-severity follows the severity in the bands GitHub reads (none for info)', () => {
    for (const r of RULES) {
      const d = rules.find((x) => x.id === r.id)!;
      const score = d.properties['security-severity'] as string | undefined;
      if (r.severity === 'info') expect(score).toBeUndefined();
      else {
        const n = Number(score);
        const band = n >= 9 ? 'critical' : n >= 7 ? 'high' : n >= 4 ? 'medium' : 'low';
        expect(band, r.id).toBe(r.severity);
      }
    }
  });
});

describe('results', () => {
  it('an event finding: level from severity, the ARN as logical location, the event file relative to the working directory, the finding id as fingerprint', async () => {
    const file = fixturePath('cloudtrail-register-task-definition-privileged.json');
    const { code, log } = await sarifOf([file]);
    expect(code).toBe(0);
    const priv = log.runs[0]!.results.find((r) => r.ruleId === 'td-privileged')!;
    expect(priv.level).toBe('error');
    expect(priv.ruleIndex).toBe(RULES.findIndex((r) => r.id === 'td-privileged'));
    expect(priv.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toMatch(
      /^arn:aws:ecs:.*:task-definition\/node-exporter:7$/,
    );
    expect(priv.locations[0]!.physicalLocation!.artifactLocation).toEqual({
      uri: relative(process.cwd(), file).split('\\').join('/'),
      uriBaseId: '%SRCROOT%',
    });
    expect(priv.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('an event from a JSON Lines file points at its line; one from stdin has no file', async () => {
    const jsonl = await sarifOf([join(FORMATS_DIR, 'events.jsonl')]);
    const lines = jsonl.log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation?.region?.startLine);
    expect(lines.every((l) => typeof l === 'number' && l >= 1)).toBe(true);
    const stdin = await sarifOf(
      ['-'],
      readFileSync(fixturePath('cloudtrail-register-task-definition-privileged.json'), 'utf8'),
    );
    expect(stdin.log.runs[0]!.results.length).toBeGreaterThan(0);
    expect(stdin.log.runs[0]!.results.every((r) => r.locations[0]!.physicalLocation === undefined)).toBe(
      true,
    );
    expect(problems(stdin.log)).toEqual([]);
  });

  it('an infrastructure-as-code finding: the file (relative, URI-encoded) and line, the address as logical location', () => {
    const f = finding({
      ruleId: 'td-privileged',
      severity: 'critical',
      resource: { type: 'AWS::ECS::TaskDefinition', arn: 'infra/my stack.yaml#TaskDef' },
      account: '',
      region: '',
      location: { file: 'infra/my stack.yaml', address: 'TaskDef', line: 42 },
    });
    const log = toSarif([f], { toolVersion: '1.0.0', baseDir: REPO_ROOT }) as unknown as SarifLog;
    expect(problems(log)).toEqual([]);
    const loc = log.runs[0]!.results[0]!.locations[0]!;
    expect(loc.physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/my%20stack.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 42 },
    });
    expect(loc.logicalLocations).toEqual([{ fullyQualifiedName: 'TaskDef', kind: 'resource' }]);
    // No line known: no region (a startLine of 0 would be invalid SARIF).
    const noLine = toSarif([{ ...f, location: { file: 'a.json', address: 'X', line: 0 } }], {
      toolVersion: '1',
      baseDir: REPO_ROOT,
    }) as unknown as SarifLog;
    expect(noLine.runs[0]!.results[0]!.locations[0]!.physicalLocation!.region).toBeUndefined();
    expect(problems(noLine)).toEqual([]);
  });

  it('findings the engine locates from a resource origin (the IaC contract) point at the property line', async () => {
    // The privileged task definition of the corpus as a template resource would carry it: file, address, lines.
    const n = normalize(parseEvent(fixture('cloudtrail-register-task-definition-privileged.json')));
    const located = {
      ...n,
      resources: n.resources.map((r) => ({
        ...r,
        arn: 'infra/stack.yaml#TaskDef',
        account: '',
        region: '',
        origin: {
          file: 'infra/stack.yaml',
          address: 'TaskDef',
          line: 5,
          lines: { 'containerDefinitions[0].privileged': 21, networkMode: 9 },
        },
      })),
    };
    const result = await evaluateNormalized(located, {
      policy: DEFAULT_POLICY,
      counter: new MemoryWindowCounter(),
    });
    const log = toSarif(result.findings, { toolVersion: '1', baseDir: REPO_ROOT }) as unknown as SarifLog;
    expect(problems(log)).toEqual([]);
    const byRule = new Map(log.runs[0]!.results.map((r) => [r.ruleId, r.locations[0]!]));
    expect(byRule.get('td-privileged')!.physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/stack.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 21 },
    });
    expect(byRule.get('td-host-network')!.physicalLocation!.region).toEqual({ startLine: 9 });
    // A property without its own line: the resource's line.
    expect(byRule.get('td-no-task-role')!.physicalLocation!.region).toEqual({ startLine: 5 });
    expect(byRule.get('td-privileged')!.logicalLocations).toEqual([
      { fullyQualifiedName: 'TaskDef', kind: 'resource' },
    ]);
  });

  it('a file outside the working directory is an absolute file URI, not a ../ path', () => {
    expect(artifactLocation('/elsewhere/t.json', '/repo')).toEqual({ uri: 'file:///elsewhere/t.json' });
    expect(artifactLocation('../t.json', '/repo/sub')).toEqual({ uri: 'file:///repo/t.json' });
    expect(artifactLocation('a/#b?.json', '/repo')).toEqual({
      uri: 'a/%23b%3F.json',
      uriBaseId: '%SRCROOT%',
    });
  });

  it('a finding of a rule the registry does not know keeps its ruleId, without ruleIndex, and validates', () => {
    const log = toSarif([finding({ ruleId: 'retired-rule' })], {
      toolVersion: '1',
      baseDir: REPO_ROOT,
    }) as unknown as SarifLog;
    expect(log.runs[0]!.results[0]!.ruleIndex).toBeUndefined();
    expect(problems(log)).toEqual([]);
  });

  it('every severity maps to a SARIF level', () => {
    expect(SARIF_LEVEL).toEqual({
      critical: 'error',
      high: 'error',
      medium: 'warning',
      low: 'note',
      info: 'note',
    });
  });
});

describe('exemptions', () => {
  const PRIVILEGED = fixturePath('cloudtrail-register-task-definition-privileged.json');

  it('an exempted finding is a suppressed result (without --include-exempt too); --fail-on ignores it', async () => {
    const policy = tmpFile(
      'exempt.yml',
      'exemptions:\n  - { rule: td-privileged, arn: "*:task-definition/node-exporter:*", reason: "SEC-1 [x](http://evil)" }\n',
    );
    const { code, log } = await sarifOf(['--policy', policy, '--fail-on', 'critical', PRIVILEGED]);
    const priv = log.runs[0]!.results.find((r) => r.ruleId === 'td-privileged')!;
    expect(priv.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'exempted by the policy: SEC-1 \\[x\\](http://evil)',
      },
    ]);
    expect(log.runs[0]!.results.filter((r) => r.suppressions).length).toBe(1);
    expect(problems(log)).toEqual([]);
    // td-privileged was the only critical finding: exempted, it no longer fails the run.
    expect(code).toBe(0);
  });

  it('an expired exemption is no suppression; the result says it expired', async () => {
    const policy = tmpFile(
      'expired.yml',
      'exemptions:\n  - { rule: td-privileged, arn: "*", until: 2020-01-01, reason: old }\n',
    );
    const { code, log } = await sarifOf(['--policy', policy, '--fail-on', 'critical', PRIVILEGED]);
    const priv = log.runs[0]!.results.find((r) => r.ruleId === 'td-privileged')!;
    expect(priv.suppressions).toBeUndefined();
    expect(priv.properties['exemption']).toEqual({
      expired: true,
      until: expect.stringMatching(/^2020-01-01/),
    });
    expect(code).toBe(1);
  });
});

describe('hostile text', () => {
  const HOSTILE =
    'x](https://evil.example/) [y](0) \x1b[2J\x1b]8;;https://evil\x07\r\u202eexe.txt "},{"level":"none';

  it('a container name built to forge a link, move the cursor, reorder text and close the JSON arrives inert', async () => {
    const event = registerTd({
      family: 'hostile',
      containers: [okContainer(HOSTILE, { privileged: true })],
    });
    const r = await run(['evaluate', '--format', 'sarif', '-'], { stdin: JSON.stringify(event) });
    expect(r.code).toBe(0);
    // No raw control or direction character anywhere in stdout: JSON escapes C0, the CLI the rest.
    // eslint-disable-next-line no-control-regex -- the point
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const log = JSON.parse(r.stdout) as SarifLog;
    expect(problems(log)).toEqual([]);
    const priv = log.runs[0]!.results.find((x) => x.ruleId === 'td-privileged')!;
    const text = priv.message.text;
    // Every bracket is escaped: no embedded link survives; the controls are visible escapes.
    expect(text).not.toMatch(/(^|[^\\])[[\]]/);
    expect(text).toContain('x\\](https://evil.example/) \\[y\\](0)');
    expect(text).toContain('\\x1b\\[2J');
    expect(text).toContain('\\u202e');
    expect(text).not.toContain('\x1b');
    // The result did not split: one td-privileged result, level error.
    expect(log.runs[0]!.results.filter((x) => x.ruleId === 'td-privileged')).toHaveLength(1);
    expect(priv.level).toBe('error');
  });

  it('sarifText escapes the backslash too, so an escape in the input cannot unescape a bracket', () => {
    expect(sarifText('a\\[b](c)')).toBe('a\\\\\\[b\\](c)');
  });

  it('an invalid input is an error notification (path, never value) and an unsuccessful execution, exit 2', async () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const good = JSON.stringify(fixture('cloudtrail-register-task-definition-privileged.json'));
    const { code, log, stderr } = await sarifOf(
      ['-'],
      `${good}\n{"detail-type": 7, "detail": {"x": "${secret}"}, "source": [}\n`,
    );
    expect(code).toBe(2);
    expect(problems(log)).toEqual([]);
    const inv = log.runs[0]!.invocations[0]!;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications?.map((n) => n.level)).toEqual(['error']);
    expect(inv.toolExecutionNotifications![0]!.message.text).toMatch(/^stdin/);
    expect(JSON.stringify(log)).not.toContain(secret);
    expect(stderr).not.toContain(secret);
    // The valid event is still evaluated.
    expect(log.runs[0]!.results.some((r) => r.ruleId === 'td-privileged')).toBe(true);
  });

  it('--framework with sarif is a usage error (3): the rules carry their requirements', async () => {
    const r = await run(['evaluate', '--format', 'sarif', '--framework', 'nist-800-53-r5', '-']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('SARIF rules carry their requirements');
  });
});

describe('inputFileOf (the event file of a label)', () => {
  const file = join(FORMATS_DIR, 'events.jsonl');
  it('reads file, file:LINE, file[i], file:Records[i], file:LINE[i]; nothing for stdin or a missing file', () => {
    expect(inputFileOf(file)).toEqual({ file });
    expect(inputFileOf(`${file}:12`)).toEqual({ file, line: 12 });
    expect(inputFileOf(`${file}[3]`)).toEqual({ file });
    expect(inputFileOf(`${file}:Records[0]`)).toEqual({ file });
    expect(inputFileOf(`${file}:7[2]`)).toEqual({ file, line: 7 });
    expect(inputFileOf('stdin')).toBeUndefined();
    expect(inputFileOf('stdin:3')).toBeUndefined();
    expect(inputFileOf(join(tmp, 'missing.json:4'))).toBeUndefined();
  });
});
