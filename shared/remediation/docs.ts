/**
 * The action reference of docs/remediation.md, rendered from the registry (never written twice).
 * Regenerate with `npm run docs`; test/unit/remediation/docs.test.ts fails when
 * the file is out of date.
 */
import { join } from 'node:path';
import { RESOURCE_TYPE, type ResourceKind } from '../model/resources';
import { RULES, getRule } from '../rules/registry';
import { liveReadsFor, NOT_VIOLATED_NOW } from './live-state';
import { ACTIONS, remediationIamPermissions, rulesOf } from './registry';

export const DOC_PATH = join(__dirname, '..', '..', 'docs', 'remediation.md');
const START = '<!-- actions:start (generated from shared/remediation/registry.ts) -->';
const END = '<!-- actions:end -->';

const code = (s: string): string => `\`${s}\``;

export function renderActions(): string {
  const lines: string[] = [];
  lines.push('| Action | Rules | Write calls | Risk |', '|---|---|---|---|');
  for (const a of ACTIONS) {
    const m = a.meta;
    lines.push(
      `| [${code(m.name)}](#${m.name}) | ${rulesOf(m.name).map(code).join(', ')} | ${m.writeCalls.map(code).join(', ')} | ${m.risk} |`,
    );
  }
  for (const a of ACTIONS) {
    const m = a.meta;
    const rules = RULES.filter((r) => r.remediation?.action === m.name).map((r) => code(r.id));
    const targetKind = (Object.keys(RESOURCE_TYPE) as ResourceKind[]).find(
      (k) => RESOURCE_TYPE[k] === m.resourceType,
    );
    const verified = rulesOf(m.name).map((id) => {
      const rule = getRule(id);
      const reads =
        rule?.family === 'resource' && targetKind ? liveReadsFor(rule.appliesTo, targetKind) : '?';
      return `${code(id)} on ${reads}`;
    });
    lines.push(
      '',
      `### ${m.name}`,
      '',
      `**${m.title}** (${code(m.resourceType)}). ${m.summary}`,
      '',
      `- Default remediation of: ${rules.length ? rules.join(', ') : `none directly (run by ${rulesOf(m.name).map(code).join(', ')})`}`,
      `- Reads: ${m.readCalls.join('; ')}`,
      `- Verified before acting (the rule itself, on AWS's answer; not violated -> ${code(`skipped: ${NOT_VIOLATED_NOW}`)}): ${verified.join('; ')}`,
      `- Writes: ${m.writeCalls.map(code).join(', ')}`,
      `- IAM permissions: ${m.iamPermissions.map(code).join(', ')}`,
      `- Risk: **${m.risk}**. ${m.riskNote}`,
      `- Skipped (with the reason in the finding) when: ${m.skipsWhen.join('; ')}.`,
    );
    const params = a.params;
    if (params) {
      const docs = params.docs as Record<string, string>;
      lines.push(
        `- Parameters (policy ${code(`remediation.actions.${m.name}`)}): ` +
          Object.entries(params.defaults as Record<string, unknown>)
            .map(([k, d]) => `${code(k)} (default ${code(JSON.stringify(d))}): ${docs[k]}`)
            .join('; ') +
          '.',
      );
    }
  }
  lines.push(
    '',
    `All permissions together (what ${code('infra/member-account.yml')} grants the remediation role): ` +
      `${remediationIamPermissions().map(code).join(', ')}.`,
  );
  return lines.join('\n');
}

/** The document with its generated section replaced. */
export function withRenderedActions(doc: string): string {
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  if (i === -1 || j === -1 || j < i) throw new Error(`${DOC_PATH}: markers ${START} ... ${END} not found`);
  return `${doc.slice(0, i + START.length)}\n${renderActions()}\n${doc.slice(j)}`;
}

/** The whole document as it must be on disk: generated section replaced, then formatted by prettier. */
export async function renderedDocument(doc: string): Promise<string> {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(DOC_PATH)) ?? {};
  return prettier.format(withRenderedActions(doc), { ...config, filepath: DOC_PATH });
}
