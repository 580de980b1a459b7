/**
 * The registry is the single source: docs/remediation.md is rendered from it, rules point at registered
 * actions, and the member-account role grants exactly the permissions the actions declare.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_SPECS } from '../../../shared/plugins/actions';
import { RULES } from '../../../shared/rules/registry';
import { DOC_PATH, renderedDocument } from '../../../scripts/docs/action-reference';
import {
  ACTIONS,
  ACTIONS_BY_NAME,
  remediationIamPermissions,
  rulesOf,
} from '../../../shared/remediation/registry';
import { readTemplate } from './helpers';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const template = readTemplate() as {
  Parameters: Record<string, { NoEcho?: boolean }>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
};

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('docs/remediation.md', () => {
  it('is up to date with the registry (regenerate: npm run docs)', async () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(doc).toBe(await renderedDocument(doc));
  });

  it('lists every action with its write calls, IAM permissions and risk', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    for (const a of ACTIONS) {
      expect(doc).toContain(`### ${a.meta.name}`);
      for (const p of a.meta.iamPermissions) expect(doc).toContain(`\`${p}\``);
      expect(doc).toContain(`Risk: **${a.meta.risk}**`);
    }
  });
});

describe('registry', () => {
  it('each action is its declaration (shared/plugins/actions, what the policy reads), in the same order', () => {
    expect(ACTIONS.map((a) => a.meta.name)).toEqual(ACTION_SPECS.map((s) => s.meta.name));
    ACTIONS.forEach((a, i) => {
      expect(a.meta, a.meta.name).toBe(ACTION_SPECS[i]!.meta);
      expect(a.params, a.meta.name).toBe(ACTION_SPECS[i]!.params);
    });
  });

  it("every rule's remediation action is registered and names the rule", () => {
    const remediable = RULES.filter((r) => r.remediation);
    expect(remediable.length).toBeGreaterThan(0);
    for (const r of remediable) {
      const a = ACTIONS_BY_NAME.get(r.remediation!.action);
      expect(a, r.id).toBeDefined();
      expect(rulesOf(a!.meta.name)).toContain(r.id);
    }
  });

  it('no action asks for a wildcard permission', () => {
    for (const p of remediationIamPermissions()) expect(p).toMatch(/^(ecs|ec2|guardduty):[A-Z][A-Za-z]+$/);
  });
});

describe('infra/member-account.yml', () => {
  const role = template.Resources.RemediationRole!;
  const statements = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );

  it('the remediation role allows exactly the permissions of the registered actions', () => {
    const allowed = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect([...new Set(allowed)].sort()).toEqual(remediationIamPermissions());
    expect(allowed).not.toContain('*');
    expect(allowed.some((a) => a.endsWith(':*'))).toBe(false);
  });

  it('writes are scoped to the account, and protected resources are denied', () => {
    const byAction = (a: string) => statements.find((s) => s.Effect === 'Allow' && actionsOf(s).includes(a))!;
    expect(byAction('ecs:StopTask').Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ecs:*:${AWS::AccountId}:task/*',
    });
    expect(byAction('ecs:UpdateService').Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ecs:*:${AWS::AccountId}:service/*',
    });
    const deny = statements.find((s) => s.Effect === 'Deny')!;
    expect(actionsOf(deny).sort()).toEqual([
      'ecs:StopTask',
      'ecs:UpdateClusterSettings',
      'ecs:UpdateService',
    ]);
    expect(deny.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/guardrail:protect': 'true' } });
  });

  it('only the central remediation role can assume it, with an external id and/or the organization', () => {
    const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    expect(trust).toHaveLength(1);
    const t = trust[0] as Statement & { Principal: unknown };
    expect(t.Principal).toEqual({
      AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:root' },
    });
    const text = JSON.stringify(t.Condition);
    expect(text).toContain(
      '"aws:PrincipalArn":[{"Ref":"CentralEcsStateChangeRoleArn"},{"Ref":"CentralCloudtrailApiCallRoleArn"}]',
    );
    expect(text).toContain('"sts:ExternalId":{"Ref":"ExternalId"}');
    expect(text).toContain('"aws:PrincipalOrgID":{"Ref":"OrganizationId"}');
    expect(template.Parameters.ExternalId?.NoEcho).toBe(true);
    expect(role.Condition).toBe('CreateRemediationRoleHere');
  });

  it('forwards ECS and throttling events to the central bus through a role limited to PutEvents', () => {
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    // One per central rule (infra/event-patterns.json; test/unit/infra/member-account.test.ts).
    expect(rules.length).toBeGreaterThanOrEqual(3);
    for (const r of rules) {
      const [target] = r.Properties.Targets as {
        Arn: unknown;
        RoleArn: unknown;
        DeadLetterConfig: unknown;
      }[];
      expect(target!.Arn).toEqual({ Ref: 'CentralEventBusArn' });
      expect(target!.RoleArn).toEqual({ 'Fn::GetAtt': ['ForwardingRole', 'Arn'] });
      expect(target!.DeadLetterConfig).toBeDefined();
    }
    const fwd = template.Resources.ForwardingRole!.Properties.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    expect(fwd.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } },
    ]);
  });
});
