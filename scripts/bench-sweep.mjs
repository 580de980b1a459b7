// Sweep benchmark: bundle bench/sweep.ts with esbuild and run it (moto_server must be on PATH).
// Usage: node scripts/bench-sweep.mjs [--services 1000] [--revisions 5000] [--tasks 200]
//                                     [--concurrency 4] [--write bench/out/sweep.md]
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const outfile = 'bench/out/sweep.mjs';
await build({
  entryPoints: ['bench/sweep.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
// --expose-gc: the benchmark reports the heap in use after a full GC.
const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exitCode = r.status ?? 1;
