// Record the golden expectations (test/golden/findings.json) from what the engine finds on the corpus
// today (test/golden/corpus.ts). Review the diff: it is the behaviour change of your commit.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const FILE = 'test/golden/findings.json';
mkdirSync('.tmp', { recursive: true });
const dir = mkdtempSync(join('.tmp', 'golden-'));
try {
  const out = join(dir, 'golden.cjs');
  await build({
    entryPoints: ['test/golden/corpus.ts'],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    // __dirname must be the source folder's for the corpus paths.
    define: { __dirname: JSON.stringify(join(process.cwd(), 'test', 'golden')) },
    logLevel: 'warning',
  });
  const { goldenOf } = createRequire(import.meta.url)(join(process.cwd(), out));
  const text = `${JSON.stringify(await goldenOf(), null, 2)}\n`;
  let before = '';
  try {
    before = readFileSync(FILE, 'utf8');
  } catch {
    // first run
  }
  if (text !== before) writeFileSync(FILE, text);
  console.log(`${FILE}: ${text === before ? 'up to date' : 'updated'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
