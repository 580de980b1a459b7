// Notifier benchmark: bundle bench/notifier.ts with esbuild and run it under plain node (needs moto_server
// on PATH; everything listens on 127.0.0.1). Also bundles functions/notifier.ts the way serverless.yml does
// (minified, @aws-sdk/* left to the Lambda runtime) and measures its size and its module load time next
// to bare node. Results: printed, and written to bench/out/notifier-results.json.
//
//   node scripts/bench-notifier.mjs [--latency N] [--throughput N] [--pollers 1,4] [--core N] [--loads N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';

const OUT = 'bench/out';
const BUNDLE = `${OUT}/notifier.cjs`;
const HANDLER = `${OUT}/notifier-handler.cjs`;
const RESULTS = `${OUT}/notifier-results.json`;

const argv = process.argv.slice(2);
let loads = 15;
const pass = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--loads') loads = Number(argv[++i]);
  else pass.push(argv[i]);
}
mkdirSync(OUT, { recursive: true });

await build({
  entryPoints: ['bench/notifier.ts'],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
// As serverless.yml's esbuild settings package the function.
await build({
  entryPoints: ['functions/notifier.ts'],
  outfile: HANDLER,
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  logLevel: 'warning',
});

const command = ['node scripts/bench-notifier.mjs', ...argv].join(' ');
const r = spawnSync(process.execPath, [BUNDLE, '--out', RESULTS, '--command', command, ...pass], {
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
if (r.status !== 0) {
  console.error(`bench-notifier: run failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}

// Module load time of the handler bundle vs bare node (median of `loads` fresh processes each).
function timeNode(args) {
  const times = [];
  for (let i = 0; i < loads; i++) {
    const t = process.hrtime.bigint();
    const p = spawnSync(process.execPath, args, {
      stdio: 'ignore',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    if (p.status !== 0) throw new Error(`node ${args.join(' ')} failed`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
const bare = timeNode(['-e', '0']);
const withHandler = timeNode(['-e', `require(${JSON.stringify(`./${HANDLER}`)})`]);
const bytes = statSync(HANDLER).size;
const zipped = deflateRawSync(readFileSync(HANDLER), { level: 9 }).length;
const results = JSON.parse(readFileSync(RESULTS, 'utf8'));
results.handlerBundle = {
  bytes,
  deflatedBytes: zipped,
  loadMsMedian: Math.round((withHandler - bare) * 10) / 10,
  bareNodeMsMedian: Math.round(bare * 10) / 10,
  samples: loads,
};
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `handler bundle (minified, @aws-sdk external): ${(bytes / 1024).toFixed(1)} KB, ~${(zipped / 1024).toFixed(1)} KB deflated; ` +
    `load ${results.handlerBundle.loadMsMedian} ms over bare node (${results.handlerBundle.bareNodeMsMedian} ms), median of ${loads}`,
);
console.log(`written: ${RESULTS}`);
