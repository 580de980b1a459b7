/** The HTML report of an organization sweep: the roll-up by account, OU and region, and the banner. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlReport, type HtmlReportInput } from '../../../cli/report-html';
import { FINDINGS, HOSTILE_GAP, HOSTILE_NAME, INPUT } from './report-fixtures';

const accounts = [...new Set(FINDINGS.map((f) => f.account))].sort();
const [A1, A2] = accounts as [string, string];
const FAILED = '333333333333';

const ORG: HtmlReportInput = {
  ...INPUT,
  organization: {
    accounts: [
      { id: A1, name: 'payments-prod', ouId: 'ou-ab12-prod0001', ouName: 'prod' },
      { id: A2, name: HOSTILE_NAME, ouId: 'ou-ab12-dev00001', ouName: 'dev' },
      { id: FAILED, name: 'legacy', ouId: 'ou-ab12-dev00001', ouName: 'dev' },
    ],
    pairs: [
      { account: A1, region: 'eu-west-1', status: 'complete', findings: 3 },
      {
        account: A1,
        region: 'us-east-1',
        status: 'partial',
        findings: 0,
        reason: `1 gap(s): ${HOSTILE_GAP}`,
      },
      { account: A2, region: 'eu-west-1', status: 'complete', findings: 5 },
      {
        account: FAILED,
        region: 'eu-west-1',
        status: 'failed',
        findings: 0,
        reason: `no access to account ${FAILED} (role arn:aws:iam::${FAILED}:role/ecs-guardrail-read): AccessDenied`,
      },
    ],
    skipped: [{ account: '444444444444', reason: 'account is SUSPENDED' }],
  },
};
const html = renderHtmlReport(ORG);
const section = (id: string) => new RegExp(`<section id="${id}">(.*?)</section>`, 's').exec(html)?.[1] ?? '';

describe('the organization report', () => {
  it('lists every pair that is not complete in the banner, with its reason, escaped', () => {
    const banner = /<div class="banner partial" id="completeness">(.*?)<\/div>/s.exec(html)![1]!;
    expect(banner).toContain('2 of 4 (account, region) pairs');
    expect(banner).toContain(
      `<strong>${FAILED} eu-west-1</strong>: failed: no access to account ${FAILED} (role arn:aws:iam::${FAILED}:role/ecs-guardrail-read): AccessDenied`,
    );
    expect(banner).toContain(
      `<strong>${A1} us-east-1</strong>: partial: 1 gap(s): ${escapeHtml(HOSTILE_GAP)}`,
    );
    expect(banner).not.toContain(`${A2} eu-west-1`);
    expect(html).not.toContain(HOSTILE_GAP);
    expect(html).not.toContain(HOSTILE_NAME);
  });

  it('has a per-account table (name, OU, regions complete, findings) and charts by account, OU and region', () => {
    const org = section('organization');
    const row = (id: string) => new RegExp(`<tr data-account="${id}">(.*?)</tr>`, 's').exec(org)![1]!;
    const inA1 = FINDINGS.filter((f) => f.account === A1).length;
    expect(row(A1)).toContain('<td>payments-prod</td><td>prod (ou-ab12-prod0001)</td>');
    expect(row(A1)).toContain('1/2 complete');
    expect(row(A1)).toContain(`<td>${inA1}</td>`);
    expect(row(A2)).toContain(escapeHtml(HOSTILE_NAME));
    expect(row(FAILED)).toContain('0/1 complete');
    for (const id of ['chart-org-accounts', 'chart-org-ous', 'chart-org-regions'])
      expect(org).toContain(`<figure class="chart" id="${id}"><svg`);
    expect(org).toContain('444444444444: account is SUSPENDED');
  });

  it('stays one self-contained page', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
  });

  it('says complete when every pair is', () => {
    const ok = renderHtmlReport({
      ...ORG,
      organization: {
        ...ORG.organization!,
        pairs: ORG.organization!.pairs.filter((p) => p.status === 'complete'),
      },
    });
    expect(ok).toContain('Complete organization sweep: all 2 (account, region) pairs were read in full.');
  });
});
