// Lambda benchmark (BENCHMARKS.md, "Lambda functions"): bundle bench/lambda.ts with esbuild and run its steps, each
// in its own process (so the replay's peak RSS is its own). moto_server must be on PATH.
// Usage: node scripts/bench-lambda.mjs [all|package|variants|load|latency|replay] [options]
//   load:    --runs N (default 40) --variants deployed,sdk-external,sdk-bundled,esm-split [--save NAME]
//            [--node-options "..."] (the children's NODE_OPTIONS)
//   latency: --events N (default 500) --warmup N (default 30)
//   replay:  --events N (default 10000) --fn cloudtrail-api-call|ecs-state-change|throttling
//            [--node-options "--max-semi-space-size=2"] [--save NAME]
// Results: bench/out/lambda/*.json.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const outfile = 'bench/out/bench-lambda.cjs';
await build({
  entryPoints: ['bench/lambda.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'error',
});

const [step = 'all', ...rest] = process.argv.slice(2);
const steps =
  step === 'all'
    ? [
        ['package'],
        ['variants'],
        ['load'],
        ['latency'],
        ['replay', '--fn', 'cloudtrail-api-call'],
        ['replay', '--fn', 'ecs-state-change'],
      ]
    : [[step, ...rest]];
for (const args of steps) {
  console.error(`== bench-lambda ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [outfile, ...args], {
    stdio: 'inherit',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if (r.status !== 0) {
    process.exitCode = r.status ?? 1;
    break;
  }
}
