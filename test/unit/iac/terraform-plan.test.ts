/**
 * The Terraform plan reader (`terraform show -json`) through `guardrail evaluate`: the same violations as
 * the equivalent CloudTrail events, each named by its Terraform address and the line of the property;
 * values unknown until apply never flagged and counted; deleted resources and data sources skipped;
 * hostile plans (container_definitions not JSON, wrong JSON types, truncated, 50 MB) refused by name.
 * The plan fixture's provenance: test/fixtures/iac/SOURCES.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTerraformPlan, TERRAFORM_PLAN_READER } from '../../../shared/iac/terraform/reader';
import { fixturePath } from '../../helpers/fixtures';
import { inputErrors, jsonLines, run } from '../cli/memory-io';

const PLAN = join(__dirname, '..', '..', 'fixtures', 'iac', 'terraform', 'ecs-plan.json');
const TEXT = readFileSync(PLAN, 'utf8');
type Plan = Record<string, unknown> & { resource_changes: { change: { after: Record<string, unknown> } }[] };
const plan = (): Plan => JSON.parse(TEXT) as Plan;

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-tf-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(content: string): string {
  const p = join(tmp, `plan${++n}.json`);
  writeFileSync(p, content);
  return p;
}

async function evaluate(...paths: string[]) {
  const r = await run(['evaluate', '--format', 'json', ...paths]);
  return { ...r, findings: jsonLines(r.stdout) };
}

/** The 1-based line of the first occurrence of `needle` after `after` in the fixture. */
function lineOf(needle: string, after = 0): number {
  const at = TEXT.indexOf(needle, after);
  expect(at).toBeGreaterThan(-1);
  return TEXT.slice(0, at).split('\n').length;
}

describe('Terraform plan: the same violations as the CloudTrail events of the same resources', () => {
  it('task definition and service side by side with RegisterTaskDefinition and CreateService events', async () => {
    const fromPlan = await evaluate(PLAN);
    const fromEvents = await evaluate(
      fixturePath('cloudtrail-register-task-definition-privileged.json'),
      fixturePath('cloudtrail-create-service-assign-public-ip.json'),
    );
    const rulesOf = (fs: typeof fromPlan.findings, kind: string) =>
      fs
        .filter((f) => f.resource.type === kind)
        .map((f) => f.ruleId)
        .sort();
    expect(rulesOf(fromPlan.findings, 'AWS::ECS::TaskDefinition')).toEqual(
      rulesOf(fromEvents.findings, 'AWS::ECS::TaskDefinition'),
    );
    expect(rulesOf(fromPlan.findings, 'AWS::ECS::Service')).toEqual(
      expect.arrayContaining(rulesOf(fromEvents.findings, 'AWS::ECS::Service')),
    );
    expect(fromPlan.code).toBe(0);
  });

  it('each finding names the file, the Terraform address (child modules too) and the line of the property', async () => {
    const { findings } = await evaluate(PLAN);
    const changes = TEXT.indexOf('"resource_changes"');
    const pid = findings.find((f) => f.ruleId === 'td-host-pid')!;
    expect(pid.resource.arn).toBe(`${PLAN}#aws_ecs_task_definition.node_exporter`);
    expect(pid.location).toEqual({
      file: PLAN,
      address: 'aws_ecs_task_definition.node_exporter',
      line: lineOf('"pid_mode"', changes),
    });
    const privileged = findings.find((f) => f.ruleId === 'td-privileged')!;
    expect(privileged.location?.line).toBe(lineOf('"container_definitions"', changes));
    const publicIp = findings.find((f) => f.ruleId === 'svc-public-ip')!;
    expect(publicIp.location).toEqual({
      file: PLAN,
      address: 'module.web.aws_ecs_service.checkout_api',
      line: lineOf('"assign_public_ip"', TEXT.indexOf('"module.web.aws_ecs_service.checkout_api"', changes)),
    });
    expect(publicIp).toMatchObject({ account: '', region: '' });
  });

  it('a value known only after apply is never flagged, and is counted as not checked', async () => {
    const r = await evaluate(PLAN);
    const workerFindings = r.findings.filter(
      (f) => f.location?.address === 'module.web.aws_ecs_service.worker',
    );
    expect(workerFindings.map((f) => f.ruleId)).not.toContain('svc-public-ip');
    expect(workerFindings.map((f) => f.ruleId)).toContain('svc-exec-enabled'); // what is known is still checked
    // Absent from `after`: the line of its block, network_configuration[0] (the line after its key).
    const worker = TEXT.indexOf('"module.web.aws_ecs_service.worker"', TEXT.indexOf('"resource_changes"'));
    const block = lineOf('"network_configuration"', worker) + 1;
    expect(r.stderr).toContain(
      `module.web.aws_ecs_service.worker.network_configuration[0].assign_public_ip (line ${block}): known only after apply`,
    );
    expect(r.stderr).toContain('1 value(s) unknown before deploy, not checked');
  });

  it('deleted resources (after: null) and data sources are not checked', async () => {
    const doc = readTerraformPlan(TEXT, 'plan.json');
    const addresses = doc.normalized.resources.map((r) => r.origin?.address);
    expect(addresses).not.toContain('aws_ecs_task_definition.old');
    expect(addresses.sort()).toEqual([
      'aws_ecs_task_definition.node_exporter',
      'module.web.aws_ecs_cluster.main',
      'module.web.aws_ecs_service.checkout_api',
      'module.web.aws_ecs_service.worker',
    ]);
  });

  it('a plan with planned_values only: the module tree is read, the same resources checked', async () => {
    const { resource_changes: _rc, ...rest } = plan();
    const p = file(JSON.stringify(rest, null, 2));
    const fromTree = await evaluate(p);
    const fromChanges = await evaluate(PLAN);
    expect(fromTree.findings.map((f) => `${f.ruleId} ${f.location?.address}`).sort()).toEqual(
      fromChanges.findings
        .map((f) => `${f.ruleId} ${f.location?.address}`)
        // planned_values leaves out what is unknown, without saying so: the worker's public IP is absent.
        .sort(),
    );
  });

  it('the one-line JSON terraform writes: detected and read, every line 1', async () => {
    const p = file(JSON.stringify(plan()) + '\n');
    const r = await evaluate(p);
    expect(r.code).toBe(0);
    expect(r.findings.length).toBeGreaterThan(5);
    expect(new Set(r.findings.map((f) => f.location?.line))).toEqual(new Set([1]));
  });
});

describe('aws_ecs_capacity_provider', () => {
  it('managed termination protection DISABLED is flagged; unknown until apply is not, and is counted', async () => {
    const cp = (name: string, mtp: unknown, unknown: boolean) => ({
      address: `aws_ecs_capacity_provider.${name}`,
      mode: 'managed',
      type: 'aws_ecs_capacity_provider',
      name,
      change: {
        actions: ['create'],
        before: null,
        after: {
          name,
          auto_scaling_group_provider: [
            {
              auto_scaling_group_arn: 'arn:aws:autoscaling:us-west-2:111122223333:autoScalingGroup:x',
              managed_termination_protection: mtp,
            },
          ],
          tags: null,
        },
        after_unknown: unknown
          ? { auto_scaling_group_provider: [{ managed_termination_protection: true }] }
          : {},
      },
    });
    const p = plan();
    p.resource_changes = [
      cp('off', 'DISABLED', false),
      cp('later', null, true),
      cp('on', 'ENABLED', false),
    ] as never;
    const r = await run([
      'evaluate',
      '--format',
      'json',
      '--include-exempt',
      file(JSON.stringify(p, null, 2)),
    ]);
    const flagged = jsonLines(r.stdout)
      .filter((f) => f.resource.type === 'AWS::ECS::CapacityProvider')
      .map((f) => [f.ruleId, f.location?.address]);
    expect(flagged).toEqual([['cp-termination-protection-off', 'aws_ecs_capacity_provider.off']]);
    expect(r.stderr).toContain(
      'aws_ecs_capacity_provider.later.auto_scaling_group_provider[0].managed_termination_protection',
    );
  });
});

describe('--enrich on a plan', () => {
  it('is not enriched (nothing exists in AWS yet): no AWS call, no enrichment failure, exit 0', async () => {
    const saved = { ...process.env };
    // A region (--enrich refuses to start without one) but no credentials: any AWS call would fail and
    // make the run exit 2.
    for (const k of ['AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      delete process.env[k];
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent';
    process.env.AWS_CONFIG_FILE = '/nonexistent';
    try {
      const r = await run(['evaluate', '--enrich', '--format', 'json', PLAN]);
      expect(r.stderr).not.toContain('enrichment failed');
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout).map((f) => f.ruleId)).toContain('td-privileged');
    } finally {
      process.env = saved;
    }
  });
});

describe('hostile plans', () => {
  it('container_definitions that is not JSON: named by address and line, nothing else of the plan evaluated', async () => {
    const bad = plan();
    bad.resource_changes[0]!.change.after.container_definitions = '[{"name": "app", "privileged": tru';
    const text = JSON.stringify(bad, null, 2);
    const p = file(text);
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    const line = text
      .slice(0, text.indexOf('"container_definitions"', text.indexOf('"resource_changes"')))
      .split('\n').length;
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}:${line}: Terraform plan: aws_ecs_task_definition.node_exporter: container_definitions: not valid JSON`,
    ]);
  });

  it('"privileged": "true" in container_definitions: invalid, the path named, the value never', async () => {
    const bad = plan();
    bad.resource_changes[0]!.change.after.container_definitions = JSON.stringify([
      {
        name: 'app',
        image: 'x',
        privileged: 'true',
        environment: [{ name: 'K', value: 'AKIASECRETVALUE123' }],
      },
    ]);
    const p = file(JSON.stringify(bad, null, 2));
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'Terraform plan: aws_ecs_task_definition.node_exporter: invalid: containerDefinitions.0.privileged: expected boolean, got string',
    );
    expect(r.stderr).not.toContain('AKIASECRETVALUE123');
  });

  it('a truncated plan: "not valid JSON" with the line', async () => {
    const p = file(TEXT.slice(0, 2000));
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)[0]).toMatch(
      new RegExp(`^guardrail: ${p}(:\\d+)?: Terraform plan: not valid JSON$`),
    );
  });

  it('a 50 MB plan: refused over the 32 MiB cap, named, without reading it whole', async () => {
    const big = plan() as Record<string, unknown>;
    big.padding = 'x'.repeat(50 * 1024 * 1024);
    const p = file(JSON.stringify(big));
    const r = await evaluate(p);
    expect(r.code).toBe(2);
    expect(inputErrors(r.stderr)).toEqual([
      `guardrail: ${p}: Terraform plan: larger than the limit of 32 MiB per document: refused`,
    ]);
  }, 60_000);

  it('detect: a plan, never an event, a CloudTrail log or a CloudFormation template', () => {
    expect(TERRAFORM_PLAN_READER.detect('p.json', TEXT.slice(0, 65536))).toBe(true);
    for (const other of [
      readFileSync(fixturePath('cloudtrail-register-task-definition-privileged.json'), 'utf8'),
      '{"Records": []}',
      '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}',
      'format_version: "1.2"\nterraform_version: x\n',
    ])
      expect(TERRAFORM_PLAN_READER.detect('x.json', other)).toBe(false);
  });
});
