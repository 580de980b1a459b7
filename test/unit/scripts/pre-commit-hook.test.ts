/**
 * The pre-commit hook definition (.pre-commit-hooks.yaml): the `guardrail evaluate` entry, and the `files`
 * pattern (a Python regex pre-commit applies with `re.search`; this one is also valid JavaScript) picks
 * templates and task definition JSON and leaves other JSON and YAML alone (they would be invalid inputs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../helpers/fixtures';

const hooks = parse(readFileSync(join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
  id: string;
  entry: string;
  language: string;
  files: string;
  types_or: string[];
}[];
const hook = hooks.find((h) => h.id === 'guardrail')!;
const files = new RegExp(hook.files);

describe('.pre-commit-hooks.yaml', () => {
  it('one hook, id guardrail, running guardrail evaluate with --fail-on, never downloading at commit time', () => {
    expect(hooks.map((h) => h.id)).toEqual(['guardrail']);
    expect(hook.entry).toBe('npx --no-install guardrail evaluate --fail-on high');
    expect(hook.language).toBe('system');
    expect(hook.types_or).toEqual(['json', 'yaml']);
  });

  it.each([
    'template.yaml',
    'infra/template.yml',
    'stacks/app.template.json',
    'cdk.out/MyStack.template.json',
    'cloudformation/ecs-service.yaml',
    'deploy/cfn/cluster.json',
    'taskdef.json',
    'ecs/task-definition.json',
    'ecs/web-taskdef.prod.json',
  ])('picks %s', (name) => expect(files.test(name)).toBe(true));

  it.each([
    'package.json',
    'tsconfig.json',
    '.github/workflows/ci.yml',
    'docker-compose.yml',
    'templates/README.md',
    'cfn/nested/readme.txt',
    'my-templates.yaml',
    'taskdef.yaml',
  ])('leaves %s alone', (name) => expect(files.test(name)).toBe(false));
});
