/** What the engine itself returns for CLI inputs: the CLI suites compare their output with it. */
import { readInputs } from '../../../cli/inputs';
import { evaluateItem } from '../../../cli/evaluate-item';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import type { Finding } from '../../../shared/model/finding';
import { DEFAULT_POLICY } from '../../../shared/policy/load';

/**
 * The rule ids of the findings the engine returns for these inputs (each findingId once, as the CLI
 * prints them): this suite asserts that the CLI prints what the engine finds; which rules fire on which
 * corpus event is the golden test's concern (test/unit/golden.test.ts).
 */
export async function engineFindings(
  paths: readonly string[],
  stdin: Buffer = Buffer.alloc(0),
): Promise<Finding[]> {
  const deps = { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() };
  const seen = new Map<string, Finding>();
  for await (const item of readInputs(paths, () => stdin)) {
    if ('error' in item) continue;
    try {
      for (const f of (await evaluateItem(item, deps)).findings)
        if (!seen.has(f.findingId)) seen.set(f.findingId, f);
    } catch {
      // an invalid event: the CLI reports it and evaluates the others
    }
  }
  return [...seen.values()];
}
export const engineRules = async (paths: readonly string[], stdin?: Buffer): Promise<string[]> =>
  (await engineFindings(paths, stdin)).map((f) => f.ruleId).sort();
