/**
 * Least privilege of the declared templates (serverless.yml, infra/*.yml, infra/member-account.yml):
 * - every write to the state table is limited by dynamodb:LeadingKeys to the key prefixes its function
 *   writes (checked against the keys the code builds, so a new item kind fails here, not in production);
 * - every sts:AssumeRole grant is limited to roles of the organization (aws:ResourceOrgID);
 * - every function has a reserved concurrency;
 * - the member-account remediation role trusts exactly the two central roles that remediate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  approvalKey,
  auditKey,
  budgetKey,
  deliveryKey,
  exemptionRecordKey,
  channelRefKey,
  findingKey,
  idempotencyPartition,
  imageScanKey,
  runningImageKey,
  runningTaskKey,
  slackMessageKey,
  slackRequestKey,
  taskDefinitionCacheKey,
  windowKey,
} from '../../../shared/store/dynamodb-keys';
import {
  asArray,
  centralTemplate,
  readService,
  readYaml,
  resolveVariable,
  ROOT,
  type Json,
  type Statement,
  type Template,
} from './templates';

const service = readService();
const central = centralTemplate();
const STAGE = 'dev';
const FUNCTIONS = Object.keys(service.functions).sort();
const TABLE_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const ACCOUNT = '123456789012';

/** The Lambda function name (osls: service-stage-key): idempotency records live under it. */
const lambdaName = (fn: string) => `${String((service as unknown as Json).service)}-${STAGE}-${fn}`;

/** A partition key of every item kind, as the code builds it (docs/state.md). */
const KEYS: Record<string, string> = {
  finding: findingKey('0123abcd').pk,
  window: windowKey('throttle-api-calls|arn:aws:iam::123456789012:role/ci|ecs:RunTask', 0).pk,
  budget: budgetKey(ACCOUNT, 0).pk,
  audit: auditKey(ACCOUNT, '2026-01-01T00:00:00.000Z', 'a1').pk,
  td: taskDefinitionCacheKey(`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:7`).pk,
  delivery: deliveryKey('dedupe-1', 'sns').pk,
  runningTask: runningTaskKey(`arn:aws:ecs:us-east-1:${ACCOUNT}:task/c/0123`).pk,
  runningImage: runningImageKey(
    'team/app',
    'sha256:' + 'a'.repeat(64),
    'arn:aws:ecs:us-east-1:1:service/c/s',
    't',
  ).pk,
  scan: imageScanKey('team/app', 'sha256:' + 'a'.repeat(64), 'ECR').pk,
  slackRequest: slackRequestKey('ab'.repeat(32)).pk,
  approval: approvalKey('0123abcd', '2026-01-01T00:00:00.000Z').pk,
  exemption: exemptionRecordKey(
    'td-privileged',
    `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:7`,
    'x',
  ).pk,
  slackMessage: slackMessageKey('0123abcd').pk,
  channelRef: channelRefKey('0123abcd', 'jira').pk,
  ...Object.fromEntries(FUNCTIONS.map((fn) => [`idempotency:${fn}`, idempotencyPartition(lambdaName(fn))])),
};

/** What each function writes (its code), and so exactly what its role may write. */
const WRITES: Record<string, string[]> = {
  'ecs-state-change': [
    'finding',
    'window',
    'idempotency:ecs-state-change',
    'budget',
    'audit',
    'runningTask',
    'runningImage',
  ],
  // Scan results and the findings they open; reads the running inventory.
  'image-findings': ['finding', 'scan', 'idempotency:image-findings'],
  'cloudtrail-api-call': ['finding', 'window', 'idempotency:cloudtrail-api-call', 'budget', 'audit'],
  throttling: ['finding', 'window', 'idempotency:throttling'],
  sweep: ['finding', 'td', 'runningTask', 'runningImage'],
  // Lists the organization's accounts and regions: writes nothing.
  'sweep-plan': [],
  notifier: ['delivery', 'slackMessage', 'channelRef'],
  'slack-interactions': ['slackRequest'],
  // Snoozes and resolutions, the approval claim, exemption records, the Remediator's budget and audit.
  'slack-actions': ['finding', 'approval', 'exemption', 'budget', 'audit'],
  backfill: ['finding', 'window', 'idempotency:backfill'],
};

/** IAM StringLike: `*` any characters, `?` one. */
const globMatches = (glob: string, value: string): boolean =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

const roleOf = (fn: string): string => {
  const sub = (service.functions[fn]!.role as { 'Fn::Sub': string })['Fn::Sub'];
  return /^\$\{(\w+)\.Arn\}$/.exec(sub)![1]!;
};

/** The identity statements of a role: its inline policies and the managed policies it attaches. */
function identityStatements(roleId: string): Statement[] {
  const p = central.Resources[roleId]!.Properties;
  const docs = [
    ...asArray(p.Policies as { PolicyDocument: unknown }[]).map((x) => x.PolicyDocument),
    ...asArray(p.ManagedPolicyArns as { Ref: string }[]).map(
      (r) => central.Resources[r.Ref]!.Properties.PolicyDocument,
    ),
  ];
  return docs.flatMap((d) => asArray((d as { Statement: Statement | Statement[] }).Statement));
}

/** Every identity statement of the central stack (roles' inline policies, managed and inline policies). */
function allIdentityStatements(t: Template): { where: string; s: Statement }[] {
  return Object.entries(t.Resources).flatMap(([id, r]) => {
    const docs: unknown[] = [];
    if (r.Type === 'AWS::IAM::Role')
      docs.push(
        ...asArray(r.Properties.Policies as { PolicyDocument: unknown }[]).map((x) => x.PolicyDocument),
      );
    if (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
      docs.push(r.Properties.PolicyDocument);
    return docs.flatMap((d) =>
      asArray((d as { Statement: Statement | Statement[] }).Statement).map((s) => ({ where: id, s })),
    );
  });
}

/** The LeadingKeys patterns of a role's writes, with the stack's variables filled in. */
function leadingKeys(s: Statement): string[] {
  const like = s.Condition?.['ForAllValues:StringLike'] as Json | undefined;
  return asArray(like?.['dynamodb:LeadingKeys'] as string[] | undefined).map((k) =>
    k
      .replaceAll('${self:service}', String((service as unknown as Json).service))
      .replaceAll('${sls:stage}', STAGE),
  );
}

const writesTable = (s: Statement) =>
  s.Effect === 'Allow' &&
  asArray(s.Action).some((a) => TABLE_WRITES.includes(a)) &&
  asArray(s.Resource as unknown[]).some((r) => JSON.stringify(r).includes('GuardrailTable'));

describe('state table writes (dynamodb:LeadingKeys)', () => {
  it('no statement of the stack writes the table without a LeadingKeys condition', () => {
    const writes = allIdentityStatements(central).filter(({ s }) => writesTable(s));
    expect(writes.length).toBeGreaterThanOrEqual(FUNCTIONS.filter((fn) => WRITES[fn]?.length).length);
    for (const { where, s } of writes) {
      const keys = leadingKeys(s);
      expect(keys.length, `${where} ${s.Sid ?? ''}`).toBeGreaterThan(0);
      // A pattern must name a prefix: `*` alone (or a leading `*`) would match every item.
      for (const k of keys) expect(k, `${where} ${s.Sid ?? ''}`).toMatch(/^[A-Za-z]+#/);
      expect(Object.keys(s.Condition!), `${where}: no other condition operator widens it`).toEqual([
        'ForAllValues:StringLike',
      ]);
    }
  });

  it.each(Object.keys(WRITES))('%s may write exactly the item kinds its code writes', (fn) => {
    const statements = identityStatements(roleOf(fn)).filter(writesTable);
    if (!WRITES[fn]!.length) return expect(statements, fn).toEqual([]);
    expect(statements.length, fn).toBeGreaterThan(0);
    const patterns = statements.flatMap(leadingKeys);
    const mayWrite = (kind: string) => patterns.some((p) => globMatches(p, KEYS[kind]!));
    for (const kind of Object.keys(KEYS))
      expect(mayWrite(kind), `${fn} writing ${kind} (${KEYS[kind]})`).toBe(WRITES[fn]!.includes(kind));
  });

  it('covers every function of serverless.yml', () => {
    expect(Object.keys(WRITES).sort()).toEqual(FUNCTIONS);
  });
});

describe('sts:AssumeRole', () => {
  it('every grant is limited to roles of the organization (aws:ResourceOrgID = OrganizationId)', () => {
    const assumes = allIdentityStatements(central).filter(({ s }) =>
      asArray(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*'),
    );
    expect(assumes.length).toBeGreaterThan(0);
    for (const { where, s } of assumes) {
      expect(asArray(s.Action), where).toEqual(['sts:AssumeRole']);
      expect(s.Condition, `${where} ${s.Sid ?? ''}`).toEqual({
        StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } },
      });
    }
    // The parameter is the deployment's organization id (empty: no organization, no role matches).
    expect(central.Parameters?.OrganizationId).toMatchObject({
      Type: 'String',
      Default: '${self:custom.organizationId}',
      AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
    });
  });
});

describe('reserved concurrency', () => {
  const reserved = Object.fromEntries(
    FUNCTIONS.map((fn) => [fn, resolveVariable(service.functions[fn]!.reservedConcurrency, service)]),
  );

  it.each(FUNCTIONS)('%s has a reserved concurrency of at least 1', (fn) => {
    expect(Number.isInteger(reserved[fn]), `${fn}: ${String(reserved[fn])}`).toBe(true);
    expect(reserved[fn]).toBeGreaterThanOrEqual(1);
  });

  it('one sweep per pair of the organization sweep Map (MaxConcurrency 8), one plan at a time; the notifier can run what its SQS source allows; 100 stay unreserved', () => {
    expect(reserved.sweep).toBe(8);
    expect(reserved['sweep-plan']).toBe(1);
    const sqs = asArray(service.functions.notifier!.events as Json[])
      .map((e) => e.sqs as Json | undefined)
      .find(Boolean)!;
    expect(reserved.notifier).toBeGreaterThanOrEqual(Number(sqs.maximumConcurrency));
    // Lambda keeps 100 unreserved; the default account quota is 1,000.
    const sum = Object.values(reserved).reduce<number>((a, b) => a + Number(b), 0);
    expect(sum + 100).toBeLessThanOrEqual(1000);
  });
});

describe('infra/member-account.yml remediation role trust', () => {
  const member = readYaml('infra/member-account.yml') as Template & {
    Resources: { RemediationRole: { Properties: Json } };
  };

  /** The functions that remediate: those whose handler passes a remediator loader. */
  const remediating = readdirSync(join(ROOT, 'functions'))
    .filter(
      (f) => f.endsWith('.ts') && /\bremediator:/.test(readFileSync(join(ROOT, 'functions', f), 'utf8')),
    )
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

  /** The central stack outputs of those functions' roles -> the member template's parameter names. */
  const expectedPrincipals = remediating
    .map((fn) => {
      const role = roleOf(fn);
      const output = Object.entries(central.Outputs ?? {}).find(
        ([, o]) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [role, 'Arn'] }),
      );
      expect(output, `central output for ${role}`).toBeDefined();
      return { Ref: `Central${output![0]}` };
    })
    .sort((a, b) => a.Ref.localeCompare(b.Ref));

  /** The leaves of a condition written with nested Fn::If (one per parameter combination). */
  function branches(c: unknown): Json[] {
    const ifs = (c as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
    return ifs ? [...branches(ifs[1]), ...branches(ifs[2])] : [c as Json];
  }

  it('the two remediating functions are the two central principals', () => {
    expect(remediating).toEqual(['cloudtrail-api-call', 'ecs-state-change']);
    expect(expectedPrincipals).toHaveLength(2);
    for (const p of expectedPrincipals)
      expect(member.Parameters?.[p.Ref], p.Ref).toMatchObject({
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]+$',
      });
    expect(member.Parameters?.CentralRemediationRoleArn).toBeUndefined();
  });

  it('trusts exactly those two roles of the central account, with an external id and/or the organization', () => {
    const trust = asArray(
      (member.Resources.RemediationRole.Properties.AssumeRolePolicyDocument as { Statement: Statement[] })
        .Statement,
    );
    expect(trust).toHaveLength(1);
    const [t] = trust as [Statement];
    expect(t.Effect).toBe('Allow');
    expect(t.Action).toBe('sts:AssumeRole');
    expect(t.Principal).toEqual({
      AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:root' },
    });
    const leaves = branches(t.Condition);
    expect(leaves).toHaveLength(3); // both, external id only, organization only
    for (const leaf of leaves) {
      expect(Object.keys(leaf).sort()).toEqual(['ArnEquals', 'StringEquals']);
      const arns = asArray((leaf.ArnEquals as Json)['aws:PrincipalArn'] as { Ref: string }[]);
      expect([...arns].sort((a, b) => a.Ref.localeCompare(b.Ref))).toEqual(expectedPrincipals);
      expect(Object.keys(leaf.ArnEquals as Json)).toEqual(['aws:PrincipalArn']);
      const eq = Object.keys(leaf.StringEquals as Json);
      expect(eq.length).toBeGreaterThan(0);
      for (const k of eq) expect(['sts:ExternalId', 'aws:PrincipalOrgID']).toContain(k);
    }
  });
});
