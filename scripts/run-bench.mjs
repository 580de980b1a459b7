// `npm run bench`: bundle bench/evaluate.ts with esbuild into bench/out/ and run it under plain node
// (no vitest, no timed tests). Several runs in separate processes, a streamed replay for peak RSS, then
// the median of the runs: printed as a table and written to bench/out/results.json.
//
//   npm run bench -- [--runs N] [--events N] [--seed N] [--seconds S] [--cpu-prof]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'bench/out';
const BUNDLE = `${OUT}/evaluate.cjs`;

const argv = process.argv.slice(2);
let runs = 5;
let cpuProf = false;
const pass = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--cpu-prof') cpuProf = true;
  else pass.push(argv[i]);
}
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
const eventsIdx = pass.indexOf('--events');
const seedIdx = pass.indexOf('--seed');
const corpusArgs = [
  ...(eventsIdx !== -1 ? ['--events', pass[eventsIdx + 1]] : []),
  ...(seedIdx !== -1 ? ['--seed', pass[seedIdx + 1]] : []),
];

mkdirSync(OUT, { recursive: true });
// CommonJS: the bundled dependencies (yaml) use require(); it also loads fastest on Node 20.
await build({
  entryPoints: ['bench/evaluate.ts'],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
});

function node(args, label) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const files = [];
for (let i = 1; i <= runs; i++) {
  const file = `${OUT}/run-${i}.json`;
  rmSync(file, { force: true });
  console.log(`\n--- run ${i} of ${runs} ---`);
  const prof = cpuProf && i === 1 ? ['--cpu-prof', `--cpu-prof-dir=${OUT}/prof`] : [];
  node([...prof, BUNDLE, '--out', file, ...pass], `run ${i}`);
  files.push(file);
}

console.log('\n--- replay (peak RSS) ---');
node([BUNDLE, '--replay', '--out', `${OUT}/replay.json`, ...corpusArgs], 'replay');

const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
node(
  [
    BUNDLE,
    '--aggregate',
    ...files,
    '--replay-result',
    `${OUT}/replay.json`,
    '--out',
    `${OUT}/results.json`,
    '--command',
    command,
  ],
  'aggregate',
);
console.log(`\nwritten: ${OUT}/results.json`);
