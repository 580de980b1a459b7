/**
 * The default Remediator: used when no real one is loaded (the policy has no rule in `remediate` mode, or
 * the function has no remediator loader, like `throttling`). It changes nothing and says so.
 */
import type { Finding, FindingAction } from '../model/finding';
import type { PipelineLogger, Remediator } from './types';

export const REMEDIATION_NOT_ENABLED = 'remediation not enabled';

export class DisabledRemediator implements Remediator {
  constructor(private readonly logger: Pick<PipelineLogger, 'info'>) {}

  async remediate(finding: Finding): Promise<FindingAction> {
    const name = finding.action?.name ?? 'none';
    this.logger.info(REMEDIATION_NOT_ENABLED, {
      findingId: finding.findingId,
      ruleId: finding.ruleId,
      resourceArn: finding.resource.arn,
      action: name,
    });
    return { name, status: 'skipped', reason: REMEDIATION_NOT_ENABLED };
  }
}
