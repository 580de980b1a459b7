/** docs/policy.schema.json: generated from the registries, current, and it accepts the policies we ship. */
import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { policyJsonSchema } from '../../../scripts/docs/policy-schema';
import { RULES } from '../../../shared/rules/registry';

const ROOT = join(__dirname, '..', '..', '..');
const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'policy.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(committed);
const POLICIES = [
  'guardrail.policy.yml',
  ...readdirSync(join(ROOT, 'examples'))
    // Every YAML example is a policy but the example GitHub workflow.
    .filter((f) => /\.ya?ml$/.test(f) && !/workflow/.test(f))
    .map((f) => `examples/${f}`),
];

describe('policy JSON Schema (docs/policy.schema.json)', () => {
  it('is what `npm run docs` generates from the registries today', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(policyJsonSchema())));
  });

  it.each(POLICIES)('accepts %s', (file) => {
    const ok = validate(parse(readFileSync(join(ROOT, file), 'utf8')));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(ok).toBe(true);
  });

  it('names every rule, and rejects an unknown rule, key or parameter', () => {
    const rules = (committed as { properties: { rules: { properties: object } } }).properties.rules;
    expect(Object.keys(rules.properties).sort()).toEqual(RULES.map((r) => r.id).sort());
    expect(validate({ rules: { 'td-privilegd': { mode: 'notify' } } })).toBe(false);
    expect(validate({ rule: {} })).toBe(false);
    expect(validate({ rules: { 'td-untrusted-registry': { params: { allowRegistry: [] } } } })).toBe(false);
    expect(validate({ rules: { 'td-untrusted-registry': { params: { allowRegistries: ['x'] } } } })).toBe(
      true,
    );
    expect(validate({ rules: { 'td-privileged': { mode: 'fix' } } })).toBe(false);
  });
});
