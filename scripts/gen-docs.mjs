// Regenerate the generated parts of the docs from their registries (the one source of metadata):
// the README's rule table (shared/rules/registry.ts) and the action reference of docs/remediation.md
// (shared/remediation/registry.ts).
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
        "export { RULES } from './shared/rules/registry'; export { withRuleTable } from './scripts/docs/rule-table'; export { renderedDocument } from './scripts/docs/action-reference';",
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
  const { RULES, withRuleTable, renderedDocument } = createRequire(import.meta.url)(join(process.cwd(), out));
  const update = async (file, render) => {
    const before = readFileSync(file, 'utf8');
    const after = await render(before);
    if (after !== before) writeFileSync(file, after);
    console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
  };
  await update('README.md', (doc) => withRuleTable(doc, RULES));
  await update('docs/remediation.md', renderedDocument);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
