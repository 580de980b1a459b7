/**
 * infra/member-account.yml, the StackSet template every member account and region gets:
 * - cfn-lint reports nothing on it (the real cfn-lint; fails, never skips, when it is missing);
 * - its forwarding rules are generated from infra/event-patterns.json (one per central rule, the same
 *   pattern and state; `npm run docs`), each with a retry policy and a DLQ that lets exactly them in;
 * - what is created where: forwarding in every region except the central bus's own (a loop), the roles
 *   once per member account (RoleRegion), nothing of it in the central account;
 * - each role trusts exactly the central functions' roles that need it, with aws:PrincipalOrgID and/or
 *   sts:ExternalId, never a wildcard principal; shown by evaluating the trust statement (moto enforces
 *   no trust policy) for callers inside and outside the organization;
 * - the read role reads only, and covers every read the central enriching and sweeping roles make.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FORWARDING_RETRY,
  FORWARDING_RULE_PREFIX,
  MAX_EVENT_PATTERN,
  MEMBER_TEMPLATE_PATH,
  forwardingRules,
  readCentralRules,
  readPatterns,
  renderedMemberTemplate,
  withForwardingRules,
} from '../../../scripts/docs/member-forwarding';
import patterns from '../../../infra/event-patterns.json';
import { condition, resolve, trustAllows, type AssumeRequest, type Stack } from './evaluate';
import {
  asArray,
  centralTemplate,
  readService,
  readYaml,
  ROOT,
  type CfnResource,
  type Json,
  type Statement,
  type Template,
} from './templates';

type MemberTemplate = Template & {
  Conditions: Record<string, unknown>;
  Rules: Record<string, { RuleCondition?: unknown; Assertions: { Assert: unknown }[] }>;
};
const member = readYaml('infra/member-account.yml') as MemberTemplate;
const central = centralTemplate();
const centralRules = readYaml('infra/eventbridge.yml') as Template;
const service = readService();

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const ORG = 'o-abcdefghij';
const CENTRAL_BUS = `arn:aws:events:eu-west-1:${CENTRAL}:event-bus/default`;
const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

/** Functions whose handler passes a loader of the given kind (`enricher:`, `remediator:`). */
const functionsWith = (loader: string): string[] =>
  readdirSync(join(ROOT, 'functions'))
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        new RegExp(`\\b${loader}:`).test(readFileSync(join(ROOT, 'functions', f), 'utf8')),
    )
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

const roleOf = (fn: string): string => {
  const sub = (service.functions[fn]!.role as { 'Fn::Sub': string })['Fn::Sub'];
  return /^\$\{(\w+)\.Arn\}$/.exec(sub)![1]!;
};

/** The member parameter naming a central function's role: `Central` + the central output of that role. */
function parameterFor(fn: string): string {
  const role = roleOf(fn);
  const output = Object.entries(central.Outputs ?? {}).find(
    ([, o]) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [role, 'Arn'] }),
  );
  if (!output) throw new Error(`no central output for ${role} (${fn})`);
  return `Central${output[0]}`;
}

/** Which central functions each member role is for (from the code, not restated). */
const ROLE_USERS: Record<string, string[]> = {
  ReadRole: [...new Set([...functionsWith('enricher'), 'sweep'])].sort(),
  FindingsRole: ['notifier'],
  RemediationRole: functionsWith('remediator'),
};

/** A member parameter value per central role parameter: the central account's role of that function. */
const centralRoleParams = Object.fromEntries(
  Object.keys(service.functions).flatMap((fn) => {
    try {
      return [[parameterFor(fn), roleArn(CENTRAL, `ecs-guardrail-prod-${fn}`)]];
    } catch {
      return [];
    }
  }),
) as Record<string, string>;

function stack(over: Partial<Stack> & { params?: Record<string, string> } = {}): Stack {
  return {
    account: over.account ?? MEMBER,
    region: over.region ?? 'us-east-1',
    conditions: member.Conditions,
    parameters: {
      ...Object.fromEntries(
        Object.entries(member.Parameters ?? {}).map(([k, p]) => [k, String(p.Default ?? '')]),
      ),
      CentralAccountId: CENTRAL,
      CentralEventBusArn: CENTRAL_BUS,
      ...centralRoleParams,
      OrganizationId: ORG,
      ...over.params,
    },
  };
}

const resources = (type: string): [string, CfnResource][] =>
  Object.entries(member.Resources).filter(([, r]) => r.Type === type);

/** Whether a resource exists in the stack instance. */
const created = (id: string, s: Stack): boolean => {
  const c = member.Resources[id]!.Condition;
  return c === undefined || condition(c, s);
};

const trustOf = (id: string, s: Stack): Statement[] =>
  asArray(
    (resolve(member.Resources[id]!.Properties.AssumeRolePolicyDocument, s) as { Statement: Statement[] })
      .Statement,
  );

const policyStatements = (id: string): Statement[] =>
  asArray(
    member.Resources[id]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[],
  ).flatMap((p) => asArray(p.PolicyDocument.Statement));

describe('infra/member-account.yml: lint and generated forwarding rules', () => {
  it('cfn-lint reports nothing (no error, no warning)', () => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0)
      throw new Error('cfn-lint is not installed: pip install cfn-lint');
    const r = spawnSync('cfn-lint', ['--format', 'json', '--', MEMBER_TEMPLATE_PATH], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(r.stdout.trim() === '' ? [] : JSON.parse(r.stdout)).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  it('the forwarding section is what `npm run docs` generates from infra/event-patterns.json', async () => {
    const text = readFileSync(MEMBER_TEMPLATE_PATH, 'utf8');
    expect(text, 'out of date: run npm run docs').toBe(await renderedMemberTemplate(text));
  });

  it('an API name added to infra/event-patterns.json makes the template out of date (no silent drift)', () => {
    const text = readFileSync(MEMBER_TEMPLATE_PATH, 'utf8');
    // The ECS calls are the first branch of the pattern's `detail.$or` (the second: the ECR calls).
    const withName = (detail: Json): Json => {
      const [ecs, ...rest] = detail.$or as Json[];
      return {
        ...detail,
        $or: [{ ...ecs, eventName: [...(ecs!.eventName as string[]), 'TagResource'] }, ...rest],
      };
    };
    const added = forwardingRules().map((r) =>
      r.key === 'cloudtrail-api-call'
        ? { ...r, pattern: { ...(r.pattern as Json), detail: withName((r.pattern as Json).detail as Json) } }
        : r,
    );
    expect(withForwardingRules(text, added)).not.toBe(withForwardingRules(text));
    expect(withForwardingRules(text, added)).toContain('- TagResource');
  });

  it('the generator refuses, naming the key: a pattern no central rule uses, one used twice, a name or pattern over the limits', () => {
    const central = readCentralRules();
    const patterns = readPatterns();
    expect(() => forwardingRules({ ...patterns, 'not-routed': { source: ['aws.ecs'] } }, central)).toThrow(
      /"not-routed": 0 central rules/,
    );
    const twice = [...central, central.find((r) => r.Properties?.EventPattern)!];
    expect(() => forwardingRules(patterns, twice)).toThrow(/: 2 central rules/);
    const longKey = 'k'.repeat(64);
    const withLong = [
      ...central,
      {
        Type: 'AWS::Events::Rule',
        Properties: { EventPattern: `\${file(./infra/event-patterns.json):${longKey}}`, State: 'ENABLED' },
      },
    ];
    expect(() => forwardingRules({ [longKey]: { source: ['aws.ecs'] } }, withLong)).toThrow(
      /not a valid EventBridge rule name/,
    );
    const names = Array.from({ length: 400 }, (_, i) => `ApiCallNumber${i}`);
    const huge = {
      ...patterns,
      'cloudtrail-api-call': { source: ['aws.ecs'], detail: { eventName: names } },
    };
    expect(JSON.stringify(huge['cloudtrail-api-call']).length).toBeGreaterThan(MAX_EVENT_PATTERN);
    expect(() => forwardingRules(huge, central)).toThrow(
      /"cloudtrail-api-call": the pattern has \d+ characters/,
    );
  });

  it("the template fits CloudFormation's TemplateBody limit (51,200 bytes) with room for new API names", () => {
    const bytes = Buffer.byteLength(readFileSync(MEMBER_TEMPLATE_PATH, 'utf8'));
    // Beyond it, create-stack-set needs --template-url (an S3 object).
    expect(bytes).toBeLessThan(51_200 * 0.75);
  });

  it('one forwarding rule per central rule: the same pattern and state, to the central bus, retried, with a DLQ', () => {
    const rules = resources('AWS::Events::Rule');
    const keys = Object.keys(patterns);
    expect(rules).toHaveLength(keys.length);
    const centralByPattern = Object.fromEntries(
      Object.values(centralRules.Resources)
        .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern)
        .map((r) => [String(r.Properties.EventPattern), r.Properties.State]),
    );
    for (const key of keys) {
      const found = rules.filter(([, r]) => r.Properties.Name === `${FORWARDING_RULE_PREFIX}${key}`);
      expect(found, key).toHaveLength(1);
      const [id, rule] = found[0]!;
      expect(rule.Condition, id).toBe('ForwardEvents');
      expect(rule.Properties.EventPattern, id).toEqual((patterns as Record<string, unknown>)[key]);
      expect(rule.Properties.State, id).toBe(
        centralByPattern[`\${file(./infra/event-patterns.json):${key}}`],
      );
      expect(rule.Properties.EventBusName, `${id} on the default bus`).toBeUndefined();
      expect(rule.Properties.Targets, id).toEqual([
        {
          Id: 'central-bus',
          Arn: { Ref: 'CentralEventBusArn' },
          RoleArn: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] },
          RetryPolicy: FORWARDING_RETRY,
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardingDlq', 'Arn'] } },
        },
      ]);
    }
    // The read-only throttled calls reach only a rule in this state, in the member account as centrally.
    expect(
      rules.find(([, r]) => r.Properties.Name === `${FORWARDING_RULE_PREFIX}throttling`)![1].Properties.State,
    ).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('the DLQ policy lets exactly the forwarding rules of this account and region in; the forwarder may only PutEvents on the central bus', () => {
    const s = stack();
    const [, qp] = resources('AWS::SQS::QueuePolicy')[0]!;
    const [st] = asArray((resolve(qp.Properties.PolicyDocument, s) as { Statement: Statement[] }).Statement);
    expect(st).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    const like = String((st!.Condition!.ArnLike as Json)['aws:SourceArn']);
    const matches = (arn: string) =>
      new RegExp(`^${like.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(arn);
    for (const [, r] of resources('AWS::Events::Rule'))
      expect(matches(`arn:aws:events:us-east-1:${MEMBER}:rule/${String(r.Properties.Name)}`)).toBe(true);
    expect(matches(`arn:aws:events:us-east-1:${MEMBER}:rule/someone-elses-rule`)).toBe(false);
    expect(matches(`arn:aws:events:us-east-1:999999999999:rule/${FORWARDING_RULE_PREFIX}x`)).toBe(false);
    expect(matches(`arn:aws:events:eu-west-1:${MEMBER}:rule/${FORWARDING_RULE_PREFIX}x`)).toBe(false);
    expect(policyStatements('ForwardingRole')).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } },
    ]);
  });
});

describe('infra/member-account.yml: what each stack instance creates', () => {
  const ROLES = ['ReadRole', 'FindingsRole', 'RemediationRole'];
  const FORWARDING = ['ForwardingRole', 'ForwardingDlq', 'ForwardingDlqPolicy'].concat(
    resources('AWS::Events::Rule').map(([id]) => id),
  );

  it('a member account: forwarding in every region, the roles once (RoleRegion)', () => {
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
      const s = stack({ region });
      for (const id of FORWARDING) expect(created(id, s), `${id} in ${region}`).toBe(true);
      for (const id of ROLES) expect(created(id, s), `${id} in ${region}`).toBe(region === 'us-east-1');
    }
    const elsewhere = stack({ region: 'eu-west-1', params: { RoleRegion: 'eu-west-1' } });
    for (const id of ROLES) expect(created(id, elsewhere), id).toBe(true);
  });

  it('the central account: no roles, and no forwarding in the central bus region (it would loop)', () => {
    const home = stack({ account: CENTRAL, region: 'eu-west-1', params: { RoleRegion: 'eu-west-1' } });
    for (const id of [...FORWARDING, ...ROLES]) expect(created(id, home), id).toBe(false);
    const otherRegion = stack({ account: CENTRAL, region: 'us-east-1' });
    for (const id of FORWARDING) expect(created(id, otherRegion), id).toBe(true);
    for (const id of ROLES) expect(created(id, otherRegion), id).toBe(false);
  });

  it("no loop whichever account holds the bus: forwarding is left out only in the bus's own account and region", () => {
    const bus = 'arn:aws:events:eu-west-1:444455556666:event-bus/default';
    const busHome = stack({
      account: '444455556666',
      region: 'eu-west-1',
      params: { CentralEventBusArn: bus },
    });
    for (const id of FORWARDING) expect(created(id, busHome), id).toBe(false);
    const centralSameRegion = stack({
      account: CENTRAL,
      region: 'eu-west-1',
      params: { CentralEventBusArn: bus },
    });
    for (const id of FORWARDING) expect(created(id, centralSameRegion), id).toBe(true);
  });

  it("CreateRemediationRole 'false': a notify-only account keeps forwarding, the read and findings roles", () => {
    const s = stack({ params: { CreateRemediationRole: 'false' } });
    expect(created('RemediationRole', s)).toBe(false);
    for (const id of ['ReadRole', 'FindingsRole', ...FORWARDING]) expect(created(id, s), id).toBe(true);
  });

  it('every role has a fixed default name; outputs exist only where their resource does', () => {
    expect(member.Parameters?.ReadRoleName?.Default).toBe('ecs-guardrail-read');
    expect(member.Parameters?.FindingsRoleName?.Default).toBe('ecs-guardrail-findings');
    expect(member.Parameters?.RemediationRoleName?.Default).toBe('ecs-guardrail-remediation');
    for (const id of ROLES)
      expect(member.Resources[id]!.Properties.RoleName, id).toEqual({ Ref: `${id}Name` });
    for (const [name, out] of Object.entries(member.Outputs ?? {})) {
      const used = JSON.stringify(out.Value).match(/"(?:Ref|Fn::GetAtt)":\[?"(\w+)"/)![1]!;
      expect((out as { Condition?: string }).Condition, name).toBe(member.Resources[used]!.Condition);
    }
  });

  it('the template refuses to deploy roles with neither an organization nor an external id', () => {
    const holds = (params: Record<string, string>) =>
      Object.values(member.Rules).every((rule) =>
        rule.Assertions.every((a) => resolve(a.Assert, stack({ params })) === true),
      );
    expect(holds({ OrganizationId: '', ExternalId: '' })).toBe(false);
    expect(holds({ OrganizationId: ORG, ExternalId: '' })).toBe(true);
    expect(holds({ OrganizationId: '', ExternalId: 'abc-123' })).toBe(true);
  });
});

describe('infra/member-account.yml: role trust', () => {
  const inOrg = (principalArn: string, extra: Partial<AssumeRequest> = {}): AssumeRequest => ({
    principalArn,
    principalOrgId: ORG,
    ...extra,
  });

  it('each role is for the central functions that need it: read (enrichment, sweep, backfill), findings (notifier), remediation', () => {
    expect(ROLE_USERS).toEqual({
      ReadRole: ['backfill', 'cloudtrail-api-call', 'ecs-state-change', 'sweep'],
      FindingsRole: ['notifier'],
      RemediationRole: ['cloudtrail-api-call', 'ecs-state-change'],
    });
    for (const fn of Object.values(ROLE_USERS).flat())
      expect(member.Parameters?.[parameterFor(fn)], parameterFor(fn)).toMatchObject({
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]+$',
      });
  });

  it('no statement of the template has a wildcard principal or a principal outside the central account', () => {
    const s = stack();
    const all = Object.entries(member.Resources).flatMap(([id, r]) => {
      const docs = [r.Properties.AssumeRolePolicyDocument, r.Properties.PolicyDocument].filter(Boolean);
      return docs.flatMap((d) =>
        asArray((resolve(d, s) as { Statement: Statement[] }).Statement).map((st) => ({ id, st })),
      );
    });
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const { id, st } of all) {
      expect(st.Principal, id).toBeDefined();
      expect(JSON.stringify(st.Principal), id).not.toContain('"*"');
      const aws = (st.Principal as { AWS?: unknown }).AWS;
      if (aws !== undefined) expect(aws, id).toBe(`arn:aws:iam::${CENTRAL}:root`);
    }
  });

  for (const [role, users] of Object.entries(ROLE_USERS)) {
    describe(role, () => {
      const allowed = users.map((fn) => centralRoleParams[parameterFor(fn)]!);
      const others = Object.values(centralRoleParams).filter((a) => !allowed.includes(a));

      it('trusts exactly its central roles: every (organization, external id) choice has ArnEquals on aws:PrincipalArn + StringEquals', () => {
        for (const params of [
          { OrganizationId: ORG, ExternalId: '' },
          { OrganizationId: '', ExternalId: 'ext-1234' },
          { OrganizationId: ORG, ExternalId: 'ext-1234' },
        ]) {
          const trust = trustOf(role, stack({ params }));
          expect(trust).toHaveLength(1);
          const [t] = trust as [Statement];
          expect(t.Principal).toEqual({ AWS: `arn:aws:iam::${CENTRAL}:root` });
          expect(t.Action).toBe('sts:AssumeRole');
          expect(Object.keys(t.Condition!).sort()).toEqual(['ArnEquals', 'StringEquals']);
          expect([...asArray(t.Condition!.ArnEquals!['aws:PrincipalArn'] as string[])].sort()).toEqual(
            [...allowed].sort(),
          );
          const eq = t.Condition!.StringEquals!;
          expect(Object.keys(eq).length).toBeGreaterThan(0);
          if (params.OrganizationId) expect(eq['aws:PrincipalOrgID']).toBe(ORG);
          if (params.ExternalId) expect(eq['sts:ExternalId']).toBe('ext-1234');
        }
      });

      it('with the organization: its roles may assume it; outside the organization, another role, another account: refused', () => {
        const trust = trustOf(role, stack());
        for (const arn of allowed) expect(trustAllows(trust, inOrg(arn)), arn).toBe(true);
        for (const arn of allowed) {
          // The same role ARN from outside the organization (the central account left it, or a lookalike).
          expect(trustAllows(trust, inOrg(arn, { principalOrgId: 'o-zzzzzzzzzz' })), arn).toBe(false);
          expect(trustAllows(trust, { principalArn: arn }), `${arn} with no organization`).toBe(false);
          // A role of the same name in another account of the same organization.
          const lookalike = arn.replace(CENTRAL, '999999999999');
          expect(trustAllows(trust, inOrg(lookalike)), lookalike).toBe(false);
        }
        // The central account's other functions and any other principal of that account.
        for (const arn of [...others, roleArn(CENTRAL, 'Admin')])
          expect(trustAllows(trust, inOrg(arn)), arn).toBe(false);
      });

      it('with an external id: the wrong or a missing one is refused, even inside the organization', () => {
        const trust = trustOf(role, stack({ params: { ExternalId: 'ext-1234' } }));
        expect(trustAllows(trust, inOrg(allowed[0]!, { externalId: 'ext-1234' }))).toBe(true);
        expect(trustAllows(trust, inOrg(allowed[0]!, { externalId: 'ext-9999' }))).toBe(false);
        expect(trustAllows(trust, inOrg(allowed[0]!))).toBe(false);
        expect(
          trustAllows(trust, inOrg(allowed[0]!, { externalId: 'ext-1234', principalOrgId: 'o-zzzzzzzzzz' })),
        ).toBe(false);
      });
    });
  }
});

describe('infra/member-account.yml: role permissions', () => {
  const allowedActions = (id: string): string[] =>
    [
      ...new Set(
        policyStatements(id)
          .filter((s) => s.Effect === 'Allow')
          .flatMap((s) => asArray(s.Action)),
      ),
    ].sort();

  it('the read role only reads: Describe/List/Get of ECS, EC2 and IAM, no wildcard, no deny needed', () => {
    const actions = allowedActions('ReadRole');
    expect(actions.length).toBeGreaterThan(15);
    for (const a of actions) expect(a).toMatch(/^(ecs|ec2|iam|guardduty):(Describe|List|Get)[A-Z][A-Za-z]+$/);
    expect(policyStatements('ReadRole').every((s) => s.Effect === 'Allow')).toBe(true);
    // What rules v2 enrichment reads (account settings, tags, security groups, task role policies).
    expect(actions).toEqual(
      expect.arrayContaining([
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ecs:ListAccountSettings',
        'ecs:ListTagsForResource',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
      ]),
    );
  });

  it('the read role grants every ECS/EC2/IAM read the central enriching and sweeping roles make', () => {
    const granted = new Set(allowedActions('ReadRole'));
    for (const fn of ROLE_USERS.ReadRole!) {
      const role = central.Resources[roleOf(fn)]!.Properties;
      const docs = [
        ...asArray(role.Policies as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument),
        ...asArray(role.ManagedPolicyArns as { Ref: string }[]).map(
          (r) => central.Resources[r.Ref]!.Properties.PolicyDocument,
        ),
      ];
      const reads = docs
        .flatMap((d) => asArray((d as { Statement: Statement[] }).Statement))
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => asArray(s.Action))
        .filter((a) => /^(ecs|ec2|iam):(Describe|List|Get)/.test(a));
      expect(reads.length, fn).toBeGreaterThan(0);
      for (const a of reads) expect(granted.has(a), `${fn} reads ${a} centrally`).toBe(true);
    }
  });

  it("the findings role may only import findings into this account's own default product", () => {
    expect(policyStatements('FindingsRole')).toEqual([
      {
        Sid: 'ImportFindings',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: {
          'Fn::Sub':
            'arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default',
        },
      },
    ]);
  });

  it('the external id is a secret: NoEcho, and no output, description or name carries it', () => {
    expect(member.Parameters?.ExternalId?.NoEcho).toBe(true);
    expect(JSON.stringify(member.Outputs)).not.toContain('ExternalId');
    for (const [id, r] of Object.entries(member.Resources)) {
      const { AssumeRolePolicyDocument: _trust, ...rest } = r.Properties;
      expect(JSON.stringify(rest), id).not.toContain('"Ref":"ExternalId"');
    }
  });

  it('every role session lasts at most an hour', () => {
    for (const id of ['ReadRole', 'FindingsRole', 'RemediationRole'])
      expect(member.Resources[id]!.Properties.MaxSessionDuration, id).toBe(3600);
  });
});
