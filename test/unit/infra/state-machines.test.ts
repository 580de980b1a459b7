/**
 * The Step Functions state machines (infra/step-functions.yml, infra/state-machines/*.asl.json), checked
 * without running them: moto does not execute state machines (an execution stays RUNNING), so this is
 * where their definitions are proven.
 * - Each definition, with its substitutions filled in as CloudFormation would, is valid Amazon States
 *   Language for asl-validator (schema, JSONata syntax, every state reachable from StartAt, every
 *   Next/Default/Catch target exists, terminal states, Map ItemProcessors recursively); no placeholder is
 *   left without a substitution, no substitution is unused.
 * - Retry names only errors the Lambdas really throw (`name` of an error class of the code) or the
 *   service's own (`Lambda.*`, `States.*`), with backoff and full jitter.
 * - The JSONata expressions that carry the contract are evaluated with the jsonata library on the
 *   functions' documented shapes: a failed pair's result, the sweep summary.
 * - Roles: each state machine invokes exactly its functions; the schedule may only start its machine and
 *   has a retry policy and a dead-letter queue; logging at ERROR; an alarm on ExecutionsFailed.
 */
import aslValidator from 'asl-validator';
import jsonata from 'jsonata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_ITEMS_PER_BATCH } from '../../../shared/backfill/batch';
import {
  asArray,
  centralTemplate,
  readService,
  resolveVariable,
  ROOT,
  type CfnResource,
  type Json,
  type Statement,
} from './templates';

const service = readService();
const central = centralTemplate();
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const FN_PREFIX = `${String((service as unknown as Json).service)}-dev-`;

type State = Json & { Type: string };
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: string;
}

const machines = Object.entries(central.Resources).filter(
  ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
);
const machine = (id: string): CfnResource => central.Resources[id]!;

/** The function a substitution names: `!GetAtt <Fn>LambdaFunction.Arn` or an ARN built from its name. */
function functionOf(raw: unknown): string | undefined {
  const value = resolveVariable(raw, service);
  const getAtt = (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
  if (getAtt) {
    const id = getAtt[0]!;
    // osls: `-` -> `Dash`, the first letter upper-cased (`sweep-plan` -> `SweepDashplanLambdaFunction`).
    const logicalId = (fn: string) => {
      const n = fn.replaceAll('-', 'Dash').replaceAll('_', 'Underscore');
      return `${n[0]!.toUpperCase()}${n.slice(1)}LambdaFunction`;
    };
    return Object.keys(service.functions).find((fn) => logicalId(fn) === id);
  }
  const sub = (value as { 'Fn::Sub'?: string })['Fn::Sub'];
  const m = sub && /:function:\$\{self:service\}-\$\{sls:stage\}-([\w-]+)$/.exec(sub);
  return m ? m[1] : undefined;
}

/** A concrete value for a substitution, as CloudFormation would resolve it. */
function substituted(value: unknown): string {
  const fn = functionOf(value);
  if (fn) return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN_PREFIX}${fn}`;
  const ref = (value as { Ref?: string }).Ref;
  if (ref && central.Resources[ref]?.Type === 'AWS::S3::Bucket') return 'guardrail-backfill-results';
  throw new Error(`no test value for substitution ${JSON.stringify(value)}`);
}

/** The definition file of a state machine, every `${...}` filled in; and what was substituted. */
function definitionOf(id: string): { definition: Definition; file: string; used: Set<string> } {
  const props = machine(id).Properties;
  const file = /^\$\{file\(\.\/(.+)\)\}$/.exec(String(props.Definition))?.[1];
  if (!file) throw new Error(`${id}: Definition is not a file include`);
  const subs = (props.DefinitionSubstitutions ?? {}) as Json;
  const used = new Set<string>();
  const text = readFileSync(join(ROOT, file), 'utf8');
  // A whole-string serverless variable (`"${self:custom.x}"`) resolves at package time, to its type.
  const resolved = text
    .replace(/"\$\{(self:[\w.]+)\}"/g, (_, v: string) => JSON.stringify(resolveVariable(`\${${v}}`, service)))
    .replace(/\$\{(\w+)\}/g, (_, k: string) => {
      if (!(k in subs)) throw new Error(`${file}: placeholder \${${k}} has no DefinitionSubstitution`);
      used.add(k);
      return substituted(subs[k]);
    });
  return { definition: JSON.parse(resolved) as Definition, file, used };
}

/** Every state, Map ItemProcessors included, with its path. */
function allStates(d: Pick<Definition, 'States'>, path = ''): [string, State][] {
  return Object.entries(d.States).flatMap(([name, s]) => [
    [`${path}${name}`, s] as [string, State],
    ...(s.ItemProcessor ? allStates(s.ItemProcessor as Definition, `${path}${name}/`) : []),
  ]);
}

/** `name = '...'` of every error class of the code: what the Lambdas can throw by name. */
function thrownErrorNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts'))
        for (const m of readFileSync(join(ROOT, path), 'utf8').matchAll(/readonly name = '(\w+)'/g))
          names.add(m[1]!);
    }
  };
  walk('shared');
  walk('functions');
  return names;
}

const expr = (s: unknown): string => {
  const m = /^\{%([\s\S]*)%\}$/.exec(String(s));
  if (!m) throw new Error(`not a JSONata expression: ${String(s)}`);
  return m[1]!;
};
const evaluate = (s: unknown, states: Json): Promise<unknown> => jsonata(expr(s)).evaluate({}, { states });

function roleStatements(roleId: string): Statement[] {
  const p = central.Resources[roleId]!.Properties;
  return [
    ...asArray(p.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((x) =>
      asArray(x.PolicyDocument.Statement),
    ),
    ...asArray(p.ManagedPolicyArns as { Ref: string }[]).flatMap((r) =>
      asArray((central.Resources[r.Ref]!.Properties.PolicyDocument as { Statement: Statement[] }).Statement),
    ),
  ];
}
const roleOf = (id: string): string =>
  (machine(id).Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;

describe('state machine definitions (asl-validator, substitutions, errors)', () => {
  it('there are the organization sweep and the backfill', () => {
    expect(machines.map(([id]) => id).sort()).toEqual(['BackfillStateMachine', 'OrgSweepStateMachine']);
  });

  it.each(machines.map(([id]) => id))(
    '%s: valid ASL with every placeholder substituted and every substitution used',
    (id) => {
      const { definition, used } = definitionOf(id);
      const result = aslValidator(definition);
      expect(result.errorsText('\n'), id).toBe('');
      expect(result.isValid).toBe(true);
      expect([...used].sort()).toEqual(
        Object.keys(machine(id).Properties.DefinitionSubstitutions as Json).sort(),
      );
      // Every Lambda Task calls a function of serverless.yml (or the planned sweep-plan function).
      for (const [where, s] of allStates(definition))
        if (s.Type === 'Task') {
          expect(s.Resource, where).toBe('arn:aws:states:::lambda:invoke');
          const fn = String((s.Arguments as Json).FunctionName);
          expect(fn, where).toMatch(new RegExp(`^arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN_PREFIX}`));
          expect(Number(s.TimeoutSeconds), `${where} TimeoutSeconds`).toBeGreaterThan(0);
        }
    },
  );

  it('the validator itself refuses a missing target, an unreachable state and broken JSONata', () => {
    const { definition } = definitionOf('OrgSweepStateMachine');
    const broken = (mutate: (d: Definition) => void): boolean => {
      const d = structuredClone(definition);
      mutate(d);
      return aslValidator(d).isValid;
    };
    expect(broken(() => undefined)).toBe(true);
    expect(broken((d) => (d.States.Plan!.Next = 'Nowhere'))).toBe(false);
    expect(broken((d) => (d.States.Orphan = { Type: 'Pass', End: true }))).toBe(false);
    expect(broken((d) => (d.States.Summarize!.Output = '{% ( $r := %}'))).toBe(false);
    // An unsubstituted file is not valid: the placeholders must be filled.
    const raw = JSON.parse(readFileSync(join(ROOT, definitionOf('OrgSweepStateMachine').file), 'utf8'));
    expect(aslValidator(raw as object).isValid).toBe(false);
  });

  it('Retry names only errors the code throws or the service raises, with backoff and full jitter', () => {
    const known = thrownErrorNames();
    expect(known).toContain('BackfillRetryable');
    for (const [id] of machines)
      for (const [where, s] of allStates(definitionOf(id).definition)) {
        for (const r of asArray(s.Retry as Json[])) {
          for (const e of r.ErrorEquals as string[])
            if (!/^(Lambda|States)\./.test(e)) expect(known, `${id} ${where} retries ${e}`).toContain(e);
          expect(r.JitterStrategy, `${id} ${where}`).toBe('FULL');
          expect(Number(r.BackoffRate), `${id} ${where}`).toBeGreaterThan(1);
          expect(Number(r.MaxAttempts), `${id} ${where}`).toBeGreaterThanOrEqual(2);
          expect(r.ErrorEquals, `${id} ${where}: never retry everything`).not.toContain('States.ALL');
        }
      }
  });

  it('every state machine logs errors to its own log group and has an ExecutionsFailed alarm', () => {
    // infra/alarms.yml writes the shared settings once, as YAML merge keys (`<<:`).
    const alarms = Object.values(central.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => ({ ...r, Properties: { ...(r.Properties['<<'] as Json), ...r.Properties } }));
    for (const [id, m] of machines) {
      const logging = m.Properties.LoggingConfiguration as Json;
      expect(logging.Level, id).toBe('ERROR');
      expect(logging.IncludeExecutionData, id).toBe(false);
      const group = (
        (logging.Destinations as Json[])[0]!.CloudWatchLogsLogGroup as {
          LogGroupArn: { 'Fn::GetAtt': string[] };
        }
      ).LogGroupArn['Fn::GetAtt'][0]!;
      expect(central.Resources[group]?.Type, id).toBe('AWS::Logs::LogGroup');
      expect(String(central.Resources[group]!.Properties.LogGroupName)).toMatch(
        /^\/aws\/vendedlogs\/states\//,
      );
      const alarm = alarms.filter(
        (a) =>
          a.Properties.MetricName === 'ExecutionsFailed' &&
          (a.Properties.Dimensions as { Value: { Ref?: string } }[])[0]!.Value.Ref === id,
      );
      expect(alarm, `${id} ExecutionsFailed alarm`).toHaveLength(1);
    }
  });
});

describe('the organization sweep', () => {
  const { definition } = definitionOf('OrgSweepStateMachine');
  const map = definition.States.SweepPairs!;
  const processor = map.ItemProcessor as Definition;
  const pair = processor.States[processor.StartAt]!;

  it('Plan (sweep-plan) -> Map over the pairs (sweep) -> Summarize; concurrency 8 unless the parameter says', () => {
    expect(definition.StartAt).toBe('Plan');
    expect(definition.States.Plan!.Next).toBe('SweepPairs');
    expect(map.Type).toBe('Map');
    expect(map.Next).toBe('Summarize');
    expect(definition.States.Summarize!.End).toBe(true);
    expect(map.MaxConcurrency).toBe(8);
    expect(String((definition.States.Plan!.Arguments as Json).FunctionName)).toMatch(/-sweep-plan$/);
    expect(String((pair.Arguments as Json).FunctionName)).toMatch(/-sweep$/);
    expect(asArray(pair.Retry as Json[]).flatMap((r) => r.ErrorEquals as string[])).toEqual(
      expect.arrayContaining([
        'SweepThrottled',
        'Lambda.TooManyRequestsException',
        'Lambda.ServiceException',
      ]),
    );
  });

  it('the Map item is exactly { account, region } of the planned pair', async () => {
    const value = { account: '111111111111', region: 'eu-west-1', ignored: 'x' };
    const selector = map.ItemSelector as Json;
    const item: Json = {};
    for (const [k, v] of Object.entries(selector))
      item[k] = await evaluate(v, { context: { Map: { Item: { Value: value, Index: 0 } } } });
    expect(item).toEqual({ account: '111111111111', region: 'eu-west-1' });
  });

  it('a failing pair becomes its own result { account, region, status: failed, reason } and ends its branch only', async () => {
    const [catcher] = asArray(pair.Catch as Json[]);
    expect(catcher!.ErrorEquals).toEqual(['States.ALL']);
    const next = processor.States[String(catcher!.Next)]!;
    expect(next.Type).toBe('Pass');
    expect(next.End).toBe(true);
    const cause = JSON.stringify({
      errorType: 'AccessDenied',
      errorMessage: 'no access to account 222222222222 (role ecs-guardrail-read)',
      trace: Array.from({ length: 50 }, (_, i) => `at frame ${i}`),
    });
    const out = (await evaluate(catcher!.Output, {
      input: { account: '222222222222', region: 'eu-west-1' },
      errorOutput: { Error: 'AccessDenied', Cause: cause },
    })) as Json;
    expect(out).toMatchObject({ account: '222222222222', region: 'eu-west-1', status: 'failed' });
    expect(String(out.reason)).toMatch(/^AccessDenied: .*no access to account 222222222222/);
    expect(String(out.reason).length, 'a long cause is cut').toBeLessThanOrEqual(320);
    // A timeout has no Cause.
    const timeout = (await evaluate(catcher!.Output, {
      input: { account: '222222222222', region: 'eu-west-1' },
      errorOutput: { Error: 'States.Timeout' },
    })) as Json;
    expect(timeout.reason).toBe('States.Timeout');
  });

  it('the summary counts pairs by status, adds findings and lists exactly the failed pairs', async () => {
    const results = [
      {
        account: '111111111111',
        region: 'us-east-1',
        status: 'complete',
        findings: 3,
        resolved: 1,
        calls: 40,
      },
      {
        account: '111111111111',
        region: 'eu-west-1',
        status: 'partial',
        findings: 1,
        resolved: 0,
        calls: 12,
      },
      { account: '222222222222', region: 'us-east-1', status: 'failed', reason: 'AccessDenied: no access' },
      {
        account: '333333333333',
        region: 'us-east-1',
        status: 'complete',
        findings: 0,
        resolved: 0,
        calls: 9,
      },
    ];
    const mapOut = (await evaluate(map.Output, {
      input: { pairs: [], skipped: [{ account: '444444444444', reason: 'suspended' }] },
      result: results,
    })) as Json;
    const summary = (await evaluate(definition.States.Summarize!.Output, { input: mapOut })) as Json;
    expect(summary).toEqual({
      pairs: 4,
      byStatus: { complete: 2, partial: 1, failed: 1 },
      findings: 4,
      resolved: 1,
      failed: [{ account: '222222222222', region: 'us-east-1', reason: 'AccessDenied: no access' }],
      skipped: [{ account: '444444444444', reason: 'suspended' }],
    });
    // No pair at all (an organization with no account in scope): zeros, no failure.
    const empty = (await evaluate(definition.States.Summarize!.Output, {
      input: { results: [], skipped: [] },
    })) as Json;
    expect(empty).toMatchObject({ pairs: 0, byStatus: {}, findings: 0, failed: [] });
  });

  it('its role invokes exactly the two functions; the schedule starts only it, with retries and a DLQ', () => {
    const invoke = roleStatements(roleOf('OrgSweepStateMachine')).filter((s) =>
      asArray(s.Action).includes('lambda:InvokeFunction'),
    );
    expect(invoke).toHaveLength(1);
    expect(
      asArray(invoke[0]!.Resource as unknown[])
        .map(functionOf)
        .sort(),
    ).toEqual(['sweep', 'sweep-plan']);
    const allowed = roleStatements(roleOf('OrgSweepStateMachine')).flatMap((s) => asArray(s.Action));
    expect(allowed.filter((a) => !a.startsWith('logs:'))).toEqual(['lambda:InvokeFunction']);

    const schedules = Object.entries(central.Resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Events::Rule' &&
        asArray(r.Properties.Targets as Json[]).some(
          (t) => (t.Arn as { Ref?: string }).Ref === 'OrgSweepStateMachine',
        ),
    );
    expect(schedules).toHaveLength(1);
    const [, rule] = schedules[0]!;
    expect(resolveVariable(rule.Properties.ScheduleExpression, service)).toBe('rate(6 hours)');
    const target = (rule.Properties.Targets as Json[])[0]!;
    expect(Number((target.RetryPolicy as Json).MaximumRetryAttempts)).toBeGreaterThan(0);
    const dlq = ((target.DeadLetterConfig as Json).Arn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    expect(central.Resources[dlq]?.Type).toBe('AWS::SQS::Queue');
    expect(central.Resources[dlq]!.Properties.KmsMasterKeyId).toBeDefined();
    const scheduleRole = (target.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    expect(roleStatements(scheduleRole).map((s) => [s.Action, s.Resource])).toEqual([
      ['states:StartExecution', { Ref: 'OrgSweepStateMachine' }],
    ]);
  });
});

describe('the backfill', () => {
  const { definition } = definitionOf('BackfillStateMachine');
  const map = definition.States[definition.StartAt]!;
  const processor = map.ItemProcessor as Definition & { ProcessorConfig: Json };
  const batch = processor.States[processor.StartAt]!;

  it('a Distributed Map over the S3 listing, in batches, EXPRESS children, tolerated failures, results to S3', () => {
    expect(map.Type).toBe('Map');
    expect(processor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect((map.ItemReader as Json).Resource).toBe('arn:aws:states:::s3:listObjectsV2');
    const batcher = map.ItemBatcher as Json;
    expect(Number(batcher.MaxItemsPerBatch)).toBeGreaterThan(0);
    expect(Number(batcher.MaxItemsPerBatch)).toBeLessThanOrEqual(MAX_ITEMS_PER_BATCH);
    expect(Number(map.ToleratedFailurePercentage)).toBeGreaterThan(0);
    expect(Number(map.ToleratedFailurePercentage)).toBeLessThan(100);
    expect((map.ResultWriter as Json).Resource).toBe('arn:aws:states:::s3:putObject');
    expect(definition.States[String(map.Next)]!.End).toBe(true);
    // The Map's concurrency is the function's reserved concurrency: no batch is throttled by Lambda.
    expect(Number(map.MaxConcurrency)).toBe(
      resolveVariable(service.functions.backfill!.reservedConcurrency, service),
    );
  });

  it('an EXPRESS child ends within 5 minutes and the batch Task outlasts the function timeout', () => {
    const timeout = Number(batch.TimeoutSeconds);
    expect(timeout).toBeLessThanOrEqual(300);
    expect(timeout).toBeGreaterThan(Number(service.functions.backfill!.timeout));
  });

  it('the batch input the function gets: { Items: [{ Key }], BatchInput: { bucket, from, to } }', async () => {
    const input = { bucket: 'org-trail', prefix: 'AWSLogs/o-abc/', from: '2026-12-01', to: '2026-12-02' };
    const batchInput: Json = {};
    for (const [k, v] of Object.entries((map.ItemBatcher as Json).BatchInput as Json))
      batchInput[k] = await evaluate(v, { input });
    expect(batchInput).toEqual({ bucket: 'org-trail', from: '2026-12-01', to: '2026-12-02' });
    const item = await evaluate((map.ItemSelector as Json).Key, {
      context: { Map: { Item: { Value: { Key: 'AWSLogs/x.json.gz', Size: 10, Etag: '"e"' } } } },
    });
    expect(item).toBe('AWSLogs/x.json.gz');
    const reader = (map.ItemReader as Json).Arguments as Json;
    expect(await evaluate(reader.Bucket, { input })).toBe('org-trail');
    expect(await evaluate(reader.Prefix, { input })).toBe('AWSLogs/o-abc/');
  });

  it('its role: invoke the backfill function, start and follow its own children, list the trail bucket, write results', () => {
    const statements = roleStatements(roleOf('BackfillStateMachine'));
    const by = (action: string) => statements.filter((s) => asArray(s.Action).includes(action));
    expect(by('lambda:InvokeFunction').map((s) => functionOf(s.Resource))).toEqual(['backfill']);
    const self = `:stateMachine:\${self:service}-\${sls:stage}-backfill`;
    expect(JSON.stringify(by('states:StartExecution')[0]!.Resource)).toContain(self);
    expect(by('s3:ListBucket')).toHaveLength(1);
    expect(JSON.stringify(by('s3:PutObject')[0]!.Resource)).toContain('BackfillResultsBucket');
    expect(String(machine('BackfillStateMachine').Properties.StateMachineName)).toBe(
      '${self:service}-${sls:stage}-backfill',
    );
  });
});
