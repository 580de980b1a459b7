/**
 * The CLI as a package a stranger installs: --version, rules, explain, per-command --help, the exit codes
 * (README "The CLI"), case-insensitive severities, a missing PATH, and the AWS set-up the CLI checks before
 * its first call (no region). Through `main(argv, io)`; the AWS causes against real SDK clients are in
 * test/integration/cli-aws-errors.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlIds } from '../../../shared/model/finding';
import { RULES } from '../../../shared/rules/registry';
import { fixturePath, REPO_ROOT } from '../../helpers/fixtures';
import { run } from './memory-io';

const PRIVILEGED = fixturePath('cloudtrail-register-task-definition-privileged.json');
const SERVICE = fixturePath('cloudtrail-create-service-assign-public-ip.json');
const COMPLIANT = fixturePath('cloudtrail-register-task-definition-compliant-fargate.json');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// eslint-disable-next-line no-control-regex -- a raw control character in output is the failure
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('guardrail --version', () => {
  it("prints package.json's version, exit 0", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('guardrail rules', () => {
  it('a table of every rule: id, severity, default mode, Security Hub control, title', async () => {
    const r = await run(['rules']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^RULE +SEVERITY +DEFAULT MODE +SECURITY HUB +TITLE$/);
    for (const rule of RULES) {
      const row = lines.find((l) => l.startsWith(`${rule.id} `));
      expect(row, rule.id).toBeDefined();
      expect(row).toContain(rule.severity.toUpperCase());
      expect(row).toContain(rule.title);
      for (const c of controlIds(rule.controls.securityHub)) expect(row).toContain(c);
    }
    expect(r.stdout).toContain(`${RULES.length} rules`);
    // A rule that is off or observe by default says so (not every rule is "notify").
    const quiet = RULES.filter((x) => x.defaultMode);
    expect(quiet.length).toBeGreaterThan(0);
    for (const rule of quiet)
      expect(lines.find((l) => l.startsWith(`${rule.id} `))).toMatch(new RegExp(` ${rule.defaultMode} `));
  });

  it('--format json is one parsable array, one object per rule, matching the registry', async () => {
    const r = await run(['rules', '--format', 'json']);
    expect(r.code).toBe(0);
    const rules = JSON.parse(r.stdout) as {
      id: string;
      severity: string;
      defaultMode: string;
      securityHub: string[];
      frameworks: Record<string, string[]>;
    }[];
    expect(rules.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
    for (const rule of RULES) {
      const got = rules.find((x) => x.id === rule.id)!;
      expect(got.severity).toBe(rule.severity);
      expect(got.defaultMode).toBe(rule.defaultMode ?? 'notify');
      expect(got.securityHub).toEqual([...controlIds(rule.controls.securityHub)]);
    }
    expect(rules.find((x) => x.id === 'td-privileged')!.frameworks['nist-800-53-r5']).toContain('AC-6');
  });

  it('an unknown format or an argument is a usage error (3) with the command usage', async () => {
    for (const argv of [
      ['rules', '--format', 'yaml'],
      ['rules', 'td-privileged'],
      ['rules', '--bogus'],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(3);
      expect(r.stderr).toContain('guardrail rules [--format table|json]');
      expect(r.stdout).toBe('');
    }
  });
});

describe('guardrail explain', () => {
  it('tells one rule: what, why and how to fix, remediation, controls, frameworks, a policy example', async () => {
    const r = await run(['explain', 'td-privileged']);
    expect(r.code).toBe(0);
    const rule = RULES.find((x) => x.id === 'td-privileged')!;
    expect(r.stdout).toContain(`td-privileged: ${rule.title}`);
    expect(r.stdout).toContain('Severity: critical');
    expect(r.stdout).toContain(`What: ${rule.description}`);
    expect(r.stdout).toContain(`Why and how to fix: ${rule.advice}`);
    expect(r.stdout).toContain('deregister-task-definition');
    expect(r.stdout).toMatch(/Security Hub: ECS\.4\n {2}AWS Config: ecs-containers-nonprivileged/);
    expect(r.stdout).toMatch(/NIST SP 800-53 Rev\. 5: .*AC-6/);
    expect(r.stdout).toContain('PCI DSS v4.0.1: 2.2.6 (own mapping)');
    expect(r.stdout).toMatch(/Example policy:\n {2}rules:\n {4}td-privileged:\n {6}mode: remediate/);
  });

  it("shows a rule's parameters at their defaults in the example", async () => {
    const r = await run(['explain', 'td-untrusted-registry']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example policy \(the parameters at their defaults\):[\s\S]*params:/);
  });

  it('reads the id case-insensitively', async () => {
    const r = await run(['explain', 'TD-PRIVILEGED']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^td-privileged: /);
  });

  it('a typo: exit 3, did you mean the closest id', async () => {
    const r = await run(['explain', 'td-privilegd']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown rule "td-privilegd" (did you mean td-privileged?)');
  });

  it('an unknown id built to break the terminal is printed escaped and cut', async () => {
    const hostile = `\x1b[2J\x1b[1;1H\rtd-\u202eprivileged\x07${'A'.repeat(5000)}`;
    const r = await run(['explain', hostile]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toContain('\u202e');
    expect(r.stderr).toContain('unknown rule "\\x1b[2J\\x1b[1;1H\\x0dtd-\\u202eprivileged\\x07');
    expect(r.stderr.length).toBeLessThan(1500);
  });

  it('no id, or two: usage error', async () => {
    expect((await run(['explain'])).code).toBe(3);
    expect((await run(['explain', 'td-privileged', 'td-host-pid'])).code).toBe(3);
  });
});

describe('per-command --help', () => {
  it.each([
    ['evaluate', 'guardrail evaluate ['],
    ['scan', 'guardrail scan ['],
    ['redrive', 'guardrail redrive --queue'],
    ['backfill', 'guardrail backfill'],
    ['rules', 'guardrail rules [--format table|json]'],
    ['explain', 'guardrail explain RULE_ID'],
    ['exemptions', 'guardrail exemptions list'],
  ])('%s --help: its usage on stdout, exit 0', async (command, usage) => {
    for (const flag of ['--help', '-h']) {
      const r = await run([command, flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(usage);
      expect(r.stderr).toBe('');
    }
  });

  it('guardrail --help names every command; an unknown command is exit 3, escaped', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      '--version',
      'rules',
      'explain',
      'evaluate',
      'scan',
      'redrive',
      'backfill',
      'exemptions',
    ])
      expect(r.stdout).toContain(`guardrail ${c}`);
    const bad = await run(['\x1b]0;pwned\x07']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('unknown command "\\x1b]0;pwned\\x07"');
    expect(bad.stderr).not.toMatch(RAW_CONTROL);
  });
});

describe('--fail-on reads a severity in any case', () => {
  it.each(['critical', 'CRITICAL', 'crItIcal', 'Critical'])(
    '--fail-on %s: exit 1 on a critical finding',
    async (s) => {
      expect((await run(['evaluate', '--format', 'json', '--fail-on', s, PRIVILEGED])).code).toBe(1);
    },
  );

  it('HIGH fails a high finding, not a compliant input; an unknown severity is exit 3', async () => {
    expect((await run(['evaluate', '--fail-on', 'HIGH', SERVICE])).code).toBe(1);
    expect((await run(['evaluate', '--fail-on', 'HIGH', COMPLIANT])).code).toBe(0);
    const r = await run(['evaluate', '--fail-on', 'severe', PRIVILEGED]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--fail-on must be one of critical, high, medium, low, info (any case)');
  });

  it('scan reads it the same way (usage is checked before any AWS call)', async () => {
    const r = await run(['scan', '--fail-on', 'severe']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('(any case)');
  });
});

describe('a PATH that does not exist', () => {
  it('is a usage error (exit 3) naming it, before any input is read, even among good ones', async () => {
    const missing = join(tmp, 'no-such-file.json');
    const r = await run(['evaluate', '--format', 'json', PRIVILEGED, missing, SERVICE]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^guardrail: no such file or directory: ${missing}\n`));
    expect(r.stderr).not.toContain('finding(s)');
  });

  it('every missing one is named, each escaped', async () => {
    const a = join(tmp, 'a\x1b[31m.json');
    const b = join(tmp, 'missing-dir', 'b.json');
    const r = await run(['evaluate', a, b]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no such file or directory: ${join(tmp, 'a\\x1b[31m.json')}, ${b}`);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});

describe('the exit codes of README "The CLI"', () => {
  it('0 evaluated, 1 --fail-on matched, 2 an invalid input, 3 usage', async () => {
    expect((await run(['evaluate', COMPLIANT])).code).toBe(0);
    expect((await run(['evaluate', '--fail-on', 'critical', PRIVILEGED])).code).toBe(1);
    const invalid = fixturePath('cloudtrail-register-task-definition-privileged.json');
    const notJson = join(tmp, 'not-json.json');
    (await import('node:fs')).writeFileSync(notJson, '{"detail-type": ');
    expect((await run(['evaluate', invalid, notJson])).code).toBe(2);
    expect((await run(['evaluate'])).code).toBe(3);
    expect((await run(['evaluate', '--remediate', PRIVILEGED])).code).toBe(3);
    // 4 (a --notify delivery failed) is pinned in test/integration/notify-cli.test.ts.
  });
});

describe('--enrich / --remediate without an AWS region', () => {
  const saved: Record<string, string | undefined> = {};
  const KEYS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE'] as const;
  beforeEach(() => {
    for (const k of KEYS) saved[k] = process.env[k];
    delete process.env.AWS_REGION;
    // The AWS CLI's variable: the SDK does not read it, so it must not pass the check either.
    process.env.AWS_DEFAULT_REGION = 'us-east-1';
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = join(tmp, 'no-such-aws-config');
  });
  afterEach(() => {
    for (const k of KEYS)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  it('--remediate says so (exit 3) before reading any input, never "Error on sts:GetCallerIdentity"', async () => {
    const policy = join(tmp, 'remediate.yml');
    (await import('node:fs')).writeFileSync(
      policy,
      'version: 1\nrules:\n  td-privileged: { mode: remediate }\n',
    );
    const r = await run(['evaluate', '--enrich', '--remediate', '--policy', policy, PRIVILEGED]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'guardrail: --remediate cannot start: no AWS region: set AWS_REGION (or a region in the AWS profile)\n',
    );
  });

  it('--enrich too; a region in the profile is enough', async () => {
    const r = await run(['evaluate', '--enrich', COMPLIANT]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--enrich cannot start: no AWS region');
    const config = join(tmp, 'aws-config');
    (await import('node:fs')).writeFileSync(config, '[default]\nregion = eu-west-1\n');
    process.env.AWS_CONFIG_FILE = config;
    // The compliant registration needs no AWS call: with the region found, the run goes on.
    const ok = await run([
      'evaluate',
      '--enrich',
      fixturePath('cloudtrail-register-task-definition-privileged.json'),
    ]);
    expect(ok.stderr).not.toContain('cannot start');
    expect(ok.stdout).toContain('td-privileged');
  });
});
