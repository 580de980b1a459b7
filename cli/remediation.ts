/**
 * `guardrail evaluate --enrich --remediate`: the same Remediator as the Lambdas, on demand, with the
 * caller's credentials; the budget and the audit trail are kept in memory for the run, and every
 * decision is reported on stderr (the findings carry it in `action` too).
 */
import type { Finding } from '../shared/model/finding';
import type { Policy } from '../shared/policy/types';
import { createAwsRemediator, type AwsRemediatorOptions } from '../shared/remediation/factory';

export interface CliRemediation {
  remediate(findings: readonly Finding[]): Promise<Finding[]>;
}

export function createCliRemediation(
  policy: Policy,
  stderr: (s: string) => void,
  options: Partial<AwsRemediatorOptions> = {},
): CliRemediation {
  const { remediator } = createAwsRemediator({ ...options, policy });
  return {
    async remediate(findings) {
      const out = await remediator.remediateAll(findings);
      for (const f of out) {
        const a = f.action;
        if (!a || (a.status === 'planned' && !a.reason)) continue;
        stderr(
          `guardrail: remediation: ${a.name} ${a.status} ${f.resource.arn}${a.reason ? `: ${a.reason}` : ''}\n`,
        );
      }
      return out;
    },
  };
}
