/** What the policy does to evaluation: modes, severity, parameters, the protect tag and dry-run. */
import { describe, expect, it } from 'vitest';
import { RULES_BY_ID } from '../../../shared/rules/registry';
import {
  byRule,
  createService,
  findingsOf,
  okContainer,
  one,
  policyOf,
  registerTd,
} from '../engine/builders';

const privilegedTd = (tags?: Record<string, string>) =>
  registerTd({
    family: 'agent',
    revision: 4,
    containers: [okContainer('agent', { privileged: true, user: 'root' })],
    ...(tags ? { tags } : {}),
  });

describe('modes', () => {
  it('off: the rule is not evaluated at all; other rules still are', async () => {
    const findings = await findingsOf(privilegedTd(), policyOf('rules:\n  td-privileged: { mode: off }\n'));
    expect(byRule(findings, 'td-privileged')).toEqual([]);
    expect(byRule(findings, 'td-root-user')).toHaveLength(1);
  });

  it('observe and notify: the finding records the mode and carries no action', async () => {
    for (const mode of ['observe', 'notify'] as const) {
      const f = one(
        await findingsOf(privilegedTd(), policyOf(`rules:\n  td-privileged: { mode: ${mode} }\n`)),
        'td-privileged',
      );
      expect(f.mode).toBe(mode);
      expect(f.action).toBeUndefined();
    }
  });

  it('remediate: the rule action is planned', async () => {
    const f = one(
      await findingsOf(privilegedTd(), policyOf('rules:\n  td-privileged: { mode: remediate }\n')),
      'td-privileged',
    );
    expect(f.mode).toBe('remediate');
    expect(f.action).toEqual({ name: 'deregister-task-definition', status: 'planned' });
  });

  it('remediate on a service rule plans that rule own action', async () => {
    const svc = createService({ name: 'web', assignPublicIp: 'ENABLED', enableExecuteCommand: true });
    const findings = await findingsOf(
      svc,
      policyOf('rules:\n  svc-public-ip: { mode: remediate }\n  svc-exec-enabled: { mode: remediate }\n'),
    );
    expect(one(findings, 'svc-public-ip').action).toEqual({ name: 'disable-public-ip', status: 'planned' });
    expect(one(findings, 'svc-exec-enabled').action).toEqual({ name: 'disable-exec', status: 'planned' });
  });
});

describe('severity override', () => {
  it('replaces the default severity in the finding', async () => {
    const policy = policyOf(
      'rules:\n  td-root-user: { severity: critical }\n  td-privileged: { severity: low }\n',
    );
    const findings = await findingsOf(privilegedTd(), policy);
    expect(one(findings, 'td-root-user').severity).toBe('critical');
    expect(one(findings, 'td-privileged').severity).toBe('low');
    expect(RULES_BY_ID.get('td-root-user')!.severity).toBe('medium');
  });
});

describe('parameters reach the rules', () => {
  it('a custom capability deny list replaces the default one', async () => {
    const td = registerTd({
      containers: [
        okContainer('a', { linuxParameters: { capabilities: { add: ['CAP_sys_admin', 'CHOWN'] } } }),
      ],
    });
    expect(one(await findingsOf(td), 'td-dangerous-capabilities').evidence[0]!.message).toContain(
      'SYS_ADMIN',
    );
    const custom = policyOf('rules:\n  td-dangerous-capabilities:\n    params: { denyList: [chown] }\n');
    const f = one(await findingsOf(td, custom), 'td-dangerous-capabilities');
    expect(f.evidence[0]!.message).toBe('container "a" adds CHOWN');
  });

  it('a custom registry allow-list', async () => {
    const td = registerTd({ containers: [okContainer('a', { image: 'registry.example.com/team/a:1.2.3' })] });
    expect(byRule(await findingsOf(td), 'td-untrusted-registry')).toHaveLength(1);
    const custom = policyOf(
      'rules:\n  td-untrusted-registry:\n    params: { allowRegistries: ["*.example.com"] }\n',
    );
    expect(byRule(await findingsOf(td, custom), 'td-untrusted-registry')).toEqual([]);
  });

  it('extra secret names and allowed names', async () => {
    const td = registerTd({
      containers: [
        okContainer('a', {
          environment: [
            { name: 'DB_PASSPHRASE', value: 'correct horse battery staple' },
            { name: 'PUBLIC_TOKEN_URL', value: 'https://example.com/token' },
          ],
        }),
      ],
    });
    const byDefault = one(await findingsOf(td), 'td-secrets-in-environment');
    expect(byDefault.evidence.map((e) => e.message)).toEqual([
      'environment variable "PUBLIC_TOKEN_URL" in container "a" looks like a credential: name matches the credential pattern TOKEN',
    ]);
    const custom = policyOf(
      'rules:\n  td-secrets-in-environment:\n    params: { extraNames: [passphrase], allowNames: [PUBLIC_TOKEN_URL] }\n',
    );
    const f = one(await findingsOf(td, custom), 'td-secrets-in-environment');
    expect(f.evidence.map((e) => e.message)).toEqual([
      'environment variable "DB_PASSPHRASE" in container "a" looks like a credential: name matches the credential pattern PASSPHRASE',
    ]);
  });
});

describe('guardrail:protect', () => {
  it('protect=true: the action is skipped, the finding still notifies', async () => {
    const policy = policyOf('rules:\n  td-privileged: { mode: remediate }\n');
    const f = one(await findingsOf(privilegedTd({ 'guardrail:protect': 'true' }), policy), 'td-privileged');
    expect(f.mode).toBe('remediate');
    expect(f.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'resource is tagged guardrail:protect=true: notify only',
    });
  });

  it('protects services too; any other value of the tag does not protect', async () => {
    const policy = policyOf('rules:\n  svc-public-ip: { mode: remediate }\n');
    const on = createService({ name: 'a', assignPublicIp: 'ENABLED', tags: { 'guardrail:protect': 'true' } });
    expect(one(await findingsOf(on, policy), 'svc-public-ip').action?.status).toBe('skipped');
    const off = createService({
      name: 'b',
      assignPublicIp: 'ENABLED',
      tags: { 'guardrail:protect': 'false' },
    });
    expect(one(await findingsOf(off, policy), 'svc-public-ip').action?.status).toBe('planned');
  });

  it('protect wins over dry-run', async () => {
    const policy = policyOf('dryRun: true\nrules:\n  td-privileged: { mode: remediate }\n');
    const f = one(await findingsOf(privilegedTd({ 'guardrail:protect': 'true' }), policy), 'td-privileged');
    expect(f.action?.status).toBe('skipped');
  });
});

describe('dryRun', () => {
  it('turns every remediation into a planned action saying what it would do', async () => {
    const policy = policyOf('dryRun: true\nrules:\n  td-privileged: { mode: remediate }\n');
    const f = one(await findingsOf(privilegedTd(), policy), 'td-privileged');
    expect(f.mode).toBe('remediate');
    expect(f.action).toEqual({
      name: 'deregister-task-definition',
      status: 'planned',
      reason: `dry-run: would ${RULES_BY_ID.get('td-privileged')!.remediation!.summary}`,
    });
    expect(f.action!.reason).toMatch(/^dry-run: would /);
  });

  it('adds no action to rules that are not in remediate mode', async () => {
    const policy = policyOf('dryRun: true\n');
    for (const f of await findingsOf(privilegedTd(), policy)) expect(f.action).toBeUndefined();
  });

  it('applies to defaultMode remediate as well', async () => {
    const policy = policyOf('dryRun: true\ndefaultMode: remediate\n');
    const svc = createService({ name: 'web', assignPublicIp: 'ENABLED' });
    const f = one(await findingsOf(svc, policy), 'svc-public-ip');
    expect(f.action?.reason).toMatch(/^dry-run: would UpdateService/);
  });
});
