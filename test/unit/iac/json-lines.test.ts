/**
 * The JSON line index of the Terraform reader against an oracle: the `yaml` package's source ranges
 * (it parses JSON), on every value of the plan fixture and on hostile text (escaped quotes and keys,
 * empty containers, unicode, one-line JSON).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { LineIndex, type JsonPath } from '../../../shared/iac/terraform/positions';

function paths(x: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(at);
  if (Array.isArray(x)) x.forEach((v, i) => paths(v, [...at, i], out));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) paths(v, [...at, k], out);
  return out;
}

function oracle(text: string): (path: JsonPath) => number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  return (path) => {
    const node = doc.getIn(path, true);
    return isNode(node) && node.range ? counter.linePos(node.range[0]).line : undefined;
  };
}

function expectSameLines(text: string): void {
  const index = LineIndex.of(text, () => true);
  const expected = oracle(text);
  const all = paths(JSON.parse(text));
  expect(all.length).toBeGreaterThan(1);
  for (const p of all) expect([p, index.lineAt(p)]).toEqual([p, expected(p)]);
}

describe('LineIndex', () => {
  it('the plan fixture: every value on the line the oracle gives', () => {
    expectSameLines(
      readFileSync(join(__dirname, '..', '..', 'fixtures', 'iac', 'terraform', 'ecs-plan.json'), 'utf8'),
    );
  });

  it('hostile text: escaped quotes and backslashes in keys and strings, empty containers, unicode', () => {
    const value = {
      'a"b': { 'c\\': ['x"]}', {}, [], [[]], { '': null }] },
      '\u2028': 'line\nbreak \\" }',
      nums: [1, -2.5e3, true, false, null],
      nested: [{ k: [{}] }, { k: '' }],
    };
    expectSameLines(JSON.stringify(value, null, 2));
    expectSameLines(JSON.stringify(value, null, '\t'));
  });

  it('one-line JSON: everything on line 1; only the wanted paths are kept', () => {
    const text = JSON.stringify({ a: { b: [1, 2] }, c: 3 });
    const index = LineIndex.of(text, (p) => p[0] === 'a');
    expect(index.lineAt(['a', 'b', 1])).toBe(1);
    expect(index.lineAt(['c'])).toBeUndefined();
  });
});
