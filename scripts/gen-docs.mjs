// Regenerate the generated parts of the docs from their registries (the one source of metadata):
// the README's rule table (shared/rules/registry.ts), the JSON Schema of the policy file next to it
// (docs/policy.schema.json, scripts/docs/policy-schema.ts) and the action reference of docs/remediation.md
// (shared/remediation/registry.ts); and the forwarding rules of the member-account StackSet template
// (infra/member-account.yml, from infra/event-patterns.json and infra/eventbridge.yml).
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
        "export { RULES } from './shared/rules/registry'; export { withRuleTable } from './scripts/docs/rule-table'; export { renderedDocument } from './scripts/docs/action-reference'; export { policyJsonSchema } from './scripts/docs/policy-schema'; export { renderedMemberTemplate } from './scripts/docs/member-forwarding';",
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
  const { RULES, withRuleTable, renderedDocument, policyJsonSchema, renderedMemberTemplate } = createRequire(
    import.meta.url,
  )(join(process.cwd(), out));
  const update = async (file, render) => {
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const after = await render(before);
    if (after !== before) writeFileSync(file, after);
    console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
  };
  await update('README.md', (doc) => withRuleTable(doc, RULES));
  await update('docs/remediation.md', renderedDocument);
  await update('infra/member-account.yml', renderedMemberTemplate);
  await update('docs/policy.schema.json', () => `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
