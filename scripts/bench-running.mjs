// Running inventory benchmark: bundle bench/running.ts with esbuild and run it (moto_server on PATH).
// Usage: node scripts/bench-running.mjs [--tasks 300] [--write bench/out/running.md]
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

// CommonJS: the test helpers it reuses locate the fixtures with __dirname.
const outfile = 'bench/out/running.cjs';
await build({
  entryPoints: ['bench/running.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exitCode = r.status ?? 1;
