/**
 * The OCSF export: every finding the engine makes on the whole corpus (events/ and the fixture corpus), opened and
 * resolved, validates against the JSON Schema of the OCSF 1.1.0 Compliance Finding class vendored in
 * test/fixtures/ocsf/ (its README names the source); so do findings built to be hostile. The validator is shown to
 * reject what the class forbids, so a pass means something.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInputs } from '../../../cli/inputs';
import { evaluateItem } from '../../../cli/evaluate-item';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import type { Finding } from '../../../shared/model/finding';
import { OCSF_VERSION, toOcsf } from '../../../shared/notify/ocsf';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { frameworksOf, securityHubRequirements } from '../../../shared/rules/frameworks';
import { getRule, RULES } from '../../../shared/rules/registry';
import { corpusFiles } from '../../golden/corpus';
import { REPO_ROOT } from '../../helpers/fixtures';
import { finding } from './fixtures';

const schema = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/fixtures/ocsf/compliance_finding-1.1.0.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

function problems(v: unknown): string[] {
  return validate(v) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}

let corpus: Finding[] = [];
beforeAll(async () => {
  const out: Finding[] = [];
  for (const file of corpusFiles()) {
    const deps = { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() };
    for await (const item of readInputs([file], () => Buffer.alloc(0))) {
      if ('error' in item) continue;
      try {
        out.push(...(await evaluateItem(item, deps)).findings);
      } catch {
        // invalid corpus inputs are the parser's tests' concern
      }
    }
  }
  corpus = out;
});

describe('OCSF Compliance Finding export', () => {
  it('the vendored schema is the 1.1.0 Compliance Finding class', () => {
    expect(schema).toMatchObject({
      title: 'OCSF 1.1.0 Compliance Finding (class_uid 2003)',
      properties: { class_uid: { enum: [2003] } },
    });
    expect(OCSF_VERSION).toBe('1.1.0');
  });

  it('every finding of the corpus validates, opened and resolved, and carries its requirements', () => {
    expect(new Set(corpus.map((f) => f.ruleId)).size).toBeGreaterThan(RULES.length / 2);
    for (const f of corpus) {
      for (const resolved of [false, true]) {
        const o = toOcsf(f, { now: new Date('2026-12-07T00:00:00Z'), resolved });
        expect(problems(o), `${f.ruleId} ${f.findingId}`).toEqual([]);
      }
      const o = toOcsf(f);
      expect(o.compliance.requirements).toEqual(securityHubRequirements(frameworksOf(getRule(f.ruleId)!)));
    }
  });

  it('maps severity, activity, status, time and the own mapping marker', () => {
    const rule = getRule('td-privileged')!;
    const f = finding({
      ruleId: rule.id,
      severity: 'critical',
      controls: rule.controls,
      frameworks: frameworksOf(rule),
    });
    const o = toOcsf(f, { firstSeen: '2026-11-20T00:00:00Z' });
    expect(o).toMatchObject({
      class_uid: 2003,
      category_uid: 2,
      type_uid: 200301,
      severity_id: 5,
      status_id: 1,
      time: Date.parse('2026-11-22T08:00:00Z'),
      finding_info: { uid: f.findingId, first_seen_time: Date.parse('2026-11-20T00:00:00Z') },
      compliance: {
        control: 'ECS.4',
        standards: ['NIST SP 800-53 Rev. 5', 'PCI DSS v4.0.1'],
        status_id: 3,
      },
      unmapped: { own_framework_mapping: ['pci-dss-4.0.1'] },
    });
    expect(toOcsf(f, { resolved: true })).toMatchObject({ type_uid: 200303, status_id: 4 });
  });

  it('hostile findings still validate: terminal and HTML text, huge evidence, a time that is not a time, no frameworks', () => {
    const nasty = '\x1b[2K\r<script>alert(1)</script>\u202e"\'&\u0000';
    const f = finding({
      title: nasty,
      resource: { type: 'AWS::ECS::Service', arn: `arn:aws:ecs:us-east-1:1:service/c/${nasty}`, name: nasty },
      evidence: Array.from({ length: 25 }, (_, i) => ({
        path: `a[${i}]`,
        message: nasty.repeat(400),
        container: nasty,
      })),
      event: { id: nasty, source: 'aws.ecs', detailType: nasty, time: 'not a time' },
      ruleId: 'rule-removed-since',
      controls: {},
    });
    const { frameworks: _gone, ...old } = f;
    const now = new Date('2026-12-07T00:00:00Z');
    for (const x of [f, old]) {
      const o = toOcsf(x, { now, firstSeen: 'garbage' });
      expect(problems(o)).toEqual([]);
      expect(o.time).toBe(now.getTime());
      // Round-trips through JSON unchanged: nothing is lost or executed, the text is data.
      expect(JSON.parse(JSON.stringify(o))).toEqual(o);
    }
    expect(toOcsf(old).compliance.standards).toEqual([]);
  });

  it('the validator rejects what the class forbids (so a pass is not vacuous)', () => {
    const good = toOcsf(corpus[0] ?? finding()) as Record<string, unknown>;
    expect(problems(good)).toEqual([]);
    const broken: [string, Record<string, unknown>][] = [
      ['another class', { ...good, class_uid: 2001 }],
      ['a type of another class', { ...good, type_uid: 200101 }],
      ['an unknown severity', { ...good, severity_id: 7 }],
      ['an attribute the class does not define', { ...good, evidence: [] }],
      ['no finding_info', Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'finding_info'))],
      ['compliance without standards', { ...good, compliance: { requirements: [] } }],
      ['time as ISO text', { ...good, time: '2026-12-07T00:00:00Z' }],
      ['no metadata.version', { ...good, metadata: { product: { vendor_name: 'x' } } }],
    ];
    for (const [why, value] of broken) expect(problems(value), why).not.toEqual([]);
  });
});
