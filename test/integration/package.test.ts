/**
 * `npm run package` (osls + serverless-esbuild) offline, without AWS credentials, then the real
 * cfn-lint (Python) on the generated template: zero findings (errors and warnings). Then the
 * deployment contract on the template itself: rules from infra/event-patterns.json with retry policies
 * and dead-letter queues, the sweep's schedule, per-function least-privilege roles (remediation
 * permissions exactly the registry's, for the two functions that remediate), the organization's bus
 * policy, the state table, alarms; and the zips.
 *
 * Needs cfn-lint on PATH (`pip install cfn-lint`); the test fails, never skips, when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import patterns from '../../infra/event-patterns.json';
import { remediationIamPermissions } from '../../shared/remediation/registry';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The functions EventBridge rules route events to (infra/eventbridge.yml). */
const EVENT_FUNCTIONS = ['ecs-state-change', 'cloudtrail-api-call', 'throttling', 'image-findings'] as const;
const FUNCTIONS = [
  ...EVENT_FUNCTIONS,
  'sweep',
  'sweep-plan',
  'notifier',
  'backfill',
  'slack-interactions',
  'slack-actions',
] as const;
type EventFn = (typeof EVENT_FUNCTIONS)[number];
type Fn = (typeof FUNCTIONS)[number];
/** The functions that remediate (shared/pipeline: a remediator loader in functions/<fn>.ts). */
const REMEDIATING: readonly Fn[] = ['ecs-state-change', 'cloudtrail-api-call', 'slack-actions'];
const MAX_ZIP_BYTES = 1024 * 1024;
/** Calls whose APIs have no resource-level permission: the only ones allowed on Resource "*". */
const NO_RESOURCE_LEVEL_ACTIONS = new Set([
  'ecs:DescribeTaskDefinition',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkInterfaces',
  'ecs:DeregisterTaskDefinition',
  'ecs:ListClusters',
  'ecs:ListServices',
  'ecs:ListTasks',
  'ecs:ListContainerInstances',
  'ecs:ListTaskDefinitions',
  // Step Functions log delivery to CloudWatch Logs (infra/iam.yml StateMachineLogDeliveryPolicy).
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'ecs:ListAccountSettings',
  // account-ecs-runtime-monitoring-off: the account's GuardDuty detector.
  'guardduty:ListDetectors',
  // The organization sweep's plan.
  'organizations:ListAccounts',
  'ec2:DescribeRegions',
]);
/** Remediation writes: only on this account's and region's resources of the right type. */
const REMEDIATION_WRITES: Record<string, string> = {
  'ecs:StopTask': 'task/*',
  'ecs:UpdateService': 'service/*',
  'ecs:UpdateClusterSettings': 'cluster/*',
};

type Json = Record<string, unknown>;
interface CfnResource {
  Type: string;
  Properties: Json;
  DependsOn?: string | string[];
}
interface Template {
  Parameters?: Record<string, Json>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Json;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The entries of a zip file (stored or deflated), by name, from its central directory. */
function zipEntries(file: string): Map<string, Buffer> {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + size);
    entries.set(buf.toString('utf8', p + 46, p + 46 + nameLen), method === 0 ? data : inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The relative modules an ESM bundle imports, statically (`import ... from`) or on first use (`import()`). */
function relativeImports(code: string): string[] {
  return [...code.matchAll(/import\s*(?:[\w$,{}*\s]*?from\s*|\(\s*)?["'](\.\/[^"']+)["']/g)].map(
    (m) => m[1]!,
  );
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const getAtt = (x: unknown): [string, string] | undefined => {
  const g = (x as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(g) ? g : undefined;
};

describe('npm run package + cfn-lint', () => {
  let out: string;
  let template: Template;
  const byType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  /** Every policy statement of the template: role policies, queue policies, key policies. */
  function statements(): { where: string; s: Statement }[] {
    const found: { where: string; s: Statement }[] = [];
    for (const [id, r] of Object.entries(template.Resources)) {
      const p = r.Properties ?? {};
      const docs: unknown[] = [];
      if (r.Type === 'AWS::IAM::Role') {
        for (const pol of asArray(p.Policies as { PolicyDocument: unknown }[])) docs.push(pol.PolicyDocument);
        docs.push(p.AssumeRolePolicyDocument);
      }
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(p.PolicyDocument);
      if (r.Type === 'AWS::SQS::QueuePolicy' || r.Type === 'AWS::SNS::TopicPolicy')
        docs.push(p.PolicyDocument);
      if (r.Type === 'AWS::S3::BucketPolicy') docs.push(p.PolicyDocument);
      if (r.Type === 'AWS::KMS::Key') docs.push(p.KeyPolicy);
      for (const d of docs)
        for (const s of asArray((d as { Statement?: Statement | Statement[] } | undefined)?.Statement))
          found.push({ where: id, s });
    }
    return found;
  }

  beforeAll(() => {
    const lint = run('cfn-lint', ['--version']);
    if (lint.error || lint.status !== 0) throw new Error('cfn-lint is not installed: pip install cfn-lint');

    // Offline and without AWS credentials: no key in the environment, no profile, no credential files.
    out = mkdtempSync(join(tmpdir(), 'guardrail-package-'));
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      delete env[k];
    env.AWS_SHARED_CREDENTIALS_FILE = join(out, 'no-credentials');
    env.AWS_CONFIG_FILE = join(out, 'no-config');
    const pkg = run('npm', ['run', 'package', '--', '--package', out], env);
    if (pkg.status !== 0) {
      throw new Error(`npm run package failed (exit ${pkg.status}):\n${pkg.stdout}\n${pkg.stderr}`);
    }
    template = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
  }, 300_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('cfn-lint reports nothing (no error, no warning) on the generated templates', () => {
    for (const name of [
      'cloudformation-template-update-stack.json',
      'cloudformation-template-create-stack.json',
    ]) {
      const r = run('cfn-lint', ['--format', 'json', '--', join(out, name)]);
      const findings = JSON.parse(r.stdout || '[]') as { Rule: { Id: string }; Message: string }[];
      expect(
        findings.map((f) => `${f.Rule.Id} ${f.Message}`),
        `${name}: cfn-lint exit ${r.status} ${r.stderr}`,
      ).toEqual([]);
      expect(r.status).toBe(0);
    }
  });

  it.each(FUNCTIONS)(
    '%s: one zip of at most 1 MB with the bundled handler, its own chunks and the policy as JSON',
    (fn) => {
      const zip = join(out, `${fn}.zip`);
      expect(existsSync(zip), `${zip} missing`).toBe(true);
      expect(statSync(zip).size).toBeLessThanOrEqual(MAX_ZIP_BYTES);
      const entries = zipEntries(zip);
      const handler = `functions/${fn}.mjs`;
      expect([...entries.keys()]).toContain(handler);
      // The policy: guardrail.policy.yml converted to JSON at package time (scripts/lambda-bundle-plugins.cjs).
      const policy = entries.get('guardrail.policy.json');
      expect(policy, 'guardrail.policy.json must be in every zip').toBeDefined();
      expect(JSON.parse(policy!.toString('utf8'))).toEqual(
        parseYaml(readFileSync(join(ROOT, 'guardrail.policy.yml'), 'utf8')),
      );
      // Bundled ESM with code splitting: exactly the handler and the chunks it reaches, every one present;
      // no node_modules, no other function's chunks, nothing else from the repository.
      const reached = new Set([handler]);
      for (const file of reached) {
        const code = entries.get(file);
        expect(code, `${file} (imported) is not in the zip`).toBeDefined();
        for (const rel of relativeImports(code!.toString('utf8'))) reached.add(join('functions', rel));
      }
      expect([...entries.keys()].filter((e) => e !== 'guardrail.policy.json' && !reached.has(e))).toEqual([]);
    },
  );

  it('each function: nodejs22.x, arm64, 256 MB (sweep 512 MB, 900 s; sweep-plan 120 s), its own role, the environment contract, async on-failure destination', () => {
    const fns = byType('AWS::Lambda::Function');
    expect(fns).toHaveLength(FUNCTIONS.length);
    const roles = new Set<string>();
    for (const [id, f] of fns) {
      const p = f.Properties;
      const fn = /^functions\/(.+)\.handler$/.exec(String(p.Handler))![1] as Fn;
      expect(p.Runtime, id).toBe('nodejs22.x');
      expect(p.Architectures, id).toEqual(['arm64']);
      expect(p.MemorySize, id).toBe(fn === 'sweep' || fn === 'backfill' ? 512 : 256);
      // sweep-plan: ListAccounts pages of 20 accounts at Organizations' low request rate.
      // slack-interactions answers Slack within 3 s; slack-actions waits on remediation calls.
      expect(p.Timeout, id).toBe(
        fn === 'sweep'
          ? 900
          : fn === 'backfill'
            ? 180
            : fn === 'sweep-plan'
              ? 120
              : fn === 'slack-interactions'
                ? 5
                : fn === 'slack-actions'
                  ? 60
                  : 30,
      );
      const role = (p.Role as { 'Fn::Sub'?: string })['Fn::Sub'] ?? getAtt(p.Role)?.[0];
      expect(role, `${id} role`).toMatch(/^\$\{\w+Role\.Arn\}$|^\w+Role$/);
      roles.add(String(role));
      const vars = (p.Environment as { Variables: Json }).Variables;
      const extra: Record<Fn, string[]> = {
        'ecs-state-change': ['GUARDRAIL_ROLE_ARNS'],
        'cloudtrail-api-call': ['GUARDRAIL_ROLE_ARNS'],
        throttling: [],
        'image-findings': [],
        sweep: [
          'AWS_MAX_ATTEMPTS',
          'GUARDRAIL_SWEEP_CONCURRENCY',
          'GUARDRAIL_SWEEP_NOTIFY',
          'GUARDRAIL_SWEEP_NOTIFY_MAX',
        ],
        'sweep-plan': ['GUARDRAIL_SWEEP_REGIONS'],
        notifier: [
          'GUARDRAIL_OUTBOX_DLQ_URL',
          'GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT',
          'GUARDRAIL_SLACK_WEBHOOK_PARAMETER',
          'GUARDRAIL_TOPIC_ARN',
        ],
        backfill: [],
        'slack-interactions': ['GUARDRAIL_SLACK_JOBS_QUEUE_URL', 'GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER'],
        'slack-actions': ['GUARDRAIL_ROLE_ARNS'],
      };
      expect(Object.keys(vars).sort(), id).toEqual(
        [
          'GUARDRAIL_OUTBOX_QUEUE_URL',
          'GUARDRAIL_POLICY_FILE',
          'GUARDRAIL_TABLE',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
          ...extra[fn],
        ].sort(),
      );
      if (REMEDIATING.includes(fn)) {
        // Every remediating role, so no function remediates what another one (or an approval) changed.
        expect(vars.GUARDRAIL_ROLE_ARNS, id).toEqual({
          'Fn::Join': [
            ',',
            [
              { 'Fn::GetAtt': ['EcsStateChangeRole', 'Arn'] },
              { 'Fn::GetAtt': ['CloudtrailApiCallRole', 'Arn'] },
              { 'Fn::GetAtt': ['SlackActionsRole', 'Arn'] },
            ],
          ],
        });
      }
      expect(vars.GUARDRAIL_TABLE).toEqual({ Ref: 'GuardrailTable' });
      expect(vars.GUARDRAIL_OUTBOX_QUEUE_URL).toEqual({ Ref: 'OutboxQueue' });
      expect(vars.GUARDRAIL_POLICY_FILE).toBe('guardrail.policy.json');
      expect(vars.POWERTOOLS_SERVICE_NAME).toBe('ecs-guardrail');
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe('EcsGuardrail');
      const conf = byType('AWS::Lambda::EventInvokeConfig').find(
        ([, c]) => (c.Properties.FunctionName as { Ref: string }).Ref === id,
      );
      if (fn === 'notifier' || fn === 'backfill' || fn === 'slack-interactions' || fn === 'slack-actions') {
        // Not invoked asynchronously: the SQS event source retries, then the queue's redrive policy
        // (notifier, slack-actions); Step Functions invokes synchronously and retries the batch
        // (backfill); the Function URL is synchronous (slack-interactions: Slack shows the error).
        expect(conf, `${id} EventInvokeConfig`).toBeUndefined();
        continue;
      }
      expect(conf, `${id} EventInvokeConfig`).toBeDefined();
      const onFailure = (conf![1].Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
        .OnFailure;
      const dest = getAtt(onFailure.Destination)?.[0];
      expect(template.Resources[dest ?? '']?.Type, `${id} on-failure destination`).toBe('AWS::SQS::Queue');
      expect(conf![1].Properties.MaximumRetryAttempts, `${id} async retries`).toBe(
        fn === 'sweep' || fn === 'sweep-plan' ? 0 : 2,
      );
    }
    expect(roles.size, 'one role per function').toBe(FUNCTIONS.length);
    expect(template.Resources.IamRoleLambdaExecution, 'no shared default role').toBeUndefined();
  });

  it('each rule: the pattern of infra/event-patterns.json, a retry policy and a DLQ that lets the rule in', () => {
    const rules = byType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern !== undefined);
    expect(rules).toHaveLength(EVENT_FUNCTIONS.length);
    // functions/<fn>.handler -> <fn>
    const lambdaOf = Object.fromEntries(
      byType('AWS::Lambda::Function').map(([id, f]) => [
        id,
        /^functions\/(.+)\.handler$/.exec(String(f.Properties.Handler))?.[1],
      ]),
    );
    const seen = new Set<EventFn>();
    for (const [id, r] of rules) {
      const targets = r.Properties.Targets as Json[];
      expect(targets, id).toHaveLength(1);
      const t = targets[0]!;
      const fn = lambdaOf[getAtt(t.Arn)?.[0] ?? ''] as EventFn;
      expect(EVENT_FUNCTIONS, `${id} targets a guardrail function`).toContain(fn);
      seen.add(fn);
      expect(r.Properties.EventPattern, `${id} pattern`).toEqual(patterns[fn]);
      expect(r.Properties.EventBusName, `${id} on the default bus`).toBeUndefined();
      expect(r.Properties.State).toBe(
        fn === 'throttling' ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED',
      );
      const retry = t.RetryPolicy as { MaximumRetryAttempts: unknown; MaximumEventAgeInSeconds: unknown };
      expect(Number(retry.MaximumRetryAttempts), `${id} retries`).toBeGreaterThan(0);
      expect(Number(retry.MaximumEventAgeInSeconds), `${id} event age`).toBeGreaterThanOrEqual(60);
      const dlq = getAtt((t.DeadLetterConfig as { Arn: unknown }).Arn)?.[0];
      expect(template.Resources[dlq ?? '']?.Type, `${id} DLQ`).toBe('AWS::SQS::Queue');
      // The queue policy EventBridge needs: events.amazonaws.com SendMessage, aws:SourceArn = this rule.
      const allowed = byType('AWS::SQS::QueuePolicy')
        .filter(([, qp]) =>
          asArray(qp.Properties.Queues as unknown[]).some((q) => (q as { Ref: string }).Ref === dlq),
        )
        .flatMap(([, qp]) => asArray((qp.Properties.PolicyDocument as { Statement: Statement[] }).Statement))
        .filter(
          (s) =>
            s.Effect === 'Allow' &&
            (s.Principal as { Service?: string }).Service === 'events.amazonaws.com' &&
            asArray(s.Action).includes('sqs:SendMessage') &&
            getAtt(s.Resource)?.[0] === dlq &&
            asArray((s.Condition?.ArnEquals as Json | undefined)?.['aws:SourceArn']).some(
              (a) => getAtt(a)?.[0] === id,
            ),
        );
      expect(allowed, `${id}: queue policy of ${dlq} lets the rule send`).toHaveLength(1);
      const permission = byType('AWS::Lambda::Permission').filter(
        ([, p]) =>
          getAtt(p.Properties.SourceArn)?.[0] === id &&
          p.Properties.Principal === 'events.amazonaws.com' &&
          getAtt(p.Properties.FunctionName)?.[0] === getAtt(t.Arn)?.[0],
      );
      expect(permission, `${id}: lambda permission`).toHaveLength(1);
    }
    expect([...seen].sort()).toEqual([...EVENT_FUNCTIONS].sort());
  });

  it('every EventBridge rule target, schedules included, has a retry policy and a dead-letter queue', () => {
    const rules = byType('AWS::Events::Rule');
    expect(rules.length).toBeGreaterThanOrEqual(EVENT_FUNCTIONS.length + 1);
    for (const [id, r] of rules)
      for (const t of r.Properties.Targets as Json[]) {
        const retry = t.RetryPolicy as { MaximumRetryAttempts?: unknown } | undefined;
        expect(Number(retry?.MaximumRetryAttempts), `${id} retries`).toBeGreaterThan(0);
        const dlq = getAtt((t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn)?.[0];
        expect(template.Resources[dlq ?? '']?.Type, `${id} DLQ`).toBe('AWS::SQS::Queue');
      }
  });

  it('the sweep runs on a schedule, rate(6 hours), with its Lambda permission', () => {
    // The organization sweep's schedule starts its state machine (test/unit/infra/state-machines.test.ts).
    const schedules = byType('AWS::Events::Rule').filter(
      ([, r]) =>
        r.Properties.ScheduleExpression &&
        !(r.Properties.Targets as Json[]).some(
          (t) => (t.Arn as { Ref?: string }).Ref === 'OrgSweepStateMachine',
        ),
    );
    expect(schedules).toHaveLength(1);
    const [id, rule] = schedules[0]!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(rule.Properties.State).toBe('ENABLED');
    const targets = rule.Properties.Targets as Json[];
    expect(targets.map((t) => getAtt(t.Arn)?.[0])).toEqual(['SweepLambdaFunction']);
    expect(template.Resources.SweepLambdaFunction?.Properties.Handler).toBe('functions/sweep.handler');
    const permission = byType('AWS::Lambda::Permission').filter(
      ([, p]) =>
        getAtt(p.Properties.SourceArn)?.[0] === id && p.Properties.Principal === 'events.amazonaws.com',
    );
    expect(permission).toHaveLength(1);
  });

  it('member accounts of the organization may put events on the default bus, only when organizationId is set', () => {
    expect(template.Parameters?.OrganizationId).toMatchObject({
      Type: 'String',
      Default: '',
      AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
    });
    expect(template.Conditions?.AcceptOrganizationEvents).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }],
    });
    const policies = byType('AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(1);
    const [, policy] = policies[0]!;
    expect((policy as CfnResource & { Condition?: string }).Condition).toBe('AcceptOrganizationEvents');
    expect(policy.Properties.EventBusName).toBe('default');
    expect(policy.Properties.Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: {
        'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
      },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
    });
  });

  it('no IAM statement allows Action "*"; role statements use no wildcard action and Resource "*" only for reads without resource-level permissions', () => {
    const all = statements();
    expect(all.length).toBeGreaterThan(10);
    for (const { where, s } of all) expect(asArray(s.Action), `${where} ${s.Sid ?? ''}`).not.toContain('*');
    const roleStatements = all.filter(({ where }) =>
      ['AWS::IAM::Role', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy'].includes(
        template.Resources[where]!.Type,
      ),
    );
    for (const { where, s } of roleStatements) {
      for (const a of asArray(s.Action)) expect(a, `${where} ${s.Sid ?? ''}`).not.toMatch(/\*/);
      if (s.Effect === 'Allow' && asArray(s.Resource as unknown).includes('*')) {
        for (const a of asArray(s.Action))
          expect(NO_RESOURCE_LEVEL_ACTIONS, `${where} ${a} on "*"`).toContain(a);
      }
    }
  });

  it('each role grants exactly the actions of the IAM table in docs/deployment.md (remediation: the registry)', () => {
    const common = [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
    ];
    // What shared/remediation/registry.ts lists, plus the member-account role.
    const remediation = [...remediationIamPermissions(), 'sts:AssumeRole'];
    expect(remediation).toContain('ecs:DeregisterTaskDefinition');
    // td-task-role-wildcard: the task role's policies (shared/aws/iam-role-policies.ts).
    const taskRoleReads = [
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
    ];
    const expected: Record<Fn, string[]> = {
      'ecs-state-change': [
        ...common,
        ...remediation,
        'ec2:DescribeNetworkInterfaces',
        'ecs:DescribeTaskDefinition',
        ...taskRoleReads,
      ],
      'cloudtrail-api-call': [
        ...common,
        ...remediation,
        'ec2:DescribeNetworkInterfaces',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        ...taskRoleReads,
        // sg-world-open-admin-port; TagResource/UntagResource re-read the cluster or revision.
        'ec2:DescribeSecurityGroups',
        'ecs:DescribeClusters',
        'ecs:ListTagsForResource',
        'ecs:ListAccountSettings',
      ],
      throttling: common,
      // docs/running.md: scan results and findings; reads the running inventory. No AWS API besides.
      'image-findings': common,
      sweep: [
        ...common,
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'ec2:DescribeNetworkInterfaces',
        'ecs:DescribeClusters',
        'ecs:DescribeContainerInstances',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:DescribeTasks',
        'ecs:ListClusters',
        'ecs:ListContainerInstances',
        'ecs:ListServices',
        'ecs:ListTagsForResource',
        'ecs:ListTaskDefinitions',
        'ecs:ListTasks',
        ...taskRoleReads,
        'ec2:DescribeSecurityGroups',
        // account-ecs-runtime-monitoring-off: the GuardDuty detector and its features.
        'guardduty:GetDetector',
        'guardduty:ListDetectors',
        // The member accounts' read role (organization sweep).
        'sts:AssumeRole',
      ],
      'sweep-plan': [
        'ec2:DescribeRegions',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'organizations:ListAccounts',
        'sqs:SendMessage',
      ],
      // Its own role, without the common policy: only delivery records, never findings.
      notifier: [
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'securityhub:BatchImportFindings',
        // PagerDuty, Jira, Microsoft Teams, webhook secrets; email; the Jira issue refs.
        'secretsmanager:GetSecretValue',
        'ses:SendEmail',
        'dynamodb:GetItem',
        'sns:Publish',
        'sts:AssumeRole',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
        'ssm:GetParameter',
        // The Slack bot token, when it is kept in Secrets Manager.
        'secretsmanager:GetSecretValue',
      ],
      // Reads the signing secret and bot token, reads findings, records requests once, queues jobs.
      'slack-interactions': [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
        'ssm:GetParameter',
      ],
      // Approvals run the Remediator (this account); consumes the jobs queue.
      'slack-actions': [
        // It never deletes an item.
        ...common.filter((a) => a !== 'dynamodb:DeleteItem'),
        ...remediation,
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
      backfill: [
        ...common,
        'ec2:DescribeNetworkInterfaces',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        's3:GetObject',
        'sts:AssumeRole',
      ],
    };
    const docStatements = (doc: unknown) =>
      asArray((doc as { Statement: Statement | Statement[] }).Statement);
    for (const [, f] of byType('AWS::Lambda::Function')) {
      const fn = /^functions\/(.+)\.handler$/.exec(String(f.Properties.Handler))![1] as Fn;
      const roleId = /^\$\{(\w+)\.Arn\}$/.exec((f.Properties.Role as { 'Fn::Sub': string })['Fn::Sub'])![1]!;
      const role = template.Resources[roleId]!.Properties;
      const granted = [
        ...asArray(role.Policies as { PolicyDocument: unknown }[]).flatMap((p) =>
          docStatements(p.PolicyDocument),
        ),
        ...asArray(role.ManagedPolicyArns as { Ref: string }[]).flatMap((ref) =>
          docStatements(template.Resources[ref.Ref]!.Properties.PolicyDocument),
        ),
      ];
      const allowed = granted.filter((st) => st.Effect === 'Allow');
      const denied = granted.filter((st) => st.Effect !== 'Allow');
      const actions = [...new Set(allowed.flatMap((st) => asArray(st.Action)))].sort();
      expect(actions, fn).toEqual([...new Set(expected[fn])].sort());
      if (!REMEDIATING.includes(fn)) {
        expect(denied, fn).toEqual([]);
        continue;
      }
      // Writes only on this account's and region's resources of their type.
      for (const st of allowed)
        for (const a of asArray(st.Action))
          if (REMEDIATION_WRITES[a])
            expect(st.Resource, `${fn} ${a}`).toEqual({
              'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${REMEDIATION_WRITES[a]}`,
            });
      // Only the member-account roles: remediation (policy remediation.roleName) and, for enrichment, the
      // read role (organization.readRoleName; issue 10 added it).
      const assume = allowed.filter((st) => asArray(st.Action).includes('sts:AssumeRole'));
      expect(assume.map((st) => st.Resource)).toEqual([
        // The Slack worker does not enrich: no read role.
        ...(fn === 'slack-actions'
          ? []
          : [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/ecs-guardrail-read' }]),
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/ecs-guardrail-remediation' },
      ]);
      // Never a write on a resource tagged guardrail:protect=true (as in the member-account role).
      expect(denied).toEqual([
        {
          Sid: 'NeverTouchProtected',
          Effect: 'Deny',
          Action: ['ecs:StopTask', 'ecs:UpdateService', 'ecs:UpdateClusterSettings'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/guardrail:protect': 'true' } },
        },
      ]);
    }
  });

  it('the role ARNs of the remediating functions are stack outputs (policy remediation.guardrailRoleArns)', () => {
    expect(template.Outputs?.EcsStateChangeRoleArn?.Value).toEqual({
      'Fn::GetAtt': ['EcsStateChangeRole', 'Arn'],
    });
    expect(template.Outputs?.CloudtrailApiCallRoleArn?.Value).toEqual({
      'Fn::GetAtt': ['CloudtrailApiCallRole', 'Arn'],
    });
  });

  it('slack-interactions has its Function URL (auth NONE: Slack signs, the function checks) as an output; slack-actions consumes the jobs queue', () => {
    const urls = byType('AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]![1].Properties).toEqual({
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': ['SlackDashinteractionsLambdaFunction', 'Arn'] },
    });
    expect(template.Outputs?.SlackDashinteractionsLambdaFunctionUrl?.Value).toEqual({
      'Fn::GetAtt': ['SlackDashinteractionsLambdaFunctionUrl', 'FunctionUrl'],
    });
    const mapping = byType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => getAtt(m.Properties.EventSourceArn)?.[0] === 'SlackJobsQueue',
    );
    expect(mapping?.[1].Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['SlackDashactionsLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(template.Resources.SlackJobsQueue?.Properties.RedrivePolicy).toMatchObject({
      deadLetterTargetArn: { 'Fn::GetAtt': ['SlackJobsDlq', 'Arn'] },
    });
  });

  it('the state table: pk/sk, gsi1, TTL on expiration, on-demand, point-in-time recovery, KMS', () => {
    const tables = byType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const p = tables[0]![1].Properties;
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(p.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('data at rest under KMS; an alarm on every dead-letter queue and on every function error', () => {
    for (const [id, q] of byType('AWS::SQS::Queue')) expect(q.Properties.KmsMasterKeyId, id).toBeDefined();
    for (const [id, t] of byType('AWS::SNS::Topic')) expect(t.Properties.KmsMasterKeyId, id).toBeDefined();

    const dlqs = new Set<string>();
    for (const [, r] of byType('AWS::Events::Rule').filter(([, x]) => x.Properties.EventPattern))
      for (const t of r.Properties.Targets as Json[])
        dlqs.add(getAtt((t.DeadLetterConfig as { Arn: unknown }).Arn)![0]);
    for (const [, c] of byType('AWS::Lambda::EventInvokeConfig'))
      dlqs.add(
        getAtt(
          (c.Properties.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
        )![0],
      );
    for (const [, q] of byType('AWS::SQS::Queue')) {
      const target = (q.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)
        ?.deadLetterTargetArn;
      if (target) dlqs.add(getAtt(target)![0]);
    }
    expect(dlqs.size).toBeGreaterThanOrEqual(3);

    const alarms = byType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const dimension = (a: Json) => (a.Dimensions as { Name: string; Value: unknown }[])[0]!;
    for (const q of dlqs) {
      const found = alarms.filter(
        (a) =>
          a.Namespace === 'AWS/SQS' &&
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          getAtt(dimension(a).Value)?.[0] === q,
      );
      expect(found, `depth alarm on ${q}`).toHaveLength(1);
    }
    for (const [id] of byType('AWS::Lambda::Function')) {
      const found = alarms.filter(
        (a) =>
          a.Namespace === 'AWS/Lambda' &&
          a.MetricName === 'Errors' &&
          (dimension(a).Value as { Ref?: string }).Ref === id,
      );
      expect(found, `Errors alarm on ${id}`).toHaveLength(1);
    }
    for (const a of alarms) expect(asArray(a.AlarmActions as unknown[]).length).toBeGreaterThan(0);
  });
});
