/**
 * Every JSON input form a person has, detected and named (test/fixtures/inputs/README.md names each
 * sample's source): bare CloudTrail records and arrays of them, `lookup-events` output, partial records,
 * task definitions (register input, describe output), create-service input. Hostile cases: a broken
 * element among good ones, a CloudTrailEvent that is not JSON, wrong JSON types, records with nothing to
 * identify them, secrets in bad fields.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../helpers/fixtures';
import { inputErrors, jsonLines, run } from './memory-io';

const INPUTS = join(__dirname, '..', '..', 'fixtures', 'inputs');
const input = (name: string): string => join(INPUTS, name);
const load = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-input-forms-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(content: unknown): string {
  const p = join(tmp, `in${++n}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

const PRIVILEGED_EVENT = fixturePath('cloudtrail-register-task-definition-privileged.json');
const SERVICE_EVENT = fixturePath('cloudtrail-create-service-assign-public-ip.json');
const RECORD = load(input('record-register-task-definition-privileged.json'));

async function evaluate(...paths: string[]) {
  const r = await run(['evaluate', '--format', 'json', ...paths]);
  const findings = jsonLines(r.stdout);
  return { ...r, findings, rules: [...new Set(findings.map((f) => f.ruleId))].sort() };
}

describe('each form gives the findings of the EventBridge event it stands for', () => {
  it.each([
    ['a bare record', 'record-register-task-definition-privileged.json', [PRIVILEGED_EVENT]],
    ['an array of records', 'records-array.json', [PRIVILEGED_EVENT, SERVICE_EVENT]],
    ['lookup-events output', 'lookup-events-ecs.json', [PRIVILEGED_EVENT, SERVICE_EVENT]],
    ['a partial record', 'partial-record-register-task-definition-privileged.json', [PRIVILEGED_EVENT]],
  ])('%s', async (_form, name, events) => {
    const asInput = await evaluate(input(name));
    const asEvents = await evaluate(...events);
    expect(asInput.code).toBe(0);
    expect(inputErrors(asInput.stderr)).toEqual([]);
    expect(asInput.rules).toEqual(asEvents.rules);
    expect(asInput.findings.map((f) => [f.ruleId, f.resource.arn, f.account, f.region]).sort()).toEqual(
      asEvents.findings.map((f) => [f.ruleId, f.resource.arn, f.account, f.region]).sort(),
    );
  });

  it('lookup-events output of the AWS CLI documentation (a console sign-in): read, nothing to flag', async () => {
    const r = await evaluate(input('aws-cli-lookup-events-console-login.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('0 finding(s) from 0 rule(s) over 1 event(s)');
  });

  it('register-task-definition input and its output (AWS CLI documentation): the same task definition checked', async () => {
    const request = await evaluate(input('aws-cli-register-task-definition-sleep360.json'));
    const output = await evaluate(input('aws-cli-register-task-definition-sleep360-output.json'));
    expect(request.rules).toEqual(output.rules);
    expect(request.rules).toEqual(expect.arrayContaining(['td-root-user', 'td-mutable-image']));
    // The input says no account, region or revision: nothing invented.
    expect(request.findings[0]).toMatchObject({
      account: '',
      region: '',
      resource: { arn: 'arn:aws:ecs:::task-definition/sleep360' },
    });
    // ECS's answer names them.
    expect(output.findings[0]).toMatchObject({
      account: '123456789012',
      region: 'us-west-2',
      resource: { arn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/sleep360:2' },
    });
  });

  it('create-service input: the service checked as the request it is', async () => {
    const r = await evaluate(
      input('create-service-fargate-public-ip.json'),
      input('aws-cli-create-service-elb.json'),
    );
    expect(r.code).toBe(0);
    const publicIp = r.findings.find((f) => f.ruleId === 'svc-public-ip');
    expect(publicIp).toMatchObject({
      account: '',
      region: '',
      resource: { arn: 'arn:aws:ecs:::service/MyCluster/MyService' },
    });
    expect(
      r.findings.filter((f) => f.resource.arn.endsWith('/ecs-simple-service-elb')).map((f) => f.ruleId),
    ).not.toContain('svc-public-ip');
  });
});

describe('hostile inputs', () => {
  it('an array of records with one broken element: the element named by index and field, the rest evaluated', async () => {
    const broken = structuredClone(RECORD) as {
      requestParameters: { containerDefinitions: Record<string, unknown>[] };
    };
    broken.requestParameters.containerDefinitions[0]!.privileged = 'true';
    // Without ECS's answer the request is what is read (a failed or truncated response).
    (broken as Record<string, unknown>).responseElements = null;
    const p = file([
      load(fixturePath('cloudtrail-create-service-assign-public-ip.json')).detail,
      broken,
      RECORD,
    ]);
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}[1]: CloudTrail record: invalid: requestParameters.containerDefinitions.0.privileged: expected boolean, got string`,
    ]);
    expect(r.rules).toEqual(expect.arrayContaining(['svc-public-ip', 'td-privileged']));
  });

  it('lookup-events output with a CloudTrailEvent that is not JSON, and one missing: both named, the rest evaluated', async () => {
    const good = load(input('lookup-events-ecs.json')) as { Events: Record<string, unknown>[] };
    const p = file({
      Events: [
        { ...good.Events[0], CloudTrailEvent: '{"eventVersion":"1.08","eventSource":' },
        { EventId: 'x' },
        good.Events[1],
      ],
    });
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}:Events[0]: lookup-events output: CloudTrailEvent: not valid JSON`,
      `guardrail: ${p}:Events[1]: lookup-events output: CloudTrailEvent: missing or not a string`,
    ]);
    expect(r.rules).toContain('svc-public-ip');
  });

  it('lookup-events output larger than one event (the CLI pages it all into one document): split event by event', async () => {
    const good = load(input('lookup-events-ecs.json')) as { Events: Record<string, unknown>[] };
    const events = Array.from({ length: 600 }, (_, i) =>
      i === 299 ? { ...good.Events[0], CloudTrailEvent: 'not json' } : good.Events[i % 2],
    );
    const text = JSON.stringify({ Events: events, NextToken: 'x'.repeat(100) });
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024); // over the 1 MiB per event
    const p = file(text);
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}:Events[299]: lookup-events output: CloudTrailEvent: not valid JSON`,
    ]);
    expect(r.stderr).toContain('over 599 event(s)');
    expect(r.rules).toEqual(expect.arrayContaining(['svc-public-ip', 'td-privileged']));
  });

  it('a query result (CloudTrail Lake, Athena) with requestParameters as JSON text: read as the object; cut text stays unknown', async () => {
    const asText = {
      ...RECORD,
      requestParameters: JSON.stringify(RECORD.requestParameters),
      responseElements: null,
    };
    const cut = {
      ...asText,
      eventID: 'cut',
      requestParameters: (asText.requestParameters as string).slice(0, 200),
    };
    const r = await evaluate(file(asText));
    expect(r.code).toBe(0);
    expect(r.rules).toContain('td-privileged');
    const truncated = await evaluate(file(cut));
    expect(truncated.rules).not.toContain('td-privileged');
    expect(truncated.stderr).toContain('truncated or missing: task definition unknown');
  });

  it('a record without eventID: evaluated, never "id: is required"; the same record twice is one event', async () => {
    const { eventID: _id, ...noId } = RECORD;
    const r = await evaluate(file(noId), file(noId));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\bid: /);
    const ids = new Set(r.findings.map((f) => f.event.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a partial record with nothing to identify it: evaluated with account and region unknown (""), nothing invented', async () => {
    const req = (RECORD.requestParameters ?? {}) as Record<string, unknown>;
    const p = file({
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RegisterTaskDefinition',
      requestParameters: req,
    });
    const r = await evaluate(p);
    expect(r.code).toBe(0);
    expect(r.rules).toContain('td-privileged');
    for (const f of r.findings) {
      expect(f).toMatchObject({ account: '', region: '' });
      expect(f.resource.arn).toMatch(/^arn:aws:ecs:::task-definition\//);
      expect(f.event.time).toBe('');
    }
    expect(r.stderr).not.toMatch(/is required/);
  });

  it('a record without awsRegion/recipientAccountId takes them from an ARN it holds, never from elsewhere', async () => {
    const {
      awsRegion: _r,
      recipientAccountId: _a,
      userIdentity: _u,
      ...rest
    } = load(SERVICE_EVENT).detail as Record<string, unknown>;
    const r = await evaluate(file(rest));
    const f = r.findings.find((x) => x.ruleId === 'svc-public-ip');
    expect(f).toMatchObject({ account: '111122223333', region: 'us-west-2' });
  });

  it('a record whose eventID is a number: the message names eventID, the record’s own field', async () => {
    const p = file({ ...RECORD, eventID: 42 });
    const r = await evaluate(p);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}: CloudTrail record: invalid: eventID: expected string, got number`,
    ]);
  });

  it('a task definition with "privileged": "true": invalid, the path as the file writes it', async () => {
    const td = load(input('aws-cli-register-task-definition-sleep360.json')) as {
      containerDefinitions: Record<string, unknown>[];
    };
    td.containerDefinitions[0]!.privileged = 'true';
    const p = file(td);
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}: task definition: invalid: containerDefinitions.0.privileged: expected boolean, got string`,
    ]);
  });

  it('a secret in a badly typed field never reaches the message', async () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE-wJalrXUtnFEMI';
    const td = {
      family: 'leaky',
      containerDefinitions: [{ name: 'app', image: 'x', environment: [{ name: 'TOKEN', value: [secret] }] }],
    };
    const p = file(td);
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('task definition: invalid: containerDefinitions.0.environment.0.value');
    expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it('JSON that is no known form: "not an event", listing every form expected', async () => {
    const p = file({ hello: 'world' });
    const r = await evaluate(p);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}: not an event: no form recognised (expected an EventBridge event, a CloudTrail record or log file, lookup-events output, a task definition, a create-service input, a CloudFormation template or a Terraform plan)`,
    ]);
  });
});
