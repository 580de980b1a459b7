/** Remediation is its own issue: until then the default Remediator only says it is not enabled. */
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
