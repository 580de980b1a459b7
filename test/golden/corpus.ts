/**
 * The golden expectations: what the engine finds, with the default policy, on every input of events/ and of
 * the fixture corpus. `npm run golden` (scripts/golden.mjs) writes test/golden/findings.json from
 * `goldenOf()`; test/unit/golden.test.ts compares. The one place where "this input fires these rules" lives.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readInputs } from '../../cli/inputs';
import { evaluateItem } from '../../cli/evaluate-item';
import { MemoryWindowCounter } from '../../shared/engine/windows';
import type { Finding } from '../../shared/model/finding';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import { RULES } from '../../shared/rules/registry';
import { fixturePaths, REPO_ROOT } from '../helpers/fixtures';

/** The inputs the golden file covers (absolute paths): the samples of `npm start` and the fixture corpus. */
export function corpusFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : /\.jsonl?$/.test(name) ? [path] : [];
    });
  return [...new Set([...walk(join(REPO_ROOT, 'events')), ...fixturePaths()])].sort();
}

/** A finding as the golden file records it: everything but the rule's metadata (owned by the registry). */
export type GoldenFinding = Omit<Finding, 'title' | 'advice' | 'controls' | 'frameworks'>;

export interface Golden {
  /** The rules the file was recorded with: findings of a rule not listed here are not compared yet. */
  readonly rules: string[];
  /** Input label (file path from the repository root, `:<line>` or `[<index>]` for one of several) -> findings. */
  readonly inputs: Record<string, GoldenFinding[] | { error: string }>;
}

const golden = (f: Finding): GoldenFinding => {
  const { title: _t, advice: _a, controls: _c, frameworks: _f, ...rest } = f;
  return rest;
};

/** Evaluate every corpus file on its own (one window counter per file) as `guardrail evaluate` does. */
export async function goldenOf(files: readonly string[] = corpusFiles()): Promise<Golden> {
  const inputs: Golden['inputs'] = {};
  for (const file of files) {
    const deps = { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() };
    for await (const item of readInputs([file], () => Buffer.alloc(0))) {
      const label = relative(REPO_ROOT, item.label).split('\\').join('/');
      if ('error' in item) {
        inputs[label] = { error: item.error };
        continue;
      }
      try {
        inputs[label] = (await evaluateItem(item, deps)).findings.map(golden);
      } catch (err) {
        inputs[label] = { error: (err as Error).message };
      }
    }
  }
  return { rules: RULES.map((r) => r.id).sort(), inputs };
}
