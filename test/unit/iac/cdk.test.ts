/**
 * CDK cloud assemblies: a real CDK app (test/fixtures/iac/cdk/app.ts, aws-cdk-lib's constructs) is
 * synthesized with `App.synth()` into a temporary `cdk.out`; walking it as the CLI walks a directory, the
 * stack's template is read once by the `cdk` reader (resources named by construct path and the file), and
 * the assembly's own files (manifest, tree, assets, metadata) are recognized, never read as events.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateNormalized } from '../../../shared/engine/run';
import { isAssemblyBookkeeping, isCloudAssembly } from '../../../shared/iac/cloudformation/cdk';
import { IAC_READERS } from '../../../shared/iac/readers';
import type { Finding } from '../../../shared/model/finding';
import { synthesize } from '../../fixtures/iac/cdk/app';
import { deps } from '../engine/builders';

let root: string;
let assembly: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'guardrail-cdk-'));
  assembly = synthesize(join(root, 'cdk.out'));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cdk.out', () => {
  it('the assembly (and the nested one of a stage) is recognized; its bookkeeping files are set apart, its stack template read by the cdk reader', () => {
    const names = readdirSync(assembly);
    expect(isCloudAssembly(new Set(names))).toBe(true);
    const templates = names.filter((n) => !isAssemblyBookkeeping(n));
    expect(templates).toEqual(['GuardrailDemo.template.json', 'assembly-Prod']);
    // A stage is a nested assembly of its own, with its own bookkeeping.
    const nested = readdirSync(join(assembly, 'assembly-Prod'));
    expect(isCloudAssembly(new Set(nested))).toBe(true);
    expect(nested.filter((n) => !isAssemblyBookkeeping(n))).toEqual([
      expect.stringMatching(/^ProdPlatform.*\.template\.json$/),
    ]);
    expect(names.filter(isAssemblyBookkeeping).sort()).toEqual(
      ['GuardrailDemo.assets.json', 'GuardrailDemo.metadata.json', 'cdk.out', 'manifest.json', 'tree.json']
        .concat(names.includes('validation-report.json') ? ['validation-report.json'] : [])
        .sort(),
    );
    const file = join('cdk.out', 'GuardrailDemo.template.json');
    const text = readFileSync(join(root, file), 'utf8');
    expect(IAC_READERS.find((r) => r.detect(file, text.slice(0, 64 * 1024)))?.form).toBe('cdk');
    // A directory of templates that is not an assembly is not one.
    expect(isCloudAssembly(new Set(['service.template.json', 'manifest.json']))).toBe(false);
  });

  it('finds the privileged container and the public IP, named by construct path, file and line', async () => {
    const file = join('cdk.out', 'GuardrailDemo.template.json');
    const text = readFileSync(join(root, file), 'utf8');
    const doc = IAC_READERS.find((r) => r.form === 'cdk')!.read(text, file);
    const findings: Finding[] = (await evaluateNormalized(doc.normalized, deps())).findings;
    const privileged = findings.find((f) => f.ruleId === 'td-privileged');
    expect(privileged?.resource.arn).toBe(`${file}#GuardrailDemo/AgentTask/Resource`);
    expect(privileged?.location?.address).toBe('GuardrailDemo/AgentTask/Resource');
    const line = privileged?.location?.line ?? 0;
    expect(text.split('\n')[line - 1]).toMatch(/"Privileged": true/);
    const publicIp = findings.find((f) => f.ruleId === 'svc-public-ip');
    expect(publicIp?.location?.address).toBe('GuardrailDemo/WebService/Service');
    expect(text.split('\n')[(publicIp?.location?.line ?? 0) - 1]).toMatch(/"AssignPublicIp": "ENABLED"/);
    // The synthesized roles and the log group are CloudFormation references: named, not flagged as missing.
    expect(findings.map((f) => f.ruleId)).not.toContain('td-no-task-role');
    expect(
      findings
        .filter((f) => f.location?.address === 'GuardrailDemo/WebService/Service')
        .map((f) => f.ruleId)
        .sort(),
    ).toEqual(['svc-circuit-breaker-off', 'svc-public-ip']);
    // References between resources use the same names: the service's cluster is the cluster's construct path.
    const service = doc.normalized.resources.find((r) => r.kind === 'Service');
    expect(service?.kind === 'Service' ? service.clusterArn : undefined).toBe(
      `${file}#GuardrailDemo/Cluster/Resource`,
    );
    expect(doc.normalized.resources.map((r) => r.arn)).toContain(`${file}#GuardrailDemo/Cluster/Resource`);
    // The log group CDK creates is a resource of the template: its name is known only after deploy.
    expect(doc.unknown).toEqual([
      expect.objectContaining({
        address: 'GuardrailDemo/WebTask/Resource',
        path: 'Properties.ContainerDefinitions[0].LogConfiguration.Options.awslogs-group',
      }),
    ]);
  });

  it('a construct path built to break a terminal falls back to the logical id', () => {
    const text = JSON.stringify({
      Resources: {
        TaskDef: {
          Type: 'AWS::ECS::TaskDefinition',
          Metadata: { 'aws:cdk:path': 'Stack/\u001b[2JEvil/Resource' },
          Properties: { ContainerDefinitions: [] },
        },
      },
    });
    const reader = IAC_READERS.find((r) => r.detect('cdk.out/S.template.json', text))!;
    expect(reader.form).toBe('cdk');
    expect(reader.read(text, 'cdk.out/S.template.json').normalized.resources[0]?.arn).toBe(
      'cdk.out/S.template.json#TaskDef',
    );
  });
});
