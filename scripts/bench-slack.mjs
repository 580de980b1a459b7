// Slack interactivity endpoint benchmark: bundle bench/slack-interactions.ts with esbuild and run it under
// plain node (needs moto_server on PATH; everything listens on 127.0.0.1). Results: printed, and written
// to bench/out/slack-results.json (BENCHMARKS.md "Slack interactivity endpoint").
//
//   node scripts/bench-slack.mjs [--n N] [--core N]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'bench/out';
const BUNDLE = `${OUT}/slack-interactions.cjs`;
const RESULTS = `${OUT}/slack-results.json`;
mkdirSync(OUT, { recursive: true });

await build({
  entryPoints: ['bench/slack-interactions.ts'],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

const argv = process.argv.slice(2);
const command = ['npm run bench:slack --', ...argv].join(' ');
const r = spawnSync(process.execPath, [BUNDLE, '--out', RESULTS, '--command', command, ...argv], {
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
if (r.status !== 0) {
  console.error(`bench-slack: run failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
