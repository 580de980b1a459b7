// Bundle the CLI into dist/guardrail.cjs: CommonJS (loads fastest on Node 20), self-contained (every
// package inlined), so the published package runs with no node_modules; what a command does not use stays
// unevaluated until it is imported (esbuild wraps lazily imported modules).
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/guardrail.cjs';
const result = await build({
  entryPoints: ['cli/main.ts'],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
  write: false,
});
// Each file is written aside and renamed into place: a test or `npm pack` building at the same time as
// another run of the CLI never sees half a bundle. The bin is executable (the shebang), in the tarball too.
mkdirSync(dirname(OUT), { recursive: true });
for (const file of result.outputFiles) {
  const aside = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.tmp`);
  writeFileSync(aside, file.contents, { mode: file.path.endsWith('.cjs') ? 0o755 : 0o644 });
  if (file.path.endsWith('.cjs')) chmodSync(aside, 0o755);
  renameSync(aside, file.path);
}
