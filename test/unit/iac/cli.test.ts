/**
 * `guardrail evaluate` on CloudFormation templates and a CDK cloud assembly, through the CLI's real
 * input reader and readers: findings carry the file, the logical id (construct path) and the line; the
 * values unknown before deploy are reported on stderr and counted; a directory of templates skips other
 * YAML; a cdk.out's manifest, tree and assets are not read; a bad template is one named error and the
 * other inputs are still evaluated.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../fixtures/iac/cdk/app';
import { inputErrors, jsonLines, run } from '../cli/memory-io';

/** stderr lines about a bad input, without the notes on what was not checked (unknown values, enrichment). */
const problems = (stderr: string) =>
  inputErrors(stderr).filter(
    (l) => !l.includes('unknown before deploy') && !l.includes('skipped without --enrich'),
  );

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'iac', 'cloudformation');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'guardrail-iac-cli-'));
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('guardrail evaluate: CloudFormation templates', () => {
  it('a YAML template: findings with file, logical id and line; unknown values reported; --fail-on high fails', async () => {
    const template = join(FIXTURES, 'fargate-public-service.yaml');
    const r = await run(['evaluate', '--format', 'json', '--fail-on', 'high', template]);
    expect(r.code).toBe(1);
    const publicIp = jsonLines(r.stdout).find((f) => f.ruleId === 'svc-public-ip');
    expect(publicIp?.location).toEqual({ file: template, address: 'Service', line: 113 });
    expect(r.stderr).toContain(
      `${template}: 7 value(s) unknown before deploy, not checked: TaskDefinition.Properties.ExecutionRoleArn (line 75)`,
    );
    expect(problems(r.stderr)).toEqual([]);
  });

  it('a directory: templates read, other YAML (a workflow) skipped, a bad template named with its line, the rest evaluated', async () => {
    const dir = join(tmp, 'infra');
    mkdirSync(join(dir, '.github'), { recursive: true });
    cpSync(join(FIXTURES, 'refarch-product-service.yaml'), join(dir, 'service.yaml'));
    writeFileSync(join(dir, '.github', 'ci.yml'), 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n');
    writeFileSync(
      join(dir, 'broken.yaml'),
      'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A:\n    Type: AWS::ECS::Cluster\n  A:\n    Type: AWS::ECS::Cluster\n',
    );
    const r = await run(['evaluate', '--format', 'json', dir]);
    expect(r.code).toBe(2);
    expect(problems(r.stderr)).toEqual([
      `guardrail: ${join(dir, 'broken.yaml')}:5: CloudFormation template: a key appears twice in the same map (CloudFormation refuses duplicate keys)`,
    ]);
    const files = new Set(jsonLines(r.stdout).map((f) => f.location?.file));
    expect([...files]).toEqual([join(dir, 'service.yaml')]);
  });
});

describe('guardrail evaluate cdk.out/', () => {
  it("reads each stack template once (a stage's nested assembly too), names resources by construct path; manifest, tree and assets are not read", async () => {
    const assembly = synthesize(join(tmp, 'app', 'cdk.out'));
    // An asset folder holds whatever the app packages (here JSON that is no event): never read.
    mkdirSync(join(assembly, 'asset.0123abcd'), { recursive: true });
    writeFileSync(join(assembly, 'asset.0123abcd', 'package.json'), '{"name": "handler"}');
    const r = await run(['evaluate', '--format', 'json', assembly]);
    expect(problems(r.stderr)).toEqual([]);
    const findings = jsonLines(r.stdout);
    const template = join(assembly, 'GuardrailDemo.template.json');
    // The cluster leaves Container Insights to the account default: said, as for a CreateCluster event.
    expect(r.stderr).toContain(
      `${template}: skipped without --enrich: account default of Container Insights`,
    );
    // Both stacks' templates, the stage's from its nested assembly: its cluster does not log ECS Exec.
    const nested = findings.find((f) => f.ruleId === 'cluster-exec-logging-off');
    expect(nested?.location?.address).toBe('Prod/Platform/Cluster/Resource');
    expect(nested?.location?.file).toMatch(/assembly-Prod[\\/]ProdPlatform.*\.template\.json$/);
    expect(new Set(findings.map((f) => f.location?.file))).toEqual(
      new Set([template, nested?.location?.file]),
    );
    expect(findings.find((f) => f.ruleId === 'td-privileged')?.location?.address).toBe(
      'GuardrailDemo/AgentTask/Resource',
    );
    expect(findings.find((f) => f.ruleId === 'svc-public-ip')?.resource.arn).toBe(
      `${template}#GuardrailDemo/WebService/Service`,
    );
    // Once: one finding per rule and resource.
    const keys = findings.map((f) => f.findingId);
    expect(new Set(keys).size).toBe(keys.length);
  }, 120_000);
});
