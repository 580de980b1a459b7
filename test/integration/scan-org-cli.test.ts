/**
 * `guardrail scan --org` as a user runs it: the built CLI (dist/guardrail.cjs) against an organization
 * in moto (test/helpers/org-estate.ts: 3 member accounts in 2 OUs, the read role in each, a seeded
 * estate in each of 2 regions), pointed there only by AWS_ENDPOINT_URL; then, in-process (main()), an
 * account whose read role is missing (AssumeRole refused as on AWS: moto alone grants it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { sarifProblems } from '../helpers/sarif-schema';
import { enforceRoleExistence } from '../helpers/org-roles';
import { createOrgEstate, MANAGEMENT_ACCOUNT, ORG_REGIONS, type OrgEstate } from '../helpers/org-estate';
import { SECRET_VALUE } from '../helpers/seed-estate';
import { run as runInProcess } from '../unit/cli/memory-io';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Account names are free text written by people: this one is built to break HTML. */
const HOSTILE_ACCOUNT_NAME = 'web-prod<script>alert(1)</script>';

describe('guardrail scan --org (built CLI) against a moto organization', () => {
  let moto: Moto;
  let org: OrgEstate;
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-scan-org-'));
  const state = join(dir, 'state.json');
  const html = join(dir, 'org.html');
  const env = () => ({
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
  });

  const run = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const base: Record<string, string | undefined> = {
        ...process.env,
        ...env(),
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        NODE_NO_WARNINGS: '1',
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
  const progress = (stderr: string) =>
    [
      ...stderr.matchAll(
        /\[(\d+)\/(\d+)\] (\d{12}) ([a-z0-9-]+): (\w+), (\d+) findings?, (\d+) AWS calls?, (\d+) task definition\(s\) described, (\d+) from cache/g,
      ),
    ].map((m) => ({
      account: m[3]!,
      region: m[4]!,
      status: m[5]!,
      findings: +m[6]!,
      calls: +m[7]!,
      described: +m[8]!,
      fromCache: +m[9]!,
    }));

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    org = await createOrgEstate(moto, {
      members: [
        { name: 'payments-prod', ou: 'prod' },
        { name: HOSTILE_ACCOUNT_NAME, ou: 'prod' },
        { name: 'sandbox', ou: 'dev' },
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  });

  let firstCalls = 0;

  it('prints the findings of every account and region, progress per pair, and writes the report by account', async () => {
    const r = await run([
      '--org',
      '--regions',
      ORG_REGIONS.join(','),
      '--format',
      'json',
      '--html',
      html,
      '--state',
      state,
    ]);
    expect(r.stderr).not.toContain('partial');
    expect(r.code).toBe(0);
    const findings = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Finding);
    const expected = [...org.estates.values()].flatMap((e) => e.expected.map((f) => `${f.ruleId} ${f.arn}`));
    expect(findings.map((f) => `${f.ruleId} ${f.resource.arn}`).sort()).toEqual(expected.sort());
    for (const m of org.members)
      for (const region of ORG_REGIONS)
        expect(
          findings.filter((f) => f.account === m.id && f.region === region).length,
          `${m.id} ${region}`,
        ).toBe(org.estates.get(`${m.id} ${region}`)!.expected.length);
    expect(r.stdout + r.stderr).not.toContain(SECRET_VALUE);

    const pairs = progress(r.stderr);
    expect(pairs).toHaveLength(8); // (management + 3 members) x 2 regions
    expect(r.stderr).toContain('[8/8]');
    for (const p of pairs.filter((x) => x.account !== MANAGEMENT_ACCOUNT)) expect(p.described).toBe(4);
    firstCalls = pairs.reduce((n, p) => n + p.calls, 0);
    expect(r.stderr).toContain('by account:');
    expect(r.stderr).toMatch(new RegExp(`  ${org.members[0]!.id} payments-prod \\(OU prod\\): 24 findings`));
    expect(r.stderr).toMatch(/by OU:\n {2}dev \(ou-[^)]+\): 24 findings .*; 2\/2 pair\(s\) complete/);
    expect(r.stderr).toMatch(/by region:\n {2}eu-west-1: 36 findings/);

    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Complete organization sweep: all 8 (account, region) pairs were read in full.');
    const table = /<section id="organization">(.*?)<\/section>/s.exec(page)![1]!;
    for (const m of org.members) {
      const row = new RegExp(`<tr data-account="${m.id}">(.*?)</tr>`, 's').exec(table)![1]!;
      expect(row).toContain(`${m.ouName} (${m.ouId})`);
      expect(row).toContain('2/2 complete');
      expect(row).toContain(`<td>24</td>`);
    }
    expect(page).not.toContain(HOSTILE_ACCOUNT_NAME);
    expect(page).toContain('web-prod&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(table).toContain('<figure class="chart" id="chart-org-accounts"><svg');
    expect(page).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
  });

  it('a repeated scan in a new process describes no unchanged revision (the state file keeps the cache)', async () => {
    const r = await run(['--org', '--regions', ORG_REGIONS.join(','), '--format', 'table', '--state', state]);
    expect(r.code).toBe(0);
    const pairs = progress(r.stderr);
    expect(pairs).toHaveLength(8);
    for (const p of pairs.filter((x) => x.account !== MANAGEMENT_ACCOUNT))
      expect(p, `${p.account} ${p.region}`).toMatchObject({ described: 0, fromCache: 4 });
    const secondCalls = pairs.reduce((n, p) => n + p.calls, 0);
    expect(secondCalls).toBe(firstCalls - 6 * 4);
    // The table names each pair with its account, OU and region.
    expect(r.stdout).toContain(
      `== ${org.members[0]!.id} payments-prod (OU prod) eu-west-1: complete, 12 findings`,
    );
    expect(r.stdout).toContain(`== ${MANAGEMENT_ACCOUNT} master (OU Root) us-east-1: complete, 0 findings`);
    // On a terminal markup is inert text: the name is printed as written (escapeTerminal strips control characters).
    expect(r.stdout).toContain(
      `== ${org.members[1]!.id} ${HOSTILE_ACCOUNT_NAME} (OU prod) us-east-1: complete`,
    );
    expect(readFileSync(state, 'utf8')).not.toContain(SECRET_VALUE);
  });

  it.each([
    [['--regions', 'eu-west-1'], '--regions needs --org'],
    [['--org', '--region', 'eu-west-1'], '--region is not used'],
    [['--org', '--regions', 'eu-west-1;touch /tmp/x'], '--regions: item 1 is not a region name (or use all)'],
    [['--org', '--accounts', '12,34'], '--accounts: item 1 is not a 12-digit account id'],
    [['--org', '--role-name', 'a/b'], '--role-name must be an IAM role name'],
  ])('usage error %j: exit 3 naming the flag', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(message);
  });

  it('an account whose read role is missing: that pair in the banner with its reason, exit 2, the others complete', async () => {
    const orgs = new OrganizationsClient(motoClientConfig(moto));
    const legacy = (
      await orgs.send(new CreateAccountCommand({ AccountName: 'legacy', Email: 'legacy@example.com' }))
    ).CreateAccountStatus!.AccountId!;
    const saved = { ...process.env };
    Object.assign(process.env, env());
    const restore = enforceRoleExistence(moto);
    try {
      const r = await runInProcess([
        'scan',
        '--org',
        '--accounts',
        `${legacy},${org.members[0]!.id},999999999999`,
        '--regions',
        'eu-west-1',
        '--format',
        'json',
        '--html',
        join(dir, 'partial.html'),
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('skipped account 999999999999: not an account of the organization');
      expect(r.stderr).toContain(
        'partial organization sweep: 1 of 2 (account, region) pair(s) not complete; nothing was resolved there:',
      );
      expect(r.stderr).toContain(
        `  ${legacy} eu-west-1 failed: no access to account ${legacy} (role arn:aws:iam::${legacy}:role/ecs-guardrail-read): AccessDenied`,
      );
      const findings = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Finding);
      expect(new Set(findings.map((f) => f.account))).toEqual(new Set([org.members[0]!.id]));
      const page = readFileSync(join(dir, 'partial.html'), 'utf8');
      expect(page).toContain(`<strong>${legacy} eu-west-1</strong>: failed: no access to account ${legacy}`);
      // SARIF: a valid log, an unsuccessful execution naming the failed pair.
      const sarif = await runInProcess([
        'scan',
        '--org',
        '--accounts',
        `${legacy},${org.members[0]!.id}`,
        '--regions',
        'eu-west-1',
        '--format',
        'sarif',
      ]);
      expect(sarif.code).toBe(2);
      const log = JSON.parse(sarif.stdout) as {
        runs: {
          invocations: {
            executionSuccessful: boolean;
            toolExecutionNotifications?: { message: { text: string } }[];
          }[];
        }[];
      };
      expect(sarifProblems(log)).toEqual([]);
      expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
      expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications?.map((n) => n.message.text)).toEqual([
        expect.stringContaining(`${legacy} eu-west-1: failed: no access to account ${legacy}`),
      ]);
    } finally {
      restore();
      process.env = saved;
    }
  });
});
