/** The rule registry: one file and one test file per registered rule, unique ids, defaults its schema accepts. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../shared/rules/registry';

const ROOT = join(__dirname, '..', '..', '..');

describe('rule registry', () => {
  it('ids are unique kebab-case', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/);
  });

  it.each(RULES.map((r) => r.id))('%s has its own rule file and test file', (id) => {
    expect(existsSync(join(ROOT, 'shared', 'rules', `${id}.ts`))).toBe(true);
    expect(existsSync(join(ROOT, 'test', 'unit', 'rules', `${id}.test.ts`))).toBe(true);
  });

  it.each(RULES.filter((r) => r.params).map((r) => [r.id, r] as const))(
    '%s: its defaults satisfy its own parameter schema',
    (_id, rule) => {
      expect(v.safeParse(rule.params!.schema, rule.params!.defaults).success).toBe(true);
    },
  );
});
