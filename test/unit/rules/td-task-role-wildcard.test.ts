/** td-task-role-wildcard: the rule on the role policies enrichment read, and end to end with a stub enricher. */
import { describe, expect, it } from 'vitest';
import type { PolicyStatement, TaskRolePolicies } from '../../../shared/model/resources';
import { parsePolicyDocument } from '../../../shared/aws/iam-policy-document';
import {
  ACCOUNT,
  check,
  evaluateOne,
  registerTaskDefinitionEvent,
  REGION,
  stubEnricherWith,
  taskDefinition,
  withRule,
} from './helpers';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/service/checkout-api-task`;
const TD_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout-api:42`;

const allow = (over: Partial<PolicyStatement> = {}): PolicyStatement => ({
  effect: 'Allow',
  action: ['s3:GetObject'],
  resource: ['arn:aws:s3:::checkout-assets/*'],
  hasCondition: false,
  ...over,
});

function withRole(statements: PolicyStatement[], source: 'inline' | 'attached' = 'inline') {
  const taskRole: TaskRolePolicies = {
    roleArn: ROLE,
    exists: true,
    policies: [
      {
        name: 'app',
        source,
        statements,
        ...(source === 'attached' ? { arn: 'arn:aws:iam::aws:policy/X' } : {}),
      },
    ],
  };
  return taskDefinition({ taskRoleArn: ROLE, taskRole });
}

describe('td-task-role-wildcard', () => {
  it('fires on Allow `*` on `*` (string forms, as IAM documents may write them)', () => {
    const statements = parsePolicyDocument(
      encodeURIComponent(
        JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }),
      ),
      'test',
      'doc',
    );
    expect(check('td-task-role-wildcard', withRole(statements))).toEqual([
      {
        path: 'taskRoleArn (inline policy "app", Statement[0])',
        message: `task role ${ROLE}: inline policy "app" allows Action "*" on Resource "*"`,
      },
    ]);
  });

  it('fires on `<service>:*` in a list, any case, in an attached policy', () => {
    const ev = check(
      'td-task-role-wildcard',
      withRole(
        [allow({ sid: 'Data', action: ['s3:GetObject', 'DynamoDB:*'], resource: ['arn:x', '*'] })],
        'attached',
      ),
    );
    expect(ev).toHaveLength(1);
    expect(ev[0]!.message).toContain('managed policy "app" allows Action "DynamoDB:*" on Resource "*"');
    expect(ev[0]!.path).toContain('"Data"');
  });

  it('does not fire on narrow grants, a wildcard action on named resources, or a partial wildcard action', () => {
    const td = withRole([
      allow(),
      allow({ action: ['s3:*'], resource: ['arn:aws:s3:::checkout-assets/*'] }),
      allow({ action: ['s3:Get*'], resource: ['*'] }),
    ]);
    expect(check('td-task-role-wildcard', td)).toEqual([]);
  });

  it('a Deny statement never fires and is not subtracted from an Allow (flags the grant as written)', () => {
    expect(
      check('td-task-role-wildcard', withRole([allow({ effect: 'Deny', action: ['*'], resource: ['*'] })])),
    ).toEqual([]);
    const both = withRole([
      allow({ action: ['*'], resource: ['*'] }),
      allow({ effect: 'Deny', action: ['*'], resource: ['*'] }),
    ]);
    expect(check('td-task-role-wildcard', both)).toHaveLength(1);
  });

  it('a Condition is assumed not to narrow the grant, and the evidence says it is there', () => {
    const ev = check(
      'td-task-role-wildcard',
      withRole([allow({ action: ['*'], resource: ['*'], hasCondition: true })]),
    );
    expect(ev[0]!.message).toContain('has a Condition, assumed not to narrow it');
  });

  it('NotAction with Allow on `*` and NotResource with Allow are flagged (broader than <service>:*)', () => {
    const notAction = check(
      'td-task-role-wildcard',
      withRole([{ effect: 'Allow', notAction: ['iam:*'], resource: ['*'], hasCondition: false }]),
    );
    expect(notAction[0]!.message).toContain('every action except "iam:*" (NotAction)');
    const notResource = check(
      'td-task-role-wildcard',
      withRole([
        { effect: 'Allow', action: ['s3:*'], notResource: ['arn:aws:s3:::audit/*'], hasCondition: false },
      ]),
    );
    expect(notResource[0]!.message).toContain('every resource except "arn:aws:s3:::audit/*" (NotResource)');
    // NotAction on a named resource is not a Resource "*" grant.
    expect(
      check(
        'td-task-role-wildcard',
        withRole([{ effect: 'Allow', notAction: ['iam:*'], resource: ['arn:x'], hasCondition: false }]),
      ),
    ).toEqual([]);
  });

  it('no verdict without the role policies (not enriched), without a role, or for a role that does not exist', () => {
    expect(check('td-task-role-wildcard', taskDefinition({ taskRoleArn: ROLE }))).toEqual([]);
    expect(check('td-task-role-wildcard', taskDefinition())).toEqual([]);
    expect(
      check(
        'td-task-role-wildcard',
        taskDefinition({ taskRoleArn: ROLE, taskRole: { roleArn: ROLE, exists: false, policies: [] } }),
      ),
    ).toEqual([]);
  });

  it('a huge policy (thousands of statements) gives one evidence per wildcard statement, bounded in the finding', async () => {
    const statements = Array.from({ length: 5_000 }, (_, i) =>
      allow(i % 2 ? { action: ['ec2:*'], resource: ['*'] } : {}),
    );
    expect(check('td-task-role-wildcard', withRole(statements))).toHaveLength(2_500);
    const enricher = stubEnricherWith(
      {},
      {
        roles: {
          [ROLE]: { roleArn: ROLE, exists: true, policies: [{ name: 'big', source: 'inline', statements }] },
        },
      },
    );
    const r = await evaluateOne(registerTaskDefinitionEvent({ taskRoleArn: ROLE }), enricher);
    const [f] = withRule(r.findings, 'td-task-role-wildcard');
    expect(f!.evidence.length).toBeLessThan(100);
    expect(f!.evidence.at(-1)!.message).toMatch(/more/);
  });

  it('end to end: RegisterTaskDefinition with a task role, enriched: the finding is on the task definition', async () => {
    const enricher = stubEnricherWith(
      {},
      {
        roles: {
          [ROLE]: {
            roleArn: ROLE,
            exists: true,
            policies: [
              { name: 'admin', source: 'inline', statements: [allow({ action: ['*'], resource: ['*'] })] },
            ],
          },
        },
      },
    );
    const r = await evaluateOne(registerTaskDefinitionEvent({ taskRoleArn: ROLE }), enricher);
    const [f] = withRule(r.findings, 'td-task-role-wildcard');
    expect(f).toMatchObject({
      severity: 'high',
      resource: { type: 'AWS::ECS::TaskDefinition', arn: TD_ARN },
    });
    expect(enricher.calls).toContain(`rolePolicies ${ROLE}`);
  });

  it('end to end: a role that does not exist is an incomplete reason, not a crash and not a finding', async () => {
    const enricher = stubEnricherWith({}, {});
    const r = await evaluateOne(registerTaskDefinitionEvent({ taskRoleArn: ROLE }), enricher);
    expect(withRule(r.findings, 'td-task-role-wildcard')).toEqual([]);
    expect(JSON.stringify(r)).toContain(`task role ${ROLE}`);
  });

  it('a credential pasted into a Sid or policy name never reaches the finding; a huge Sid is cut', async () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const statements = [
      allow({ sid: key, action: ['*'], resource: ['*'] }),
      allow({ sid: 'x'.repeat(5_000), action: ['*'], resource: ['*'] }),
    ];
    const enricher = stubEnricherWith(
      {},
      {
        roles: {
          [ROLE]: {
            roleArn: ROLE,
            exists: true,
            policies: [{ name: `p-${key}`, source: 'inline', statements }],
          },
        },
      },
    );
    const r = await evaluateOne(registerTaskDefinitionEvent({ taskRoleArn: ROLE }), enricher);
    const [f] = withRule(r.findings, 'td-task-role-wildcard');
    expect(f).toBeDefined();
    expect(JSON.stringify(f)).not.toContain(key);
    expect(f!.evidence[1]!.path.length).toBeLessThan(300);
  });

  it('without enrichment: no verdict, no IAM read', async () => {
    const r = await evaluateOne(registerTaskDefinitionEvent({ taskRoleArn: ROLE }));
    expect(withRule(r.findings, 'td-task-role-wildcard')).toEqual([]);
  });
});

describe('IAM policy documents (URL-encoded, as IAM returns them)', () => {
  it('reads string and list forms, Statement as an object or a list', () => {
    const doc = {
      Statement: [
        {
          Sid: 'A',
          Effect: 'Allow',
          Action: ['s3:*'],
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ],
    };
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)), 'op', 'p')).toEqual([
      { sid: 'A', effect: 'Allow', action: ['s3:*'], resource: ['*'], hasCondition: true },
    ]);
  });

  it('rejects what is not a policy with an error naming the problem, never the document', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    for (const bad of [
      `not json ${secret}`,
      encodeURIComponent(JSON.stringify([secret])),
      encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: [1, secret] }] })),
      encodeURIComponent(JSON.stringify({ Statement: [{ Effect: true }] })),
      '%E0%A4%A',
    ]) {
      let err: unknown;
      try {
        parsePolicyDocument(bad, 'iam:GetRolePolicy', 'inline policy of r');
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ name: 'EnrichmentError', code: 'InvalidPolicyDocument' });
      expect(String((err as Error).message)).not.toContain(secret);
    }
  });

  it('rejects a document far beyond IAM limits instead of parsing it', () => {
    const huge = encodeURIComponent(JSON.stringify({ Statement: [], pad: 'x'.repeat(200_000) }));
    expect(() => parsePolicyDocument(huge, 'op', 'p')).toThrow(/too large/);
  });
});
