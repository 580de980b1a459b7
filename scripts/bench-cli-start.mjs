// `npm run bench:cli-start`: what the self-contained CLI bundle (every package inlined, as published)
// costs at start against the bundle that loads its packages from node_modules (the build before the
// package was made publishable), side by side: wall time and peak RSS of `guardrail --version`,
// `guardrail rules --format json` and `guardrail evaluate --format json events/`, runs interleaved.
//
//   npm run bench:cli-start -- [--runs 15]
//
// Both bundles are built from the working tree into .tmp/; only `packages` differs. No timed tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const argv = process.argv.slice(2);
const i = argv.indexOf('--runs');
const runs = i === -1 ? 15 : Number(argv[i + 1]);

mkdirSync('.tmp', { recursive: true });
const dir = mkdtempSync(join('.tmp', 'bench-cli-'));
const variants = {
  'external packages (before)': join(dir, 'external.cjs'),
  'self-contained (published)': join(dir, 'bundled.cjs'),
  'self-contained, minified (not used)': join(dir, 'bundled-min.cjs'),
};
const common = {
  entryPoints: ['cli/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
};
await build({ ...common, outfile: variants['external packages (before)'], packages: 'external' });
await build({ ...common, outfile: variants['self-contained (published)'] });
await build({ ...common, outfile: variants['self-contained, minified (not used)'], minify: true });

const commands = [['--version'], ['rules', '--format', 'json'], ['evaluate', '--format', 'json', 'events/']];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall ms and peak RSS (KiB, from /usr/bin/time -v) of one run. */
function once(file, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, file, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rss };
}

try {
  const rows = [];
  for (const args of commands) {
    const results = Object.fromEntries(Object.keys(variants).map((v) => [v, { ms: [], rss: [] }]));
    for (let n = 0; n < runs; n++)
      for (const [name, file] of Object.entries(variants)) {
        const { ms, rss } = once(file, args);
        results[name].ms.push(ms);
        results[name].rss.push(rss);
      }
    for (const [name, r] of Object.entries(results))
      rows.push(
        `| \`guardrail ${args.join(' ')}\` | ${name} | ${median(r.ms).toFixed(0)} ms | ${(median(r.rss) / 1024).toFixed(0)} MiB |`,
      );
  }
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${runs} runs each, interleaved; medians`,
  );
  for (const [name, file] of Object.entries(variants))
    console.log(`${name}: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  console.log('| command | bundle | wall | peak RSS |\n| --- | --- | --- | --- |');
  console.log(rows.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
