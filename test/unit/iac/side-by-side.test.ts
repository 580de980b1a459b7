/**
 * The same violations before deploy and at runtime: a CloudFormation template that declares what two
 * recorded CloudTrail events did (test/fixtures/iac/side-by-side/stack.yaml, property by property) gives
 * the same rule ids on the same kinds of resources as the events themselves. The Terraform plan column
 * joins when its reader is registered in IAC_READERS (form `terraform-plan`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateNormalized, evaluateRaw } from '../../../shared/engine/run';
import { cloudFormationReader } from '../../../shared/iac/cloudformation/reader';
import { IAC_READERS } from '../../../shared/iac/readers';
import type { Finding } from '../../../shared/model/finding';
import { deps } from '../engine/builders';

const ROOT = join(__dirname, '..', '..', '..');
const EVENTS = [
  'cloudtrail-register-task-definition-privileged.json',
  'cloudtrail-create-service-assign-public-ip.json',
];

/** `rule id on resource type`, sorted: what the comparison is about (names and ARNs differ by nature). */
const violations = (fs: readonly Finding[]) =>
  [...new Set(fs.map((f) => `${f.ruleId} on ${f.resource.type}`))].sort();

describe('side by side: CloudFormation template and CloudTrail events', () => {
  it('give the same rule ids on the same kinds of resources', async () => {
    const fromEvents: Finding[] = [];
    for (const name of EVENTS) {
      const raw: unknown = JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8'));
      fromEvents.push(...(await evaluateRaw(raw, deps())).findings);
    }
    const file = join('test', 'fixtures', 'iac', 'side-by-side', 'stack.yaml');
    const doc = cloudFormationReader.read(readFileSync(join(ROOT, file), 'utf8'), 'stack.yaml');
    expect(doc.unknown).toEqual([]);
    const fromTemplate = (await evaluateNormalized(doc.normalized, deps())).findings;

    expect(violations(fromTemplate)).toEqual(violations(fromEvents));
    // Not an empty comparison: the privileged container, the host namespaces and the public IP are there.
    expect(violations(fromTemplate)).toEqual(
      expect.arrayContaining([
        'td-privileged on AWS::ECS::TaskDefinition',
        'td-host-network on AWS::ECS::TaskDefinition',
        'td-host-pid on AWS::ECS::TaskDefinition',
        'td-dangerous-capabilities on AWS::ECS::TaskDefinition',
        'td-sensitive-host-mount on AWS::ECS::TaskDefinition',
        'svc-public-ip on AWS::ECS::Service',
      ]),
    );
    // The same evidence paths, and on the template each at its line.
    const paths = (fs: readonly Finding[]) =>
      fs.flatMap((f) => f.evidence.map((e) => `${f.ruleId} ${e.path}`)).sort();
    expect(paths(fromTemplate)).toEqual(paths(fromEvents));
    const privileged = fromTemplate.find((f) => f.ruleId === 'td-privileged');
    expect(privileged?.location).toEqual({ file: 'stack.yaml', address: 'NodeExporter', line: 20 });
  });

  it('the template is one CloudFormation accepts: cfn-lint reports nothing (fails, never skips, without cfn-lint)', () => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0)
      throw new Error('cfn-lint is not installed: pip install cfn-lint');
    const template = join(ROOT, 'test', 'fixtures', 'iac', 'side-by-side', 'stack.yaml');
    const r = spawnSync('cfn-lint', ['--format', 'json', '--', template], { encoding: 'utf8' });
    expect(r.stdout.trim() === '' ? [] : JSON.parse(r.stdout)).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  // The Terraform plan reader is h-inputs' part (shared/iac/terraform/): this column runs once it is registered.
  const terraform = IAC_READERS.find((r) => r.form === 'terraform-plan');
  it.runIf(terraform)('a Terraform plan of the same resources gives the same rule ids too', async () => {
    const fromEvents: Finding[] = [];
    for (const name of EVENTS) {
      const raw: unknown = JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8'));
      fromEvents.push(...(await evaluateRaw(raw, deps())).findings);
    }
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'iac', 'side-by-side', 'plan.json'), 'utf8');
    expect(terraform!.detect('plan.json', text.slice(0, 4096))).toBe(true);
    const doc = terraform!.read(text, 'plan.json');
    const fromPlan = (await evaluateNormalized(doc.normalized, deps())).findings;
    expect(violations(fromPlan)).toEqual(violations(fromEvents));
    expect(violations(fromPlan)).toEqual(
      expect.arrayContaining([
        'td-privileged on AWS::ECS::TaskDefinition',
        'svc-public-ip on AWS::ECS::Service',
      ]),
    );
    const paths = (fs: readonly Finding[]) =>
      fs.flatMap((f) => f.evidence.map((e) => `${f.ruleId} ${e.path}`)).sort();
    expect(paths(fromPlan)).toEqual(paths(fromEvents));
  });
});
