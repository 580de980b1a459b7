/**
 * `guardrail scan` as a user runs it: the built CLI (dist/guardrail.cjs) against a seeded moto estate,
 * pointed there only by AWS_ENDPOINT_URL. Checks the findings, the HTML report file, the state file
 * across two scans, the exit codes and a partial scan.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { enableEcsRuntimeMonitoring } from '../helpers/guardduty';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { sarifProblems } from '../helpers/sarif-schema';
import {
  applyFixes,
  HOSTILE_ENV_NAME,
  HOSTILE_TAG,
  REGION,
  SECRET_VALUE,
  seedEstate,
  type SeededEstate,
} from '../helpers/seed-estate';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A loopback port nothing listens on (for an endpoint that refuses connections). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('guardrail scan (built CLI) against moto', () => {
  let moto: Moto;
  let estate: SeededEstate;
  let clients: { ecs: ECSClient; ec2: EC2Client };
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-scan-'));
  const state = join(dir, 'state.json');
  const html = join(dir, 'report.html');

  const run = (args: string[], env: Record<string, string | undefined> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const base: Record<string, string | undefined> = {
        ...process.env,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        AWS_MAX_ATTEMPTS: '1',
        NODE_NO_WARNINGS: '1',
        ...env,
      };
      const child = spawn(process.execPath, ['dist/guardrail.cjs', 'scan', ...args], {
        env: Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const jsonFindings = (out: string): Finding[] =>
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Finding);

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    const cfg = motoClientConfig(moto, REGION);
    clients = { ecs: new ECSClient(cfg), ec2: new EC2Client(cfg) };
    estate = await seedEstate(clients);
    await enableEcsRuntimeMonitoring(cfg);
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('prints the expected findings as JSON Lines, writes the HTML report and the state file', async () => {
    const r = await run(['--region', REGION, '--format', 'json', '--html', html, '--state', state]);
    expect(r.stderr).not.toContain('incomplete');
    expect(r.code).toBe(0);
    const findings = jsonFindings(r.stdout);
    expect(findings.map((f) => `${f.ruleId} ${f.resource.arn}`).sort()).toEqual(
      estate.expected.map((f) => `${f.ruleId} ${f.arn}`).sort(),
    );
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(findings.length);
    // 14 ECS resources, the one security group the services and tasks use (sg-world-open-admin-port) and
    // the account's GuardDuty detector (account-ecs-runtime-monitoring-off, passing).
    expect(r.stderr).toContain(
      '12 findings from 12 rules over 16 resources: critical 2, high 4, medium 5, low 1, info 0',
    );
    expect(r.stderr).toMatch(
      /swept 123456789012 us-east-1 in [\d.]+ s: 2 clusters, 4 services, 1 task set, 2 running tasks, 1 container instance, 4 task definitions \(4 described, 0 from cache\)/,
    );
    expect(r.stderr).toContain(`state ${state}: 12 new, 0 resolved since the previous scan`);
    expect(r.stdout + r.stderr).not.toContain(SECRET_VALUE);

    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    // Self-contained: no script, no external stylesheet, image, font or frame.
    expect(page).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(page).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    // Hostile text from AWS arrives escaped.
    expect(page).not.toContain(HOSTILE_TAG);
    expect(page).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(page).not.toContain(HOSTILE_ENV_NAME);
    // The name carries `=`: shown as NAME=[redacted] (issue 15), what is left HTML-escaped.
    expect(page).toContain('environment variable &quot;&lt;img src=[redacted]&quot;');
    expect(page).not.toContain(SECRET_VALUE);
    // Totals, Security Hub ids, evidence, the worst resource first (batch-job: the critical secrets finding).
    expect(page).toMatch(/data-severity="critical"><span class="n">2</);
    expect(page).toContain('Security Hub ECS.4');
    expect(page).toContain('container &quot;agent&quot; is privileged');
    expect(page).toContain(`task ENI has public IP ${estate.batchTaskPublicIp}`);
    const worst = /<section id="worst">.*?<tbody><tr><td>1<\/td><td><a href="#r-1">([^<]+)</s.exec(page);
    expect(worst?.[1]).toMatch(/^(batch-job:1|legacy-privileged:1)$/);
    expect(page).toContain('Complete sweep');

    const saved = JSON.parse(readFileSync(state, 'utf8')) as { records: { status: string }[] };
    expect(saved.records.filter((x) => x.status === 'open')).toHaveLength(12);
  });

  it('prints a table and exits 1 when --fail-on matches', async () => {
    const r = await run(['--region', REGION, '--fail-on', 'critical']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^SEVERITY\s+RULE\s+RESOURCE\s+MODE\s+EVIDENCE/);
    expect(r.stdout).toMatch(/CRITICAL\s+td-privileged\s+legacy-privileged:1/);
    expect(r.stdout).toContain('12 findings from 12 rules over 16 resources');
    expect(r.stderr).toBe('');
  });

  it('a partial scan (EC2 unreachable) exits 2, says what it missed and resolves nothing', async () => {
    await applyFixes(clients, estate);
    const port = await closedPort();
    const r = await run(['--region', REGION, '--format', 'json', '--state', state], {
      AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${port}`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /guardrail scan: incomplete: missed public IP check of 1 task network interface\(s\) \(DescribeNetworkInterfaces eni-[0-9a-f]+: error, ECONNREFUSED/,
    );
    expect(r.stderr).toContain('guardrail scan: partial scan: nothing was resolved');
    expect(r.stderr).toContain(`state ${state}: 0 new, nothing resolved (partial scan)`);
    // A new process: the state file kept the revisions the first scan described (legacy-privileged,
    // deregistered by the fixes and unused, is no longer swept).
    expect(r.stderr).toContain('3 task definitions (0 described, 3 from cache)');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { records: { status: string }[] };
    expect(saved.records.filter((x) => x.status === 'resolved')).toHaveLength(0);
  });

  it('the next complete scan resolves what was fixed, in the output, the state file and the report', async () => {
    const r = await run(['--region', REGION, '--html', html, '--state', state]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`state ${state}: 0 new, 6 resolved since the previous scan`);
    for (const f of estate.fixed)
      expect(r.stdout).toMatch(new RegExp(`resolved .*${f.ruleId} .*\\(${f.resolution}\\)`));
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      records: { status: string; finding: Finding; resolvedReason?: string }[];
    };
    const resolved = saved.records.filter((x) => x.status === 'resolved');
    expect(resolved.map((x) => `${x.finding.ruleId} ${x.finding.resource.arn}`).sort()).toEqual(
      estate.fixed.map((f) => `${f.ruleId} ${f.arn}`).sort(),
    );
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Resolved since the previous scan (6)');
    expect(page).toMatch(/data-severity="total"><span class="n">6</);
  });

  it('--framework groups the findings by requirement (JSON Lines, HTML section); --format ocsf', async () => {
    const fwHtml = join(dir, 'framework.html');
    const r = await run([
      '--region',
      REGION,
      '--format',
      'json',
      '--framework',
      'pci-dss-4.0.1',
      '--html',
      fwHtml,
    ]);
    expect(r.code).toBe(0);
    const groups = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { framework: string; requirement: string; findingIds: string[] });
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.every((g) => g.framework === 'pci-dss-4.0.1' && g.findingIds.length > 0)).toBe(true);
    // Every finding of the estate as it is now (earlier tests fixed part of it) is under some requirement.
    const plain = jsonFindings((await run(['--region', REGION, '--format', 'json'])).stdout);
    expect(plain.length).toBeGreaterThan(2);
    expect([...new Set(groups.flatMap((g) => g.findingIds))].sort()).toEqual(
      plain.map((f) => f.findingId).sort(),
    );
    const page = readFileSync(fwHtml, 'utf8');
    expect(page).toContain('<section id="framework-pci-dss-4.0.1"');
    expect(page).toMatch(/data-requirement="[\d.]+"/);
    expect(page).not.toContain(HOSTILE_TAG);
    const ocsf = await run(['--region', REGION, '--format', 'ocsf']);
    expect(ocsf.code).toBe(0);
    const lines = ocsf.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { class_uid: number });
    expect(lines).toHaveLength(plain.length);
    expect(lines.every((l) => l.class_uid === 2003)).toBe(true);
    expect(ocsf.stdout).not.toContain(SECRET_VALUE);
  });

  it('--format sarif: one valid SARIF 2.1.0 log with the same findings and no secret', async () => {
    const plain = jsonFindings((await run(['--region', REGION, '--format', 'json'])).stdout);
    const r = await run(['--region', REGION, '--format', 'sarif']);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as {
      runs: { results: { partialFingerprints: Record<string, string>; suppressions?: unknown[] }[] }[];
    };
    expect(sarifProblems(log)).toEqual([]);
    const unsuppressed = log.runs[0]!.results.filter((x) => !x.suppressions);
    expect(unsuppressed.map((x) => x.partialFingerprints['guardrailFindingId/v1']).sort()).toEqual(
      plain.map((f) => f.findingId).sort(),
    );
    expect(r.stdout).not.toContain(SECRET_VALUE);
  });

  it('exits 3 with a clear message for usage, state file and region errors', async () => {
    const bad = await run(['--format', 'xml', '--region', REGION]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('--format must be table, json, ocsf or sarif');
    const notState = join(dir, 'not-state.json');
    writeFileSync(notState, '{"some": "other file"}');
    const st = await run(['--region', REGION, '--state', notState]);
    expect(st.code).toBe(3);
    expect(st.stderr).toContain('is not a guardrail state file');
    expect(readFileSync(notState, 'utf8')).toBe('{"some": "other file"}');
    const noRegion = await run([]);
    expect(noRegion.code).toBe(3);
    expect(noRegion.stderr).toContain('no AWS region');
    expect(existsSync(join(dir, 'no-config'))).toBe(false);
  });
});
