/**
 * `--framework <id>` (findings grouped by requirement: table, JSON Lines, the HTML report's section) and
 * `--format ocsf` through `main(argv, io)` on the sample events of `npm start`.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameworkSection } from '../../../cli/report-html';
import { groupByRequirement } from '../../../cli/framework-view';
import { FRAMEWORK_IDS, type Finding } from '../../../shared/model/finding';
import { frameworksOf } from '../../../shared/rules/frameworks';
import { getRule } from '../../../shared/rules/registry';
import { REPO_ROOT } from '../../helpers/fixtures';
import { finding } from '../notify/fixtures';
import { jsonLines, run } from './memory-io';

const EVENTS = join(REPO_ROOT, 'events');

interface RequirementLine {
  framework: string;
  requirement: string;
  findings: number;
  resources: number;
  severity: Record<string, number>;
  rules: { ruleId: string; ownMapping: boolean; findings: number }[];
  findingIds: string[];
}

let all: Finding[];
let plainCode: number;
beforeAll(async () => {
  const r = await run(['evaluate', '--format', 'json', EVENTS]);
  plainCode = r.code;
  all = jsonLines(r.stdout);
  expect(all.length).toBeGreaterThan(10);
});

describe('--framework on events/', () => {
  it.each(FRAMEWORK_IDS)(
    '%s as JSON Lines: one object per requirement, with exactly the findings whose rule maps to it',
    async (fw) => {
      const r = await run(['evaluate', '--format', 'json', '--framework', fw, EVENTS]);
      expect(r.code).toBe(plainCode);
      const lines = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RequirementLine);
      expect(lines.length).toBeGreaterThan(1);
      // Each requirement once, in order; the summary stays on stderr.
      expect(new Set(lines.map((l) => l.requirement)).size).toBe(lines.length);
      expect(r.stderr).toMatch(/finding\(s\) from/);
      for (const l of lines) {
        expect(l.framework).toBe(fw);
        const expected = all.filter((f) => frameworksOf(getRule(f.ruleId)!)[fw]!.includes(l.requirement));
        expect(l.findingIds.sort()).toEqual(expected.map((f) => f.findingId).sort());
        expect(l.findings).toBe(expected.length);
        expect(l.resources).toBe(new Set(expected.map((f) => f.resource.arn)).size);
        expect(Object.values(l.severity).reduce((a, b) => a + b, 0)).toBe(expected.length);
        for (const rule of l.rules)
          expect(rule.ownMapping).toBe(frameworksOf(getRule(rule.ruleId)!).ownMapping?.includes(fw) ?? false);
      }
      // Every finding is under at least one requirement (no rule without a mapping).
      const covered = new Set(lines.flatMap((l) => l.findingIds));
      expect(all.every((f) => covered.has(f.findingId))).toBe(true);
    },
  );

  it('nist-800-53-r5 as a table: requirement, counts, worst severity, rules, resources; numeric order', async () => {
    const r = await run(['evaluate', '--framework', 'nist-800-53-r5', EVENTS], { columns: 200 });
    expect(r.code).toBe(plainCode);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NIST SP 800-53 Rev\. 5 \(nist-800-53-r5\): \d+ requirement\(s\)$/);
    expect(lines[1]).toMatch(/^REQUIREMENT\s+FINDINGS\s+RESOURCES\s+WORST\s+RULES\s+RESOURCE NAMES$/);
    const reqs = lines
      .slice(2)
      .filter((l) => /^[A-Z]{2}-\d/.test(l))
      .map((l) => l.split(/\s+/)[0]!);
    expect(reqs).toContain('AC-6');
    // AC-3(7) sorts before AC-3(15), AC-3 before AC-21.
    if (reqs.includes('AC-3(7)') && reqs.includes('AC-3(15)'))
      expect(reqs.indexOf('AC-3(7)')).toBeLessThan(reqs.indexOf('AC-3(15)'));
    expect(reqs.indexOf('AC-3')).toBeLessThan(reqs.indexOf('AC-21'));
    expect(r.stdout).toMatch(/\* the project's own mapping/);
    expect(r.stdout).toMatch(/finding\(s\) from \d+ rule\(s\)/);
  });

  it('an unknown framework is a usage error (exit 3) naming the known ones; a hostile value is escaped', async () => {
    const r = await run(['evaluate', '--framework', 'nist\x1b[2K\u202e', EVENTS]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('known: nist-800-53-r5, pci-dss-4.0.1');
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).not.toContain('\u202e');
    expect(r.stderr).toContain('\\x1b');
    const long = await run(['scan', '--framework', 'x'.repeat(5000)]);
    expect(long.code).toBe(3);
    expect(long.stderr.length).toBeLessThan(200);
  });

  it('--framework with --format ocsf is refused (OCSF findings carry their requirements)', async () => {
    expect((await run(['evaluate', '--format', 'ocsf', '--framework', 'pci-dss-4.0.1', EVENTS])).code).toBe(
      3,
    );
    expect((await run(['evaluate', '--format', 'xml', EVENTS])).stderr).toContain(
      'table, json, ocsf or sarif',
    );
  });
});

describe('--format ocsf', () => {
  it('prints one OCSF Compliance Finding per finding on stdout, the summary on stderr', async () => {
    const r = await run(['evaluate', '--format', 'ocsf', EVENTS]);
    expect(r.code).toBe(plainCode);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { class_uid: number; finding_info: { uid: string } });
    expect(lines.map((l) => l.finding_info.uid).sort()).toEqual(all.map((f) => f.findingId).sort());
    expect(lines.every((l) => l.class_uid === 2003)).toBe(true);
    expect(r.stderr).toMatch(/finding\(s\) from/);
  });
});

describe('the HTML per-framework view', () => {
  const nasty = '<script>alert(1)</script>"\'&<img src=x onerror=alert(1)>';
  const rule = getRule('td-privileged')!;
  const hostile = finding({
    ruleId: rule.id,
    controls: rule.controls,
    frameworks: frameworksOf(rule),
    resource: {
      type: 'AWS::ECS::TaskDefinition',
      arn: `arn:aws:ecs:us-east-1:1:task-definition/${nasty}:1`,
      name: nasty,
    },
  });

  it('escapes every text and lists requirements in numeric order, marking the own mapping', () => {
    const html = frameworkSection([hostile, finding()], 'nist-800-53-r5');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
    const reqs = [...html.matchAll(/data-requirement="([^"]+)"/g)].map((m) => m[1]);
    expect(reqs).toEqual(
      groupByRequirement([hostile, finding()], 'nist-800-53-r5').map((g) => g.requirement),
    );
    expect(reqs.indexOf('AC-3(7)')).toBeLessThan(reqs.indexOf('AC-3(15)'));
    const pci = frameworkSection([hostile], 'pci-dss-4.0.1');
    expect(pci).toContain('data-requirement="2.2.6"');
    expect(pci).toContain('(own)');
  });

  it('a finding of a rule nobody knows any more is listed as unmapped, not dropped', () => {
    const { frameworks: _f, ...old } = finding({ ruleId: 'rule-removed-since', controls: {} });
    const groups = groupByRequirement([old], 'nist-800-53-r5');
    expect(groups.map((g) => [g.requirement, g.findings.length])).toEqual([['(unmapped)', 1]]);
  });
});
