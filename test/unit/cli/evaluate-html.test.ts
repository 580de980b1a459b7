/**
 * `guardrail evaluate --html FILE`: the same self-contained report as `scan --html` (cli/report-html.ts), over
 * event files; exempted findings counted (or shown and marked with --include-exempt); text from events escaped;
 * a report that cannot be written is a clear usage error, not a crash.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../cli/report-html';
import { fixturePath } from '../../helpers/fixtures';
import { okContainer, registerTd } from '../engine/builders';
import { finding } from '../notify/fixtures';
import { jsonLines, run } from './memory-io';

const PRIVILEGED = fixturePath('cloudtrail-register-task-definition-privileged.json');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-evaluate-html-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const EXEMPT = join(tmp, 'exempt.yml');
writeFileSync(
  EXEMPT,
  'exemptions:\n  - { rule: td-host-pid, arn: "*:task-definition/node-exporter:*", reason: SEC-1, until: 2999-01-01 }\n',
);

describe('evaluate --html', () => {
  it('writes the report with every finding printed, says where on stdout (table) and counts exempted findings', async () => {
    const html = join(tmp, 'report.html');
    const r = await run(['evaluate', '--html', html, '--policy', EXEMPT, PRIVILEGED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`report written to ${html}\n`);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain("default-src 'none'");
    const json = jsonLines(
      (await run(['evaluate', '--format', 'json', '--policy', EXEMPT, PRIVILEGED])).stdout,
    );
    expect(json.length).toBeGreaterThan(2);
    for (const f of json) expect(page).toContain(`id="f-${f.findingId}"`);
    expect(page).not.toContain('data-rule="td-host-pid"');
    expect(page).toContain('1 finding(s) suppressed by exemptions are not shown');
  });

  it('with --include-exempt the exempted finding is in the report, marked with its reason and end', async () => {
    const html = join(tmp, 'exempt.html');
    const r = await run([
      'evaluate',
      '--format',
      'json',
      '--include-exempt',
      '--html',
      html,
      '--policy',
      EXEMPT,
      PRIVILEGED,
    ]);
    expect(r.code).toBe(0);
    // Machine formats keep stdout to their lines: the note goes to stderr.
    expect(r.stderr).toContain(`report written to ${html}`);
    expect(r.stdout).not.toContain('report written');
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(
      /data-rule="td-host-pid"[\s\S]*?data-exempted="true">Exempted by the policy until 2999-01-01[^<]* \(SEC-1\)/,
    );
    expect(page).not.toContain('suppressed by exemptions are not shown');
  });

  it('text from the event (a container name built as HTML) is escaped', async () => {
    const name = '<img src=x onerror=alert(1)>"\'&';
    const event = registerTd({ family: 'hostile', containers: [okContainer(name, { privileged: true })] });
    const html = join(tmp, 'hostile.html');
    const r = await run(['evaluate', '--html', html, '-'], { stdin: JSON.stringify(event) });
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
  });

  it('a report that cannot be written (missing directory) exits 3 and names the file and the cause', async () => {
    const html = join(tmp, 'no-such-dir', 'r.html');
    const r = await run(['evaluate', '--html', html, PRIVILEGED]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot write the --html report ${html} (ENOENT)`);
  });

  it('an empty --html is a usage error', async () => {
    const r = await run(['evaluate', '--html=', PRIVILEGED]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--html needs a FILE');
  });
});

describe('the report of infrastructure-as-code findings', () => {
  it('shows file:line and the address, and lists no empty account or region', () => {
    const page = renderHtmlReport({
      findings: [
        finding({
          ruleId: 'td-privileged',
          resource: { type: 'AWS::ECS::TaskDefinition', arn: 'stack.yaml#TaskDef' },
          account: '',
          region: '',
          location: { file: 'infra/<b>stack.yaml', address: 'TaskDef', line: 12 },
        }),
      ],
      generatedAt: '2026-12-08T00:00:00Z',
    });
    expect(page).toContain('<code>infra/&lt;b&gt;stack.yaml:12</code> TaskDef');
    expect(page).toContain('No account · Region -');
  });
});
