// Organization sweep benchmark: bundle bench/org-sweep.ts with esbuild and run it (moto_server on PATH).
// Usage: node scripts/bench-org-sweep.mjs [--accounts 10] [--regions us-east-1,eu-west-1] [--levels 1,4,8]
//                                         [--repeat 3] [--write bench/out/org-sweep.md]
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const outfile = 'bench/out/org-sweep.mjs';
await build({
  entryPoints: ['bench/org-sweep.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exitCode = r.status ?? 1;
