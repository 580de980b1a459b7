/**
 * Frameworks (NIST SP 800-53 Rev. 5, PCI DSS v4.0.1) come from one place: Security Hub's related requirements of
 * the rule's control (shared/rules/frameworks/security-hub-ecs.ts), completed by the rule's own mapping. Every rule
 * of the registry, including rules added later, is held to: at least one requirement per framework, well-formed
 * ids, no own mapping hidden behind Security Hub's, and a control the table knows.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import { controlIds, FRAMEWORK_IDS } from '../../../shared/model/finding';
import { toAsff } from '../../../shared/notify/channels/securityhub/asff';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import {
  frameworksOf,
  isFrameworkId,
  SECURITY_HUB_ECS,
  securityHubRequirements,
} from '../../../shared/rules/frameworks';
import { getRule, RULES } from '../../../shared/rules/registry';
import { finding } from '../notify/fixtures';
import { okContainer, registerTd } from '../engine/builders';

const ID_FORMAT = {
  // AC-6, AC-3(7), SC-7(21)
  'nist-800-53-r5': /^[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?$/,
  // 1.4.4, 10.2.1
  'pci-dss-4.0.1': /^\d{1,2}(\.\d{1,2}){1,3}$/,
} as const;

describe('frameworks of every rule in the registry', () => {
  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s has at least one requirement per framework',
    (_, rule) => {
      const f = frameworksOf(rule);
      for (const id of FRAMEWORK_IDS) {
        expect(f[id]?.length ?? 0, `${rule.id}: ${id}`).toBeGreaterThan(0);
        for (const req of f[id]!) expect(req, `${rule.id}: ${id}`).toMatch(ID_FORMAT[id]);
        expect(new Set(f[id]).size, `${rule.id}: ${id} lists a requirement twice`).toBe(f[id]!.length);
      }
    },
  );

  it.each(RULES.map((r) => [r.id, r] as const))(
    "%s: a Security Hub control is in the table, and Security Hub's list wins over an own mapping",
    (_, rule) => {
      const controls = controlIds(rule.controls.securityHub);
      if (!controls.length) {
        // No control: every framework is the project's own mapping, and says so.
        expect(frameworksOf(rule).ownMapping).toEqual([...FRAMEWORK_IDS]);
        return;
      }
      for (const control of controls)
        expect(Object.keys(SECURITY_HUB_ECS), `${rule.id}: unknown control ${control}`).toContain(control);
      for (const id of FRAMEWORK_IDS) {
        const hub = [...new Set(controls.flatMap((c) => SECURITY_HUB_ECS[c]![id] ?? []))];
        // An own mapping for a framework Security Hub covers would never be shown: dead data.
        if (hub.length) expect(rule.ownFrameworks?.[id], `${rule.id}: own ${id} unused`).toBeUndefined();
        expect(frameworksOf(rule)[id]).toEqual(hub.length ? hub : rule.ownFrameworks?.[id]);
        expect(frameworksOf(rule).ownMapping?.includes(id) ?? false).toBe(!hub.length);
      }
    },
  );

  it('own mappings name only known frameworks', () => {
    for (const r of RULES)
      for (const k of Object.keys(r.ownFrameworks ?? {}))
        expect(isFrameworkId(k), `${r.id}: ${k}`).toBe(true);
  });

  it("copies Security Hub's table as published (ECS.2 in full, ECS.16 PCI only, ECS.13-15 and ECS.18-21 none)", () => {
    expect(SECURITY_HUB_ECS['ECS.2']!['nist-800-53-r5']).toHaveLength(14);
    expect(SECURITY_HUB_ECS['ECS.2']!['pci-dss-4.0.1']).toEqual(['1.4.4']);
    expect(SECURITY_HUB_ECS['ECS.16']).toEqual({ 'pci-dss-4.0.1': ['1.4.4'] });
    expect(SECURITY_HUB_ECS['ECS.8']!['pci-dss-4.0.1']).toEqual(['8.6.2']);
    for (const c of ['ECS.13', 'ECS.14', 'ECS.15', 'ECS.18', 'ECS.19', 'ECS.20', 'ECS.21'])
      expect(SECURITY_HUB_ECS[c], c).toEqual({});
    // ECS.1 to ECS.21 as numbered by Security Hub (ECS.6, 7 and 11 do not exist).
    expect(Object.keys(SECURITY_HUB_ECS).filter((c) => c.startsWith('ECS.'))).toHaveLength(18);
  });

  it('is computed once per rule: findings share one frozen object nobody can change', () => {
    const rule = getRule('td-privileged')!;
    const f = frameworksOf(rule);
    expect(frameworksOf(rule)).toBe(f);
    expect(Object.isFrozen(f) && Object.isFrozen(f['nist-800-53-r5'])).toBe(true);
    expect(() => (f['nist-800-53-r5'] as string[]).push('XX-1')).toThrow(TypeError);
    expect(SECURITY_HUB_ECS['ECS.4']!['nist-800-53-r5']).not.toContain('XX-1');
  });
});

describe('frameworks on findings and in ASFF', () => {
  it('every finding the engine makes carries its rule frameworks', async () => {
    const ev = registerTd({ containers: [okContainer('app', { privileged: true, user: undefined })] });
    const r = await evaluateRaw(ev, { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() });
    expect(r.findings.length).toBeGreaterThan(1);
    for (const f of r.findings) expect(f.frameworks).toBe(frameworksOf(getRule(f.ruleId)!));
    const priv = r.findings.find((f) => f.ruleId === 'td-privileged')!;
    expect(priv.frameworks).toEqual({
      'nist-800-53-r5': ['AC-2(1)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-5', 'AC-6'],
      'pci-dss-4.0.1': ['2.2.6'],
      ownMapping: ['pci-dss-4.0.1'],
    });
  });

  it('ASFF lists them in Compliance.RelatedRequirements as Security Hub writes them, and names the own mapping', () => {
    const rule = getRule('td-privileged')!;
    const f = finding({ ruleId: rule.id, controls: rule.controls, frameworks: frameworksOf(rule) });
    const a = toAsff(f, { now: '2026-03-02T08:02:00Z' });
    expect(a.Compliance).toEqual({
      Status: 'FAILED',
      SecurityControlId: 'ECS.4',
      RelatedRequirements: [
        'NIST.800-53.r5 AC-2(1)',
        'NIST.800-53.r5 AC-3',
        'NIST.800-53.r5 AC-3(15)',
        'NIST.800-53.r5 AC-3(7)',
        'NIST.800-53.r5 AC-5',
        'NIST.800-53.r5 AC-6',
        'PCI DSS v4.0.1/2.2.6',
      ],
    });
    expect(a.ProductFields?.['ecs-guardrail/OwnFrameworkMapping']).toBe('pci-dss-4.0.1');
  });

  it('a finding stored before findings carried frameworks gets its rule frameworks; an unknown rule none', () => {
    const { frameworks: _, ...old } = finding({
      ruleId: 'svc-public-ip',
      controls: { securityHub: 'ECS.2' },
    });
    const a = toAsff(old, { now: 'x' });
    expect(a.Compliance?.RelatedRequirements).toEqual(
      securityHubRequirements(frameworksOf(getRule('svc-public-ip')!)),
    );
    expect(a.ProductFields?.['ecs-guardrail/OwnFrameworkMapping']).toBeUndefined();
    const gone = toAsff({ ...old, ruleId: 'rule-removed-since', controls: {} }, { now: 'x' });
    expect(gone.Compliance).toEqual({ Status: 'FAILED' });
  });

  it('never sends more than the 32 related requirements ASFF accepts', () => {
    const many = Array.from({ length: 40 }, (_, i) => `AC-${i + 1}`);
    const a = toAsff(finding({ frameworks: { 'nist-800-53-r5': many, 'pci-dss-4.0.1': ['1.4.4'] } }), {
      now: 'x',
    });
    expect(a.Compliance?.RelatedRequirements).toHaveLength(32);
  });
});
