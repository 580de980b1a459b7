// `npm run local -- [options] [PATH...]`: the local pipeline (docs/local-pipeline.md). Bundles
// scripts/local/main.ts (with the real handlers of functions/*.ts) with esbuild, packages left external,
// and runs it in a child process with the AWS SDK's Node-version warning silenced. Ctrl-C is handled by
// the child (it prints its report, stops moto_server and exits); this process waits for it.
import { spawn } from 'node:child_process';
import { build } from 'esbuild';

const outfile = '.tmp/local-pipeline/main.cjs';
await build({
  entryPoints: ['scripts/local/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});

const launcher = `require(${JSON.stringify(`./${outfile}`)}).main(process.argv.slice(1)).then(
  (code) => { process.exitCode = code; setTimeout(() => process.exit(code), 200).unref(); },
  (err) => { console.error('local pipeline: ' + (err && err.stack ? err.stack : err)); process.exit(1); },
);`;
const child = spawn(
  process.execPath,
  ['--enable-source-maps', '-e', launcher, '--', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  },
);
// The child stops on the first SIGINT/SIGTERM (report, then moto_server stopped); a terminal's Ctrl-C
// reaches it directly, a `kill` of this process is passed on.
process.on('SIGINT', () => child.kill('SIGINT'));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
