import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, policyRemediates, withGuardrailRoles } from '../../../shared/policy/file';
import { PolicyError } from '../../../shared/policy/errors';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { RULES } from '../../../shared/rules/registry';
import { RecordingLogger } from '../pipeline/recorders';

const REPO_ROOT = join(__dirname, '..', '..', '..');

describe('loadPolicy', () => {
  it('the repository policy (guardrail.policy.yml) is valid: every rule in notify mode (or its own lower default)', async () => {
    const logger = new RecordingLogger();
    const policy = await loadPolicy(join(REPO_ROOT, 'guardrail.policy.yml'), logger);
    expect(policy).toEqual(DEFAULT_POLICY);
    for (const rule of RULES) expect(policy.rules[rule.id]?.mode, rule.id).toBe(rule.defaultMode ?? 'notify');
    expect(logger.find('policy loaded')).toBeDefined();
  });

  it('an absent file falls back to the default policy, and says so', async () => {
    const logger = new RecordingLogger();
    const path = join(tmpdir(), 'no-such-dir', 'guardrail.policy.yml');
    expect(await loadPolicy(path, logger)).toBe(DEFAULT_POLICY);
    expect(logger.find('policy file not found')).toMatchObject({
      level: 'warn',
      attributes: { policyFile: path },
    });
  });

  it('an invalid file is an error, never a silent fallback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const path = join(dir, 'p.yml');
    writeFileSync(path, 'rules:\n  td-privilegd: { mode: off }\n');
    await expect(loadPolicy(path, new RecordingLogger())).rejects.toThrow(PolicyError);
  });

  it('the packaged JSON form of a policy (npm run package converts the YAML) loads the same policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const yml = join(dir, 'p.yml');
    writeFileSync(yml, 'dryRun: true\nrules:\n  td-privileged: { mode: observe }\n');
    const json = join(dir, 'p.json');
    writeFileSync(json, JSON.stringify({ dryRun: true, rules: { 'td-privileged': { mode: 'observe' } } }));
    const fromJson = await loadPolicy(json, new RecordingLogger());
    expect(fromJson).toEqual(await loadPolicy(yml, new RecordingLogger()));
    expect(fromJson.rules['td-privileged']?.mode).toBe('observe');
  });

  it('an invalid JSON policy names the file and the problem, and validation is the same as for YAML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"rules": ');
    await expect(loadPolicy(broken, new RecordingLogger())).rejects.toThrow(/broken\.json: not valid JSON/);
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ rules: { 'td-privilegd': { mode: 'notify' } } }));
    await expect(loadPolicy(typo, new RecordingLogger())).rejects.toThrow(
      /rules\.td-privilegd: unknown rule id \(did you mean td-privileged\?\)/,
    );
  });
});

describe('remediation settings of the deployment', () => {
  const A = 'arn:aws:iam::123456789012:role/ecs-guardrail-prod-EcsStateChangeRole-AB12';
  const B = 'arn:aws:iam::123456789012:role/ecs-guardrail-prod-CloudtrailApiCallRole-CD34';

  it("the deployment's roles are added to remediation.guardrailRoleArns (kept unique), nothing else changes", () => {
    const policy = parsePolicy(
      `rules:\n  td-privileged: { mode: remediate }\nremediation:\n  guardrailRoleArns: ['${A}']\n  budgetPerHour: 3\n`,
    );
    const merged = withGuardrailRoles(policy, [A, B]);
    expect(merged.remediation).toEqual({ ...policy.remediation, guardrailRoleArns: [A, B] });
    expect(merged.rules).toBe(policy.rules);
    expect(withGuardrailRoles(policy, [])).toBe(policy);
    expect(withGuardrailRoles(DEFAULT_POLICY, [B]).remediation?.guardrailRoleArns).toEqual([B]);
  });

  it('policyRemediates: only when a rule is in remediate mode', () => {
    expect(policyRemediates(DEFAULT_POLICY)).toBe(false);
    expect(
      policyRemediates(parsePolicy('dryRun: true\nrules:\n  svc-public-ip: { mode: remediate }\n')),
    ).toBe(true);
  });
});
