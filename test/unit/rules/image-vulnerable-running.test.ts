/**
 * image-vulnerable-running on its own: the threshold (default critical, `minSeverity`), the evidence
 * (counts, vulnerability ids at or above the threshold, the tasks), one finding per owner and digest,
 * and hostile text in what the scans report.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../shared/engine/evaluate';
import type { VulnerableImageRunningSignal } from '../../../shared/events/signals';
import { imageFindingId } from '../../../shared/pipeline/running-images';
import { DEFAULT_POLICY, parsePolicy } from '../../../shared/policy/load';
import { checkSignal, paramsWith } from './helpers';

const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';
const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';
const TASK = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/prod/${id}`;

const signal = (over: Partial<VulnerableImageRunningSignal> = {}): VulnerableImageRunningSignal => ({
  kind: 'vulnerableImageRunning',
  resourceArn: SERVICE,
  resourceType: 'AWS::ECS::Service',
  resourceName: 'web',
  repository: 'team/web',
  digest: DIGEST,
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.4',
  counts: { CRITICAL: 2, HIGH: 1, MEDIUM: 9 },
  vulnerabilities: [
    { id: 'CVE-2024-0002', severity: 'CRITICAL' },
    { id: 'CVE-2024-0001', severity: 'HIGH' },
    { id: 'CVE-2023-9999', severity: 'CRITICAL' },
  ],
  tasks: [
    { taskArn: TASK('a1'), containers: ['web'] },
    { taskArn: TASK('a2'), containers: ['web', 'web-init'] },
  ],
  ...over,
});

const n = (signals: VulnerableImageRunningSignal[]) => ({
  event: { id: 'e1', source: 'aws.ecr', detailType: 'ECR Image Scan', time: '2025-01-01T00:00:00Z' },
  account: '123456789012',
  region: 'us-east-1',
  resources: [],
  signals,
  taskDefinitionRefs: [],
});

describe('image-vulnerable-running', () => {
  it('critical vulnerabilities: the counts, the critical ids (sorted), every task with its containers', () => {
    const out = checkSignal('image-vulnerable-running', signal())!;
    expect(out.resource).toEqual({ type: 'AWS::ECS::Service', arn: SERVICE, name: 'web' });
    expect(out.severity).toBe('critical');
    expect(out.key).toBe(DIGEST);
    expect(out.evidence).toEqual([
      {
        path: 'image',
        message: `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.4@${DIGEST} has 2 vulnerabilities at or above critical (2 critical, 1 high, 9 medium)`,
      },
      { path: 'vulnerabilities[0]', message: 'CVE-2023-9999 (critical)' },
      { path: 'vulnerabilities[1]', message: 'CVE-2024-0002 (critical)' },
      { path: 'tasks[0]', message: `running in task ${TASK('a1')} (container web)`, container: 'web' },
      { path: 'tasks[1]', message: `running in task ${TASK('a2')} (containers web, web-init)` },
    ]);
  });

  it('nothing at or above the threshold, or no task: no finding', () => {
    expect(
      checkSignal('image-vulnerable-running', signal({ counts: { HIGH: 3, MEDIUM: 1 } })),
    ).toBeUndefined();
    expect(
      checkSignal('image-vulnerable-running', signal({ counts: { INFORMATIONAL: 40, UNDEFINED: 3 } })),
    ).toBeUndefined();
    expect(checkSignal('image-vulnerable-running', signal({ counts: {} }))).toBeUndefined();
    expect(checkSignal('image-vulnerable-running', signal({ tasks: [] }))).toBeUndefined();
  });

  it('minSeverity high: highs count, the severity is the worst one found', () => {
    const p = paramsWith('image-vulnerable-running', { minSeverity: 'high' });
    const out = checkSignal(
      'image-vulnerable-running',
      signal({ counts: { HIGH: 3 }, vulnerabilities: [] }),
      p,
    )!;
    expect(out.severity).toBe('high');
    expect(out.evidence[0]!.message).toContain('3 vulnerabilities at or above high');
  });

  it('a bad minSeverity is a policy error naming the key', () => {
    expect(() =>
      parsePolicy('rules:\n  image-vulnerable-running:\n    params: { minSeverity: catastrophic }\n'),
    ).toThrow(/minSeverity/);
  });

  it('one finding per owner and digest: two digests in one service are two findings with stable ids', () => {
    const other = 'sha256:' + 'b'.repeat(64);
    const { findings } = evaluate(n([signal(), signal({ digest: other })]), { policy: DEFAULT_POLICY });
    expect(findings.map((f) => f.findingId).sort()).toEqual(
      [imageFindingId(SERVICE, DIGEST), imageFindingId(SERVICE, other)].sort(),
    );
    expect(new Set(findings.map((f) => f.resource.arn))).toEqual(new Set([SERVICE]));
  });

  it('the team tag travels on the finding (Slack routes by it)', () => {
    const tagged = signal({ tags: { 'guardrail:team': 'payments' } });
    const { findings } = evaluate(n([tagged]), { policy: DEFAULT_POLICY });
    expect(findings[0]!.tags).toEqual({ 'guardrail:team': 'payments' });
  });

  it('a credential-looking vulnerability id is redacted like any input text', () => {
    const evil = '\u001b]8;;https://evil.example\u0007CVE-1\u001b]8;;\u0007';
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const { findings } = evaluate(
      n([
        signal({
          vulnerabilities: [
            { id: evil, severity: 'CRITICAL' },
            { id: key, severity: 'CRITICAL' },
          ],
        }),
      ]),
      { policy: DEFAULT_POLICY },
    );
    const text = findings[0]!.evidence.map((e) => e.message).join('\n');
    expect(text).not.toContain(key);
    expect(text).toContain('CVE-1');
  });

  it('thousands of tasks or vulnerability ids: the evidence stays bounded', () => {
    const many = signal({
      tasks: Array.from({ length: 5000 }, (_, i) => ({ taskArn: TASK(`t${i}`), containers: ['web'] })),
      vulnerabilities: Array.from({ length: 3000 }, (_, i) => ({
        id: `CVE-2024-${i}`,
        severity: 'CRITICAL' as const,
      })),
    });
    const { findings } = evaluate(n([many]), { policy: DEFAULT_POLICY });
    expect(findings[0]!.evidence.length).toBeLessThanOrEqual(25);
    expect(findings[0]!.evidence.at(-1)!.message).toMatch(/more/);
  });
});
