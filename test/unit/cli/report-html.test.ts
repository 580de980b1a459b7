import { describe, expect, it } from 'vitest';
import { escapeHtml, groupByResource, renderHtmlReport } from '../../../cli/report-html';
import { FINDINGS, HOSTILE_GAP, HOSTILE_NAME, HOSTILE_TAG, INPUT } from './report-fixtures';

const html = renderHtmlReport(INPUT);
const section = (id: string) => {
  const m = new RegExp(`<section id="${id}">(.*?)</section>`, 's').exec(html);
  if (!m) throw new Error(`no section ${id}`);
  return m[1]!;
};

describe('renderHtmlReport', () => {
  it('escapes &, <, >, quotes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is one self-contained page: no script, no external asset, a CSP that forbids loading anything', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
  });

  it('escapes every hostile text (names, tags, gap messages) in content and attributes', () => {
    for (const hostile of [HOSTILE_NAME, HOSTILE_TAG, HOSTILE_GAP]) expect(html).not.toContain(hostile);
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    expect(html).toContain(escapeHtml(HOSTILE_TAG));
    expect(html).toContain(escapeHtml(HOSTILE_GAP));
  });

  it('shows totals by severity', () => {
    const totals = section('totals');
    expect(totals).toContain('data-severity="total"><span class="n">8<');
    for (const [sev, n] of Object.entries({ critical: 2, high: 2, medium: 2, low: 1, info: 1 }))
      expect(totals).toContain(`data-severity="${sev}"><span class="n">${n}<`);
    expect(totals).toContain('6 resource(s) affected · worst severity critical · 3 finding(s) suppressed');
  });

  it('charts findings by rule and by account as inline SVG bars, worst first', () => {
    const rules = /<figure class="chart" id="chart-rules">(.*?)<\/figure>/s.exec(html)![1]!;
    const labels = [...rules.matchAll(/class="lbl">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual([
      'td-privileged',
      'td-secrets-in-environment',
      'svc-public-ip',
      'svc-exec-enabled',
      'td-root-user',
      'cluster-container-insights-disabled',
      'instance-privileged-allowed',
    ]);
    expect(rules).toContain('<title>svc-public-ip: 2 high</title>');
    const accounts = /<figure class="chart" id="chart-accounts">(.*?)<\/figure>/s.exec(html)![1]!;
    expect([...accounts.matchAll(/class="lbl">([^<]+)</g)].map((m) => m[1])).toEqual([
      '111122223333',
      '444455556666',
    ]);
  });

  it('lists resources worst first: criticals, then highs, then the rest', () => {
    expect(groupByResource(FINDINGS).map((g) => g.name)).toEqual([
      'agent:7',
      'web',
      'api',
      'web:3',
      'batch',
      'container-instance/prod/abc',
    ]);
    const worst = section('worst');
    expect(worst.indexOf('agent:7')).toBeLessThan(worst.indexOf('>api<'));
  });

  it('gives each finding its evidence, Security Hub control, advice and expired exemption', () => {
    const details = section('findings');
    expect(details).toContain(
      '<code>containerDefinitions[1].privileged</code> container &quot;sidecar&quot; is privileged',
    );
    expect(details).toContain('data-control="ECS.4">Security Hub ECS.4</span>');
    expect(details).toContain('No Security Hub control');
    expect(details).toContain('Avoid running containers as privileged.');
    expect(details).toContain('Exemption expired on 2026-01-31 (SEC-1)');
    expect(details).toContain(`owner=${escapeHtml(HOSTILE_TAG)}`);
  });

  it('says a partial sweep is partial, what it missed, and that nothing was resolved', () => {
    expect(html).toContain('<strong>Partial sweep.</strong>');
    expect(html).toContain('<strong>running tasks of cluster prod</strong>');
    expect(section('resolved')).toContain('Resolved since the previous scan (1)');
    expect(section('coverage')).toContain('<strong>partial</strong>');
  });

  it('renders an empty estate without errors', () => {
    const empty = renderHtmlReport({ findings: [], generatedAt: '2026-06-01T00:00:00Z' });
    expect(empty).toContain('No findings: nothing to fix.');
    expect(empty).toContain('data-severity="total"><span class="n">0<');
  });
});
