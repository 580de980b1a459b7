/**
 * A Remediator that loads the real one (shared/remediation: the ECS, STS and DynamoDB clients, the budget
 * and the audit log) on the first finding to remediate. The Lambdas only build it when a rule of the
 * policy is in `remediate` mode (lambda.ts), and only the functions that pass a loader (functions/*.ts)
 * contain the remediation code at all; a policy without remediation never loads it.
 * A failed load is reported as a `failed` action (the finding is still notified) and tried again on the
 * next finding.
 */
import type { Finding, FindingAction } from '../model/finding';
import type { Remediator } from './types';

export class LazyRemediator implements Remediator {
  private real: Promise<Remediator> | undefined;

  constructor(private readonly load: () => Promise<Remediator>) {}

  private get(): Promise<Remediator> {
    this.real ??= this.load().catch((err: unknown) => {
      this.real = undefined;
      throw err;
    });
    return this.real;
  }

  /** True once the real Remediator was asked for (tests, cold-start logging). */
  get loaded(): boolean {
    return this.real !== undefined;
  }

  async remediate(finding: Finding): Promise<FindingAction> {
    return (await this.get()).remediate(finding);
  }
}
