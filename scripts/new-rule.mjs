// Scaffold a rule: `npm run new-rule -- <rule-id> [--signal <kind>]` writes shared/rules/<id>.ts and
// test/unit/rules/<id>.test.ts from the templates below and adds the rule's line to the registry.
// The generated test fails until the check and its non-compliant input are written (red first).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Id prefix -> what the rule is evaluated on; the prefixes are the resource families and signals of the registry. */
const FAMILIES = {
  td: {
    kind: 'TaskDefinition',
    type: 'AWS::ECS::TaskDefinition',
    builder: 'taskDefinition()',
    what: 'task definition',
  },
  svc: { kind: 'Service', type: 'AWS::ECS::Service', builder: 'service()', what: 'service' },
  taskset: { kind: 'TaskSet', type: 'AWS::ECS::TaskSet', builder: 'taskSet()', what: 'task set' },
  task: { kind: 'Task', type: 'AWS::ECS::Task', builder: 'task()', what: 'task' },
  cluster: { kind: 'Cluster', type: 'AWS::ECS::Cluster', builder: 'cluster()', what: 'cluster' },
  instance: {
    kind: 'ContainerInstance',
    type: 'AWS::ECS::ContainerInstance',
    builder: 'containerInstance([])',
    what: 'container instance',
  },
  cp: {
    kind: 'CapacityProvider',
    type: 'AWS::ECS::CapacityProvider',
    builder: 'capacityProvider()',
    what: 'capacity provider',
  },
  throttle: { signal: true },
  ops: { signal: true },
};
const SIGNAL_KINDS = [
  'ecsThrottle',
  'apiThrottle',
  'deploymentFailed',
  'placementFailure',
  'execSession',
  'ecsWrite',
  'taskStopped',
];
const REGISTRY = 'shared/rules/registry.ts';

function fail(message) {
  console.error(`new-rule: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const id = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--signal');
const signalKind = args.includes('--signal') ? args[args.indexOf('--signal') + 1] : undefined;
if (!id)
  fail('usage: npm run new-rule -- <rule-id> [--signal <kind>]   e.g. npm run new-rule -- td-no-task-role');
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(id))
  fail(
    `"${id}" is not a kebab-case id with a family prefix (lower-case words joined by "-", e.g. td-no-task-role)`,
  );
const prefix = id.split('-')[0];
const family = FAMILIES[prefix];
if (!family)
  fail(
    `"${id}" does not start with a known family prefix: ${Object.keys(FAMILIES)
      .map((p) => `${p}-`)
      .join(', ')}`,
  );
const ruleFile = `shared/rules/${id}.ts`;
const testFile = `test/unit/rules/${id}.test.ts`;
const registry = readFileSync(REGISTRY, 'utf8');
if (existsSync(ruleFile) || registry.includes(`'./${id}'`)) fail(`rule "${id}" exists already (${ruleFile})`);
if (existsSync(testFile)) fail(`${testFile} exists already`);
if (family.signal && !SIGNAL_KINDS.includes(signalKind))
  fail(
    `${prefix}- rules are evaluated on a signal: add --signal <kind> with kind one of ${SIGNAL_KINDS.join(', ')}`,
  );
if (!family.signal && signalKind)
  fail(`--signal is for throttle- and ops- rules; ${prefix}- rules check a resource`);

const name = id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const title = id.slice(prefix.length + 1).replace(/-/g, ' ');

const resourceRuleFile = `/** ${id}: <one line: what it detects and why it matters>. */
import { resourceRule } from './types';

export const ${name} = resourceRule({
  family: 'resource',
  id: '${id}',
  title: '${title[0].toUpperCase()}${title.slice(1)}',
  severity: 'medium',
  resourceType: '${family.type}',
  appliesTo: '${family.kind}',
  description: 'When it fires, in one sentence (the README rule table shows it).',
  advice: 'What the ECS Best Practices Guide advises instead.',
  controls: {},
  // Pure: one evidence { path, message } per violation; [] when the ${family.what} is compliant.
  check: (_${family.kind === 'TaskDefinition' ? 'td' : 'r'}) => [],
});
`;

const signalRuleFile = `/** ${id}: <one line: what it detects and why it matters>. */
import { signalRule } from './types';

export const ${name} = signalRule({
  family: 'signal',
  id: '${id}',
  title: '${title[0].toUpperCase()}${title.slice(1)}',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: '${signalKind}',
  description: 'When it fires, in one sentence (the README rule table shows it).',
  advice: 'What to do about it.',
  controls: {},
  // Pure: the finding's resource and evidence, or undefined when the signal is no violation.
  check: (_s) => undefined,
});
`;

const resourceTest = `/** ${id}: the rule on its own, on inputs built here. */
import { describe, expect, it } from 'vitest';
import { check, ${family.builder?.replace(/\(.*$/, '')} } from './helpers';

describe('${id}', () => {
  it('fires on a non-compliant ${family.what}', () => {
    // Build the violation from the compliant ${family.what} and name the evidence you expect.
    expect(check('${id}', ${family.builder})).not.toEqual([]);
  });

  it('does not fire on a compliant ${family.what}', () => {
    expect(check('${id}', ${family.builder})).toEqual([]);
  });
});
`;

const signalTest = `/** ${id}: the rule on its own, on signals built here. */
import { describe, expect, it } from 'vitest';
import type { SignalOfKind } from '../../../shared/events/signals';
import { checkSignal } from './helpers';

/** The signal this rule is evaluated on: fill in its fields. */
const signal = (over: Partial<SignalOfKind<'${signalKind}'>> = {}): SignalOfKind<'${signalKind}'> =>
  ({ kind: '${signalKind}', ...over }) as SignalOfKind<'${signalKind}'>;

describe('${id}', () => {
  it('fires on a violating signal', () => {
    expect(checkSignal('${id}', signal())).toBeDefined();
  });
});
`;

// The registry: the import among the sorted imports, the entry after the last rule of the same family.
const lines = registry.split('\n');
const importLine = `import { ${name} } from './${id}';`;
const imports = lines
  .map((l, i) => [l, i])
  .filter(([l]) => /^import \{ \w+ \} from '\.\/[a-z0-9-]+';$/.test(l));
const after = imports.filter(([l]) => l.localeCompare(importLine) < 0).pop() ?? imports[0];
lines.splice(after[1] + (after[0].localeCompare(importLine) < 0 ? 1 : 0), 0, importLine);
const idOf = new Map(
  lines
    .map((l) => l.match(/^import \{ (\w+) \} from '\.\/([a-z0-9-]+)';$/))
    .filter(Boolean)
    .map((m) => [m[1], m[2]]),
);
const start = lines.indexOf('export const RULES: readonly Rule[] = [');
const end = lines.indexOf('];', start);
if (start < 0 || end < 0) fail(`cannot find the RULES list in ${REGISTRY}`);
let at = end;
for (let i = start + 1; i < end; i++)
  if (idOf.get(lines[i].trim().replace(/,$/, ''))?.startsWith(`${prefix}-`)) at = i + 1;
lines.splice(at, 0, `  ${name},`);

writeFileSync(ruleFile, family.signal ? signalRuleFile : resourceRuleFile);
writeFileSync(testFile, family.signal ? signalTest : resourceTest);
writeFileSync(REGISTRY, lines.join('\n'));
console.log(`created ${ruleFile}
created ${testFile}
registered ${id} in ${REGISTRY}
next: write the check and its tests (npx vitest run ${testFile}), then npm run docs (CONTRIBUTING.md)`);
