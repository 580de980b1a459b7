// Bundle the CLI into dist/guardrail.cjs: CommonJS (loads fastest on Node 20), self-contained (every
// package inlined), so the published package runs with no node_modules; what a command does not use stays
// unevaluated until it is imported (esbuild wraps lazily imported modules).
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/guardrail.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
