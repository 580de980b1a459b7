/**
 * image-vulnerable-running: an image digest the scans (ECR basic scanning, Amazon Inspector) report with
 * vulnerabilities at or above the threshold runs in a service or a standalone task. One finding per owner
 * and digest (docs/running.md): it names the vulnerability ids and counts, the image and the tasks, and
 * resolves when the owner's last task of the digest stops or the scans no longer report it.
 */
import * as v from 'valibot';
import type { Evidence, Severity } from '../model/finding';
import type { VulnerabilitySeverity } from '../model/running';
import { signalRule } from './types';

const THRESHOLDS = ['critical', 'high', 'medium', 'low'] as const;
type Threshold = (typeof THRESHOLDS)[number];

/** Scan severities by rank (higher is worse); informational, undefined and untriaged never count. */
const RANK: Readonly<Partial<Record<VulnerabilitySeverity, number>>> = {
  CRITICAL: 4,
  HIGH: 3,
  MEDIUM: 2,
  LOW: 1,
};
const THRESHOLD_RANK: Readonly<Record<Threshold, number>> = { critical: 4, high: 3, medium: 2, low: 1 };
const ORDER: readonly VulnerabilitySeverity[] = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
  'UNTRIAGED',
];

export interface ImageVulnerableRunningParams {
  /** The lowest vulnerability severity that makes a running image a finding (default critical). */
  readonly minSeverity: Threshold;
}

export const imageVulnerableRunning = signalRule({
  family: 'signal',
  id: 'image-vulnerable-running',
  title: 'Image with known vulnerabilities is running',
  severity: 'critical',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'vulnerableImageRunning',
  description:
    'An image digest that ECR basic scanning or Amazon Inspector reports with vulnerabilities at or above `minSeverity` (default critical) runs in a service or standalone task: one finding per service (or task) and digest, with the vulnerability ids, the counts and the tasks; resolved when the last such task stops or the scan no longer reports them.',
  advice:
    'Rebuild the image on a patched base, deploy the new digest, and keep scan on push or continuous scanning on so a running image is re-checked when new vulnerabilities are published.',
  controls: { seeds: ['Scan images and act on the findings of what runs'] },
  ownFrameworks: { 'nist-800-53-r5': ['RA-5', 'SI-2'], 'pci-dss-4.0.1': ['6.3.3', '11.3.1'] },
  params: {
    schema: v.object({ minSeverity: v.picklist(THRESHOLDS) }),
    defaults: { minSeverity: 'critical' },
  },
  check: (s, p: ImageVulnerableRunningParams) => {
    const min = THRESHOLD_RANK[p.minSeverity];
    const counted = ORDER.filter((sev) => (s.counts[sev] ?? 0) > 0);
    const atOrAbove = counted.filter((sev) => (RANK[sev] ?? 0) >= min);
    const total = atOrAbove.reduce((n, sev) => n + (s.counts[sev] ?? 0), 0);
    if (total === 0 || s.tasks.length === 0) return undefined;
    const worst = atOrAbove[0]!;
    const image = `${s.image ?? s.repository}@${s.digest}`;
    const summary = counted.map((sev) => `${s.counts[sev]} ${sev.toLowerCase()}`).join(', ');
    const evidence: Evidence[] = [
      {
        path: 'image',
        message: `${image} has ${total} vulnerabilit${total === 1 ? 'y' : 'ies'} at or above ${p.minSeverity} (${summary})`,
      },
    ];
    const ids = s.vulnerabilities
      .filter((x) => (RANK[x.severity] ?? 0) >= min)
      .sort((a, b) => (RANK[b.severity] ?? 0) - (RANK[a.severity] ?? 0) || a.id.localeCompare(b.id));
    for (const [i, x] of ids.entries())
      evidence.push({ path: `vulnerabilities[${i}]`, message: `${x.id} (${x.severity.toLowerCase()})` });
    for (const [i, t] of s.tasks.entries())
      evidence.push({
        path: `tasks[${i}]`,
        message: `running in task ${t.taskArn} (container${t.containers.length === 1 ? '' : 's'} ${t.containers.join(', ')})`,
        ...(t.containers.length === 1 ? { container: t.containers[0] } : {}),
      });
    return {
      resource: {
        type: s.resourceType,
        arn: s.resourceArn,
        ...(s.resourceName ? { name: s.resourceName } : {}),
      },
      evidence,
      key: s.digest,
      severity: worst.toLowerCase() as Severity,
      ...(s.tags ? { tags: s.tags } : {}),
    };
  },
});
