/**
 * The Lambda pipeline's remediation seam (shared/pipeline/types.ts: `remediate(finding)` resolving to
 * the FindingAction, never throwing), implemented by the Remediator. Typed structurally: remediation
 * does not depend on the pipeline.
 */
import type { Finding, FindingAction } from '../model/finding';
import type { Resource } from '../model/resources';
import type { Remediator } from './remediator';

export class PipelineRemediator {
  constructor(readonly remediator: Remediator) {}

  /** The outcome for the finding; `resources` (the event's) give services and tasks their cluster. */
  async remediate(finding: Finding, resources?: readonly Resource[]): Promise<FindingAction> {
    const out = await this.remediator.remediate(finding, resources ? { resources } : {});
    if (out.action) return out.action;
    const name = finding.action?.name ?? 'none';
    const exempt = out.exemption && !out.exemption.expired;
    return { name, status: 'skipped', reason: exempt ? 'exempted' : 'rule is not in remediate mode' };
  }
}
