/** examples/policy.yml and docs/policy.md stay in step with the loader and the rule registry. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy } from '../../../shared/policy/load';
import { RULES } from '../../../shared/rules/registry';
import { findingsOf, okContainer, one, registerTd } from '../engine/builders';

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'policy.yml');
const DOC = readFileSync(join(ROOT, 'docs', 'policy.md'), 'utf8');

describe('examples/policy.yml', () => {
  const policy = loadPolicyFile(EXAMPLE);

  it('loads', () => {
    expect(Object.keys(policy.rules)).toHaveLength(RULES.length);
  });

  it('uses every feature of the format', () => {
    expect(policy.dryRun).toBe(true);
    const modes = new Set(Object.values(policy.rules).map((r) => r.mode));
    expect([...modes].sort()).toEqual(['notify', 'observe', 'off', 'remediate']);
    expect(Object.values(policy.rules).some((r) => r.severity)).toBe(true);
    // Every rule that takes parameters is configured, with at least one value different from the default.
    for (const rule of RULES.filter((r) => r.params))
      expect(policy.rules[rule.id]!.params, rule.id).not.toBeUndefined();
    const changed = RULES.filter(
      (r) => r.params && JSON.stringify(policy.rules[r.id]!.params) !== JSON.stringify(r.params.defaults),
    );
    expect(changed.length).toBeGreaterThanOrEqual(5);
    const ex = policy.exemptions;
    expect(ex.some((e) => e.rule === '*')).toBe(true);
    expect(ex.some((e) => e.container && e.until && e.reason && e.arn.includes('*'))).toBe(true);
    expect(ex.some((e) => e.rule === 'throttle-api-calls')).toBe(true);
    expect(policy.remediation).toMatchObject({ budgetPerHour: 10, guardrailRoleArns: [expect.any(String)] });
  });

  it('behaves as its comments say', async () => {
    const td = registerTd({
      family: 'legacy-billing',
      containers: [
        okContainer('app', { privileged: true, user: 'root' }),
        okContainer('log_router', { user: '0' }),
      ],
    });
    const findings = await findingsOf(td, policy, new Date('2027-01-10T00:00:00Z'));
    const priv = one(findings, 'td-privileged');
    expect(priv.action).toMatchObject({
      status: 'planned',
      reason: expect.stringMatching(/^dry-run: would /),
    });
    const root = one(findings, 'td-root-user');
    expect(root.severity).toBe('high');
    expect(root.evidence.map((e) => e.container)).toEqual(['app']);
  });
});

describe('docs/policy.md', () => {
  it('has only YAML examples that load', () => {
    const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(() => parsePolicy(block, 'docs/policy.md')).not.toThrow();
  });

  it('documents every parameter of every rule with its default, and every remediation action', () => {
    for (const rule of RULES) {
      if (rule.remediation) {
        expect(DOC).toContain(`\`${rule.id}\``);
        expect(DOC).toContain(`\`${rule.remediation.action}\``);
      }
      if (!rule.params) continue;
      expect(DOC).toContain(`\`${rule.id}\``);
      for (const [name, value] of Object.entries(rule.params.defaults as Record<string, unknown>)) {
        expect(DOC, `${rule.id}.${name}`).toContain(`\`${name}\``);
        if (Array.isArray(value) && value.length) expect(DOC).toContain(value.join(', '));
      }
    }
  });

  it('shows error messages exactly as the loader writes them', () => {
    const shown = DOC.match(/```text\n([\s\S]*?)```/)![1]!
      .trim()
      .split('\n');
    const inputs = [
      'rules:\n  td-privilegd: {}\n',
      'rules:\n  throttle-api-calls:\n    params: { treshold: 3 }\n',
      'dryRun: "yes"\n',
      'rules:\n  td-host-network: { mode: remediate }\n',
      'exemptions:\n  - { rule: td-root-user, arn: "*", until: 2027-02-30 }\n',
    ];
    expect(shown).toHaveLength(inputs.length);
    inputs.forEach((input, i) => expect(() => parsePolicy(input, 'policy.yml')).toThrow(shown[i]!));
  });
});
