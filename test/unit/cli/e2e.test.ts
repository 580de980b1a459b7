/** End to end: the bundled dist/guardrail.cjs as a child process (real stdin, stdout, stderr, exit code). */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, FORMATS_DIR } from '../../helpers/fixtures';
import { SEVERITIES } from '../../../shared/model/finding';
import { engineFindings } from './engine-findings';
import { jsonLines } from './memory-io';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'guardrail.cjs');
const PRIVILEGED = fixturePath('cloudtrail-register-task-definition-privileged.json');
const TRAIL = join(FORMATS_DIR, 'cloudtrail-log.json');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-e2e-'));

function guardrail(args: string[], input?: Buffer | string) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
    // No AWS settings: without --enrich the CLI must not need any.
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dist/guardrail.cjs', () => {
  it('evaluates an event file: JSON Lines on stdout, the summary on stderr, exit 0', async () => {
    const r = guardrail(['evaluate', '--format', 'json', PRIVILEGED]);
    expect(r.code).toBe(0);
    const findings = jsonLines(r.stdout);
    const expected = await engineFindings([PRIVILEGED]);
    expect(expected.length).toBeGreaterThan(2);
    expect(findings.map((f) => f.findingId).sort()).toEqual(expected.map((f) => f.findingId).sort());
    const count = (sev: string) => expected.filter((f) => f.severity === sev).length;
    expect(r.stderr).toBe(
      `${expected.length} finding(s) from ${new Set(expected.map((f) => f.ruleId)).size} rule(s) over 1 event(s): ${SEVERITIES.map((s) => `${s} ${count(s)}`).join(', ')}\n`,
    );
  });

  it('reads a gzipped CloudTrail log from stdin and exits 1 on --fail-on', async () => {
    const r = guardrail(['evaluate', '--fail-on', 'critical', '-'], gzipSync(readFileSync(TRAIL)));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^SEVERITY/);
    const expected = await engineFindings([TRAIL]);
    expect(r.stdout).toContain(
      `${expected.length} finding(s) from ${new Set(expected.map((f) => f.ruleId)).size} rule(s) over 3 event(s)`,
    );
    expect(r.stderr).toBe('');
  });

  it('exits 2 with one message per bad input, after printing the valid findings', async () => {
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify(JSON.parse(readFileSync(PRIVILEGED, 'utf8')))}\n{"truncated": \n[1, 2]\n`,
    );
    const r = guardrail(['evaluate', '--format', 'json', bad]);
    expect(r.code).toBe(2);
    expect(jsonLines(r.stdout)).toHaveLength((await engineFindings([PRIVILEGED])).length);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('guardrail:'))).toEqual([
      `guardrail: ${bad}:2: not valid JSON (unexpected end: truncated?)`,
      `guardrail: ${bad}:3: invalid event: not an event: expected a JSON object, got array`,
    ]);
  });

  it('exits 3 for a bad policy and for a usage error', () => {
    const policy = join(tmp, 'policy.yml');
    writeFileSync(policy, 'dryRun: "yes"\n');
    const p = guardrail(['evaluate', '--policy', policy, PRIVILEGED]);
    expect(p.code).toBe(3);
    expect(p.stderr).toBe(`guardrail: policy error: ${policy}: dryRun: expected boolean, got "yes"\n`);
    const u = guardrail(['evaluate']);
    expect(u.code).toBe(3);
    expect(u.stderr).toContain('no PATH given');
  });

  it('loads examples/policy.yml', () => {
    const r = guardrail(['evaluate', '--policy', 'examples/policy.yml', '--format', 'json', PRIVILEGED]);
    expect(r.code).toBe(0);
    const priv = jsonLines(r.stdout).find((f) => f.ruleId === 'td-privileged')!;
    expect(priv.action).toMatchObject({ name: 'deregister-task-definition', status: 'planned' });
    expect(priv.action!.reason).toMatch(/^dry-run: would /);
  });

  it('stops quietly when the reader of its output goes away (`| head`): no EPIPE stack trace', async () => {
    // Enough findings that the CLI is still writing when the pipe closes: 400 distinct privileged families.
    const event = JSON.parse(readFileSync(PRIVILEGED, 'utf8')) as { detail: Record<string, any> };
    const lines = Array.from({ length: 400 }, (_, i) => {
      const e = structuredClone(event);
      e.detail.requestParameters.family = `epipe-${i}`;
      e.detail.responseElements.taskDefinition.family = `epipe-${i}`;
      e.detail.responseElements.taskDefinition.taskDefinitionArn = `arn:aws:ecs:us-east-1:111122223333:task-definition/epipe-${i}:1`;
      return JSON.stringify(e);
    });
    const file = join(tmp, 'many.jsonl');
    writeFileSync(file, lines.join('\n'));
    const child = spawn(process.execPath, [CLI, 'evaluate', '--format', 'json', file], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|internal error|at .*guardrail\.cjs/);
    expect(code).toBe(0);
  }, 30_000);
});
