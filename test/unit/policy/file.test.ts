import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, policyRemediates, withGuardrailRoles } from '../../../shared/policy/file';
import { PolicyError } from '../../../shared/policy/errors';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { RecordingLogger } from '../pipeline/recorders';

const REPO_ROOT = join(__dirname, '..', '..', '..');

describe('loadPolicy', () => {
  it('the repository policy (guardrail.policy.yml) is valid: every rule in notify mode', () => {
    const logger = new RecordingLogger();
    const policy = loadPolicy(join(REPO_ROOT, 'guardrail.policy.yml'), logger);
    expect(policy).toEqual(DEFAULT_POLICY);
    expect(Object.values(policy.rules).every((r) => r.mode === 'notify')).toBe(true);
    expect(logger.find('policy loaded')).toBeDefined();
  });

  it('an absent file falls back to the default policy, and says so', () => {
    const logger = new RecordingLogger();
    const path = join(tmpdir(), 'no-such-dir', 'guardrail.policy.yml');
    expect(loadPolicy(path, logger)).toBe(DEFAULT_POLICY);
    expect(logger.find('policy file not found')).toMatchObject({
      level: 'warn',
      attributes: { policyFile: path },
    });
  });

  it('an invalid file is an error, never a silent fallback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const path = join(dir, 'p.yml');
    writeFileSync(path, 'rules:\n  td-privilegd: { mode: off }\n');
    expect(() => loadPolicy(path, new RecordingLogger())).toThrow(PolicyError);
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
