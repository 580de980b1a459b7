// `npm run bench:inputs`: peak RSS (and wall time) of `guardrail evaluate` over a large JSON Lines
// input and over a gzip bomb, for the CLI built from a baseline commit and from the working tree,
// side by side. The inputs are generated into a temporary directory and deleted afterwards.
// Peak RSS is read from `/usr/bin/time -v` ("Maximum resident set size") of each child process.
//
//   npm run bench:inputs -- [--baseline REF] [--mb 200] [--bomb-mb 26] [--runs 1]
//
// REF defaults to the merge base of HEAD and main (the reader before it streamed). No timed tests.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? dflt : argv[i + 1];
};
const jsonlMb = Number(opt('mb', 200));
const bombMb = Number(opt('bomb-mb', 26));
const runs = Number(opt('runs', 1));
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const baselineRef = opt('baseline', git('merge-base', 'HEAD', 'main'));
const baselineCommit = git('rev-parse', '--short', baselineRef);
const headCommit = git('rev-parse', '--short', 'HEAD');

const OUT = 'bench/out';
mkdirSync(OUT, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'guardrail-bench-inputs-'));

async function bundle(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external', // resolved from the repository's node_modules (the bundle lives in bench/out)
    logLevel: 'warning',
  });
}

/** JSON Lines of the sample events (compact), each with its own id, until `mb` MiB. */
async function writeJsonl(file, mb) {
  const dir = 'events';
  const samples = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  const out = createWriteStream(file);
  let bytes = 0;
  let i = 0;
  while (bytes < mb * 1024 * 1024) {
    const e = samples[i % samples.length];
    const line = `${JSON.stringify({ ...e, id: `bench-${i}` })}\n`;
    bytes += Buffer.byteLength(line);
    i++;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return i;
}

/** `[` then spaces, as concatenated gzip members of 1 MiB each: `mb` MiB of gzip inflate ~1000 times. */
function writeBomb(file, mb) {
  const mib = Buffer.alloc(1 << 20, 0x20);
  const first = gzipSync(Buffer.concat([Buffer.from('['), mib.subarray(1)]), { level: 9 });
  const next = gzipSync(mib, { level: 9 });
  const count = Math.ceil((mb * 1024 * 1024) / next.length);
  const out = createWriteStream(file);
  out.write(first);
  for (let i = 1; i < count; i++) out.write(next);
  return new Promise((r) => out.end(() => r(count)));
}

function measure(cli, input) {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, cli, 'evaluate', '--format', 'json', input], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(r.stderr)?.[1] ?? '?';
  const exit = Number(/Exit status: (\d+)/.exec(r.stderr)?.[1] ?? r.status);
  const guardrailLines = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('guardrail') || /finding\(s\)/.test(l));
  return { rss, wall, exit, note: guardrailLines.slice(0, 2).join(' | ').slice(0, 160) };
}

try {
  // The baseline's sources, exported from git (no checkout of this working tree).
  const src = join(work, 'baseline-src');
  mkdirSync(src);
  execFileSync('sh', ['-c', `git archive ${baselineCommit} cli shared | tar -x -C ${JSON.stringify(src)}`]);
  const baselineCli = `${OUT}/guardrail-baseline.cjs`;
  const currentCli = `${OUT}/guardrail-current.cjs`;
  await bundle(join(src, 'cli/main.ts'), baselineCli);
  await bundle('cli/main.ts', currentCli);

  const jsonl = join(work, 'events.jsonl');
  const events = await writeJsonl(jsonl, jsonlMb);
  const bomb = join(work, 'bomb.json.gz');
  const members = await writeBomb(bomb, bombMb);
  const inputs = [
    [`${jsonlMb} MiB JSON Lines (${events.toLocaleString('en-US')} events)`, jsonl],
    [
      `gzip bomb ${(statSync(bomb).size / 1048576).toFixed(1)} MiB -> ${members.toLocaleString('en-US')} MiB inflated`,
      bomb,
    ],
  ];

  console.log(
    `machine: ${cpus()[0]?.model} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  console.log(
    `date: ${new Date().toISOString()}; baseline ${baselineCommit}, current ${headCommit} (+ working tree)`,
  );
  console.log('| input | build | peak RSS (MiB) | wall | exit | stderr (first lines) |');
  console.log('| --- | --- | ---: | --- | ---: | --- |');
  for (const [label, file] of inputs) {
    for (const [name, cli] of [
      [`baseline ${baselineCommit}`, baselineCli],
      [`current ${headCommit}`, currentCli],
    ]) {
      for (let i = 0; i < runs; i++) {
        const m = measure(cli, file);
        console.log(
          `| ${label} | ${name} | ${m.rss.toFixed(0)} | ${m.wall} | ${m.exit} | ${m.note.replaceAll('|', '/')} |`,
        );
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
