import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ruleDefaultMode } from '../../../shared/policy/document';
import { PolicyError } from '../../../shared/policy/errors';
import { DEFAULT_POLICY, loadPolicyFile, parsePolicy, policyFromDocument } from '../../../shared/policy/load';
import { RULES } from '../../../shared/rules/registry';

/** The PolicyError `parsePolicy` throws for `yaml` (fails the test when it does not throw one). */
function policyError(yaml: string): PolicyError {
  try {
    parsePolicy(yaml, 'policy.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  }
  throw new Error(`expected a PolicyError for:\n${yaml}`);
}

const REMEDIABLE = RULES.filter((r) => r.remediation).map((r) => r.id);
const NOT_REMEDIABLE = RULES.filter((r) => !r.remediation).map((r) => r.id);

describe('default policy', () => {
  it('resolves every registered rule to notify (or its own lower default) with its default parameters', () => {
    expect(Object.keys(DEFAULT_POLICY.rules).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const rule of RULES) {
      const rp = DEFAULT_POLICY.rules[rule.id]!;
      expect(rp.mode).toBe(rule.defaultMode ?? 'notify');
      expect(rp.severity).toBeUndefined();
      expect(rp.params).toEqual(rule.params?.defaults);
    }
    expect(DEFAULT_POLICY.dryRun).toBe(false);
    expect(DEFAULT_POLICY.exemptions).toEqual([]);
  });

  it('treats an empty file, a comment-only file and `version: 1` as the default policy', () => {
    for (const text of ['', '# nothing here\n', 'version: 1\n', 'rules:\nexemptions:\n'])
      expect(parsePolicy(text)).toEqual(DEFAULT_POLICY);
    expect(policyFromDocument(null)).toEqual(DEFAULT_POLICY);
  });
});

describe('modes', () => {
  it('accepts off, observe and notify for every rule', () => {
    for (const mode of ['off', 'observe', 'notify'] as const) {
      const yaml = `rules:\n${RULES.map((r) => `  ${r.id}: { mode: ${mode} }`).join('\n')}\n`;
      const p = parsePolicy(yaml);
      for (const r of RULES) expect(p.rules[r.id]!.mode).toBe(mode);
    }
  });

  it('accepts remediate only for rules that have a remediation action', () => {
    expect(REMEDIABLE.length).toBeGreaterThan(0);
    for (const id of REMEDIABLE)
      expect(parsePolicy(`rules:\n  ${id}:\n    mode: remediate\n`).rules[id]!.mode).toBe('remediate');
    for (const id of NOT_REMEDIABLE) {
      const err = policyError(`rules:\n  ${id}:\n    mode: remediate\n`);
      expect(err.key).toBe(`rules.${id}.mode`);
      expect(err.message).toBe(
        `policy.yml: rules.${id}.mode: rule has no remediation action; use notify or observe`,
      );
    }
  });

  it('rejects an unknown mode naming the key and the allowed values', () => {
    const err = policyError('rules:\n  td-privileged:\n    mode: block\n');
    expect(err.key).toBe('rules.td-privileged.mode');
    expect(err.message).toContain('"remediate"');
    expect(err.message).toContain('got "block"');
  });

  it('defaultMode applies to rules the file does not name; remediate falls back to notify where impossible', () => {
    const p = parsePolicy('defaultMode: remediate\nrules:\n  td-privileged: { mode: observe }\n');
    expect(p.rules['td-privileged']!.mode).toBe('observe');
    for (const id of REMEDIABLE.filter((x) => x !== 'td-privileged'))
      expect(p.rules[id]!.mode).toBe('remediate');
    for (const id of NOT_REMEDIABLE)
      expect(p.rules[id]!.mode).toBe(RULES.find((r) => r.id === id)?.defaultMode ?? 'notify');

    const off = parsePolicy('defaultMode: off\nrules:\n  svc-public-ip: { mode: notify }\n');
    expect(off.rules['svc-public-ip']!.mode).toBe('notify');
    expect(off.rules['td-privileged']!.mode).toBe('off');
  });

  it("a rule's own default mode (opt-in or observe-only) lowers the policy's defaultMode, never raises it", () => {
    const base = RULES.find((r) => !r.remediation)!;
    const observeOnly = { ...base, defaultMode: 'observe' as const };
    const optIn = { ...base, defaultMode: 'off' as const };
    expect(ruleDefaultMode(observeOnly, 'notify')).toBe('observe');
    expect(ruleDefaultMode(observeOnly, 'remediate')).toBe('observe');
    expect(ruleDefaultMode(observeOnly, 'off')).toBe('off');
    expect(ruleDefaultMode(optIn, 'observe')).toBe('off');
    expect(ruleDefaultMode(base, 'remediate')).toBe('notify');
    expect(
      ruleDefaultMode(
        RULES.find((r) => r.remediation)!,
        'remediate',
      ),
    ).toBe('remediate');
  });

  it('accepts a null rule entry (the key with nothing under it) as the defaults', () => {
    expect(parsePolicy('rules:\n  td-privileged:\n').rules['td-privileged']).toEqual(
      DEFAULT_POLICY.rules['td-privileged'],
    );
  });
});

describe('severity override', () => {
  it('sets the severity of one rule and leaves the others alone', () => {
    const p = parsePolicy('rules:\n  td-root-user:\n    severity: high\n');
    expect(p.rules['td-root-user']!.severity).toBe('high');
    expect(p.rules['td-privileged']!.severity).toBeUndefined();
  });

  it('rejects a severity outside the scale', () => {
    const err = policyError('rules:\n  td-root-user:\n    severity: urgent\n');
    expect(err.key).toBe('rules.td-root-user.severity');
    expect(err.message).toContain('got "urgent"');
  });
});

describe('parameters', () => {
  it('merges the given parameters over the defaults', () => {
    const p = parsePolicy('rules:\n  throttle-api-calls:\n    params:\n      threshold: 3\n');
    expect(p.rules['throttle-api-calls']!.params).toEqual({
      threshold: 3,
      windowMinutes: 5,
      escalationFactor: 10,
    });
  });

  it('replaces list parameters as a whole (a deny list is not appended to)', () => {
    const p = parsePolicy('rules:\n  td-dangerous-capabilities:\n    params:\n      denyList: [SYS_ADMIN]\n');
    expect(p.rules['td-dangerous-capabilities']!.params).toEqual({ denyList: ['SYS_ADMIN'] });
  });

  it('accepts every parameter of every rule at its default value', () => {
    for (const rule of RULES) {
      if (!rule.params) continue;
      const doc = { rules: { [rule.id]: { params: rule.params.defaults } } };
      expect(policyFromDocument(doc).rules[rule.id]!.params).toEqual(rule.params.defaults);
    }
  });

  it('rejects an unknown parameter name, naming it and listing the known ones', () => {
    const err = policyError('rules:\n  throttle-api-calls:\n    params:\n      treshold: 3\n');
    expect(err.key).toBe('rules.throttle-api-calls.params.treshold');
    expect(err.message).toContain('unknown parameter');
    expect(err.message).toContain('threshold, windowMinutes, escalationFactor');
  });

  it('rejects parameter names that only exist on Object.prototype', () => {
    // (valibot's record drops `__proto__`, `constructor` and `prototype` keys before the policy sees them.)
    for (const name of ['toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      const err = policyError(`rules:\n  td-dangerous-capabilities:\n    params:\n      ${name}: 1\n`);
      expect(err.key).toBe(`rules.td-dangerous-capabilities.params.${name}`);
      expect(err.message).toContain('unknown parameter');
    }
  });

  it('rejects parameters for a rule that takes none', () => {
    const err = policyError('rules:\n  td-host-network:\n    params:\n      x: 1\n');
    expect(err.key).toBe('rules.td-host-network.params');
    expect(err.message).toContain('takes no parameters');
  });

  it.each([
    ['throttle-api-calls', 'threshold: ten', 'threshold', 'expected number'],
    ['throttle-api-calls', 'threshold: 0', 'threshold', '>=1'],
    ['throttle-api-calls', 'threshold: 2.5', 'threshold', 'integer'],
    ['throttle-api-calls', 'escalationFactor: 1', 'escalationFactor', '>=2'],
    ['throttle-ecs-operation', 'windowMinutes: 0', 'windowMinutes', '>=1'],
    ['throttle-ecs-operation', 'windowMinutes: 1441', 'windowMinutes', '<=1440'],
    ['td-dangerous-capabilities', 'denyList: SYS_ADMIN', 'denyList', 'expected Array'],
    ['td-untrusted-registry', 'allowRegistries: [1]', 'allowRegistries.0', 'expected string'],
    ['svc-fargate-platform-outdated', 'minimumVersion: 1.4', 'minimumVersion', 'expected string'],
  ])('rejects a bad value for %s (%s)', (rule, line, keyTail, problem) => {
    const err = policyError(`rules:\n  ${rule}:\n    params:\n      ${line}\n`);
    expect(err.key).toBe(`rules.${rule}.params.${keyTail}`);
    expect(err.message).toContain(problem);
  });

  it('rejects an extra secret value pattern that is not a valid regular expression', () => {
    const err = policyError(
      'rules:\n  td-secrets-in-environment:\n    params:\n      extraValues:\n        - { name: x, pattern: "(" }\n',
    );
    expect(err.key).toBe('rules.td-secrets-in-environment.params.extraValues.0.pattern');
    expect(err.message).toContain('must be a valid regular expression');
  });
});

describe('unknown keys and rule ids', () => {
  it('rejects an unknown top-level key, naming it', () => {
    const err = policyError('rule:\n  td-privileged: { mode: off }\n');
    expect(err.key).toBe('rule');
    expect(err.message).toBe('policy.yml: rule: unknown key');
  });

  it('rejects an unknown key inside a rule entry', () => {
    const err = policyError('rules:\n  td-privileged:\n    mod: off\n');
    expect(err.key).toBe('rules.td-privileged.mod');
    expect(err.message).toContain('unknown key');
  });

  it('rejects an unknown rule id and suggests the closest one', () => {
    const err = policyError('rules:\n  td-privilege:\n    mode: off\n');
    expect(err.key).toBe('rules.td-privilege');
    expect(err.message).toBe('policy.yml: rules.td-privilege: unknown rule id (did you mean td-privileged?)');
    expect(policyError('rules:\n  svc-publicip: {}\n').message).toContain('did you mean svc-public-ip?');
    expect(policyError('rules:\n  throttle-api-call: {}\n').message).toContain(
      'did you mean throttle-api-calls?',
    );
  });

  it('makes no suggestion when nothing is close', () => {
    const err = policyError('rules:\n  completely-different: {}\n');
    expect(err.message).toBe('policy.yml: rules.completely-different: unknown rule id');
  });

  it('rejects an unknown rule id in an exemption, with a suggestion', () => {
    const err = policyError('exemptions:\n  - rule: td-root-usr\n    arn: "*"\n');
    expect(err.key).toBe('exemptions[0].rule');
    expect(err.message).toContain('did you mean td-root-user?');
  });
});

describe('bad YAML and bad types', () => {
  it('reports YAML syntax errors with the file name', () => {
    const err = policyError('rules: [\n  td-privileged\n');
    expect(err.message).toMatch(/^policy\.yml: not valid YAML: /);
    expect(err.key).toBeUndefined();
    expect(policyError('a: b: c\n').message).toContain('not valid YAML');
  });

  it('rejects a quoted "yes" (and a bare yes: YAML 1.2 has no yes/no booleans) for dryRun', () => {
    for (const text of ['dryRun: "yes"\n', 'dryRun: yes\n']) {
      const err = policyError(text);
      expect(err.key).toBe('dryRun');
      expect(err.message).toBe('policy.yml: dryRun: expected boolean, got "yes"');
    }
    expect(parsePolicy('dryRun: true\n').dryRun).toBe(true);
  });

  it('rejects an unsupported version', () => {
    const err = policyError('version: 2\n');
    expect(err.key).toBe('version');
    expect(err.message).toContain('got 2');
  });

  it('says a scalar rule entry is the wrong type, not an unknown key', () => {
    const err = policyError('rules:\n  td-privileged: off\n');
    expect(err.key).toBe('rules.td-privileged');
    expect(err.message).not.toContain('unknown key');
    expect(err.message).toContain('expected Object');
  });

  it('says a missing exemption field is required, not an unknown key', () => {
    const err = policyError('exemptions:\n  - rule: td-root-user\n');
    expect(err.key).toBe('exemptions.0.arn');
    expect(err.message).toContain('is required');
    expect(err.message).not.toContain('unknown key');
  });

  it('rejects exemptions given as a mapping instead of a list', () => {
    const err = policyError('exemptions:\n  rule: td-root-user\n  arn: "*"\n');
    expect(err.key).toBe('exemptions');
    expect(err.message).toContain('expected Array, got a mapping');
  });

  it('rejects a document that is not a mapping', () => {
    const err = policyError('"just a string"\n');
    expect(err.message).not.toContain('unknown key');
    expect(err.message).toContain('expected Object');
  });

  it('rejects an exemption expiry that is not a real calendar date', () => {
    for (const until of ['2027-13-45', '2027-02-30', '2027-1-31', 'tomorrow']) {
      const err = policyError(`exemptions:\n  - rule: td-root-user\n    arn: "*"\n    until: ${until}\n`);
      expect(err.key).toBe('exemptions.0.until');
      expect(err.message).toContain('YYYY-MM-DD');
    }
  });

  it('accepts an unquoted YAML date and a quoted one for until', () => {
    const p = parsePolicy(
      'exemptions:\n  - { rule: td-root-user, arn: "*", until: 2027-01-31 }\n  - { rule: "*", arn: "*", until: "2028-02-29" }\n',
    );
    expect(p.exemptions.map((e) => e.until)).toEqual(['2027-01-31', '2028-02-29']);
  });
});

describe('loadPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a file and names it in errors', () => {
    const good = join(dir, 'good.yml');
    writeFileSync(good, 'dryRun: true\nrules:\n  td-privileged: { mode: remediate }\n');
    const p = loadPolicyFile(good);
    expect(p.dryRun).toBe(true);
    expect(p.rules['td-privileged']!.mode).toBe('remediate');

    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'rules:\n  td-privileged: { mode: sometimes }\n');
    expect(() => loadPolicyFile(bad)).toThrow(`${bad}: rules.td-privileged.mode: expected`);
  });

  it('reports a missing file as a PolicyError with the error code', () => {
    const missing = join(dir, 'missing.yml');
    expect(() => loadPolicyFile(missing)).toThrow(PolicyError);
    expect(() => loadPolicyFile(missing)).toThrow(`${missing}: cannot read policy file (ENOENT)`);
  });
});
