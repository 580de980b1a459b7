// Regenerate the README's rule table from shared/rules/registry.ts (the one source of rule metadata).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// Inside the checkout (git-ignored) so the bundle resolves node_modules.
mkdirSync('.tmp', { recursive: true });
const dir = mkdtempSync(join('.tmp', 'docs-'));
try {
  const out = join(dir, 'docs.cjs');
  await build({
    stdin: {
      contents:
        "export { RULES } from './shared/rules/registry'; export { withRuleTable } from './shared/rules/catalog-markdown';",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  const { RULES, withRuleTable } = createRequire(import.meta.url)(join(process.cwd(), out));
  const readme = readFileSync('README.md', 'utf8');
  const next = withRuleTable(readme, RULES);
  if (next !== readme) {
    writeFileSync('README.md', next);
    console.log('README.md rule table updated');
  } else {
    console.log('README.md rule table is up to date');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
