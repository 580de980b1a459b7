// `npm run noise`: the noise budget of the rule catalog under the default policy. Evaluates
//   - the whole events/ corpus and the test fixtures (test/fixtures/events), and prints per rule its default mode,
//     how many findings it makes there;
//   - the compliant samples: events/compliant/ and the events the benchmark corpus generator (bench/corpus.ts,
//     seed 42) plants no violation in, and prints per rule on how many of the samples it could apply to (a
//     resource or signal of its kind) it fires. A rule in notify mode by default that fires on more than half of
//     them is flagged NOISY.
//
//   npm run noise -- [--json FILE] [--baseline <file.json | git ref>] [--samples N] [--of <git ref>]
//
// --baseline diffs against a result written by --json (bench/noise-baseline.json is today's main) or against a
// git ref (its engine and rules, checked out in a temporary worktree, on THIS checkout's inputs), and lists every
// finding that is new. --of measures another ref's engine instead of this checkout's (how
// bench/noise-baseline.json was written: `npm run noise -- --of main --json bench/noise-baseline.json`).
// Exit 0; 1 when a rule is flagged NOISY.
import { Buffer } from 'node:buffer';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  if (i === -1) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
};
const jsonOut = opt('--json');
const baselineArg = opt('--baseline');
const ofRef = opt('--of');
const samples = Number(opt('--samples') ?? 3000);
if (!Number.isInteger(samples) || samples < 0) throw new Error('--samples must be a non-negative integer');

const ROOT = process.cwd();
mkdirSync('.tmp', { recursive: true });

/** The engine of the checkout at `engineRoot` (its rules, policy, parser), with THIS checkout's corpus generator. */
async function loadEngine(engineRoot) {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'noise-'));
  try {
    const out = join(dir, 'noise.cjs');
    await build({
      stdin: {
        contents: [
          "export { evaluateRaw } from './shared/engine/run';",
          "export { MemoryWindowCounter } from './shared/engine/windows';",
          "export { DEFAULT_POLICY } from './shared/policy/load';",
          "export { RULES } from './shared/rules/registry';",
          "export { parseEvent } from './shared/events/parse';",
          "export { normalize } from './shared/events/normalize';",
          "export { readInputs } from './cli/inputs';",
          `export { generateCorpus } from ${JSON.stringify(join(ROOT, 'bench', 'corpus.ts'))};`,
        ].join('\n'),
        resolveDir: engineRoot,
        loader: 'ts',
      },
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'warning',
    });
    return createRequire(join(engineRoot, 'package.json'))(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.jsonl?$/.test(name) ? [p] : [];
  });
}

/** Evaluate the corpus and the compliant samples with one engine. */
async function measure(engine) {
  const {
    evaluateRaw,
    MemoryWindowCounter,
    DEFAULT_POLICY,
    RULES,
    parseEvent,
    normalize,
    readInputs,
    generateCorpus,
  } = engine;
  const modeOf = (r) => DEFAULT_POLICY.rules[r.id]?.mode ?? 'notify';
  const files = [
    ...new Set([...walk(join(ROOT, 'events')), ...walk(join(ROOT, 'test', 'fixtures', 'events'))]),
  ].sort();
  const findings = [];
  const compliant = [];
  for (const file of files) {
    const counter = new MemoryWindowCounter();
    for await (const item of readInputs([file], () => Buffer.alloc(0))) {
      if ('error' in item) continue;
      const label = relative(ROOT, item.label).split('\\').join('/');
      let result;
      try {
        result = await evaluateRaw(item.value, { policy: DEFAULT_POLICY, counter });
      } catch {
        continue; // an invalid input: the parser's tests cover it
      }
      for (const f of result.findings)
        findings.push({
          input: label,
          ruleId: f.ruleId,
          resource: f.resource.arn,
          mode: f.mode,
          severity: f.severity,
        });
      if (label.startsWith('events/compliant/')) compliant.push({ label, value: item.value });
    }
  }
  if (samples > 0)
    for (const e of generateCorpus({ seed: 42, count: samples }))
      if (e.compliant)
        compliant.push({ label: `bench-corpus:${e.type}/${e.variant}`, value: JSON.parse(e.json) });

  const perRule = new Map(
    RULES.map((r) => [r.id, { ruleId: r.id, mode: modeOf(r), findings: 0, applicable: 0, fired: 0 }]),
  );
  for (const f of findings) {
    const p = perRule.get(f.ruleId);
    if (p) p.findings++;
  }
  for (const s of compliant) {
    let n;
    try {
      n = normalize(parseEvent(s.value));
    } catch {
      continue;
    }
    const kinds = new Set([...n.resources.map((r) => r.kind), ...n.signals.map((x) => x.kind)]);
    const r = await evaluateRaw(s.value, { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() });
    const fired = new Set(r.findings.map((f) => f.ruleId));
    for (const rule of RULES) {
      if (!kinds.has(rule.appliesTo)) continue;
      const p = perRule.get(rule.id);
      p.applicable++;
      if (fired.has(rule.id)) p.fired++;
    }
  }
  const rules = [...perRule.values()].map((p) => ({
    ...p,
    noisy: p.mode === 'notify' && p.applicable > 0 && p.fired * 2 > p.applicable,
  }));
  return { inputs: files.length, compliantSamples: compliant.length, rules, findings };
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function printResult(r, title) {
  console.log(
    `${title}: ${r.findings.length} finding(s) on ${r.inputs} corpus file(s); ${r.compliantSamples} compliant sample(s)`,
  );
  console.log(`${pad('RULE', 38)}${pad('MODE', 9)}${pad('FINDINGS', 10)}COMPLIANT SAMPLES FIRED`);
  for (const x of r.rules)
    console.log(
      `${pad(x.ruleId, 38)}${pad(x.mode, 9)}${pad(x.findings, 10)}${x.applicable ? `${x.fired}/${x.applicable} (${Math.round((100 * x.fired) / x.applicable)} %)` : '-'}${x.noisy ? '  NOISY: more than half of the compliant samples' : ''}`,
    );
}

const key = (f) => `${f.input}|${f.ruleId}|${f.resource}`;

function printDiff(before, after) {
  const had = new Set(before.findings.map(key));
  const has = new Set(after.findings.map(key));
  const added = after.findings.filter((f) => !had.has(key(f)));
  const gone = before.findings.filter((f) => !has.has(key(f)));
  console.log(`\nAgainst the baseline: ${added.length} new finding(s), ${gone.length} gone`);
  const beforeRules = new Map(before.rules.map((x) => [x.ruleId, x]));
  for (const x of after.rules) {
    const b = beforeRules.get(x.ruleId);
    if (!b)
      console.log(
        `  new rule ${x.ruleId} (${x.mode}): ${x.findings} finding(s), fired on ${x.fired}/${x.applicable} compliant samples`,
      );
    else if (b.findings !== x.findings || b.fired !== x.fired)
      console.log(
        `  ${x.ruleId}: findings ${b.findings} -> ${x.findings}, compliant samples fired ${b.fired} -> ${x.fired}`,
      );
  }
  for (const f of added)
    console.log(`  + ${f.ruleId} (${f.mode}, ${f.severity}) ${f.resource}  [${f.input}]`);
  for (const f of gone) console.log(`  - ${f.ruleId} ${f.resource}  [${f.input}]`);
}

async function baselineResult(arg) {
  if (existsSync(arg) && statSync(arg).isFile()) return JSON.parse(readFileSync(arg, 'utf8'));
  return measureRef(arg);
}

/** A git ref's engine in a temporary worktree (node_modules shared), on this checkout's inputs. */
async function measureRef(ref) {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'noise-ref-'));
  const tree = join(dir, 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', tree, ref], { stdio: 'ignore' });
  try {
    symlinkSync(resolve(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    return await measure(await loadEngine(tree));
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', tree], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

const result = ofRef ? await measureRef(ofRef) : await measure(await loadEngine(ROOT));
printResult(result, `Noise budget (default policy${ofRef ? `, engine of ${ofRef}` : ''})`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
if (baselineArg) printDiff(await baselineResult(baselineArg), result);
process.exitCode = result.rules.some((x) => x.noisy) ? 1 : 0;
