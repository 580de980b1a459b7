/**
 * The remediation audit trail: one entry per decision the Remediator took on a finding in `remediate`
 * mode (done, failed, planned in dry-run, skipped with the reason). Who acted, what, when, the state
 * before and after, and the event that caused it. Behind an interface: DynamoDB in the Lambdas
 * (./dynamodb-audit.ts), memory in the CLI and the tests.
 */
import type { ActionStatus } from '../model/finding';

export interface AuditEntry {
  readonly auditId: string;
  /** When (ISO time). */
  readonly at: string;
  readonly account: string;
  readonly region: string;
  /** What: the action name and the resource. */
  readonly action: string;
  readonly resourceArn: string;
  readonly findingId: string;
  readonly ruleId: string;
  readonly status: ActionStatus;
  readonly reason?: string;
  readonly dryRun: boolean;
  /** Who: the principal the guardrail acted as (the assumed member-account role, or its own role). */
  readonly performedBy?: string;
  /** For a rule in `approve` mode: the person who approved it (`slack:<team>/<user>`). */
  readonly approvedBy?: string;
  /** The event that caused it, and that event's actor. */
  readonly trigger: { readonly eventId: string; readonly actor?: string };
  /** The write calls made (empty when nothing was changed). */
  readonly calls: readonly string[];
  /** The action's snapshot of the resource before and after (only the fields it is about). */
  readonly before?: Readonly<Record<string, unknown>>;
  readonly after?: Readonly<Record<string, unknown>>;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Entries of one account, oldest first, from `since` (ISO time) on. */
  list(account: string, since?: string): Promise<AuditEntry[]>;
}

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }

  async list(account: string, since = ''): Promise<AuditEntry[]> {
    return this.entries
      .filter((e) => e.account === account && e.at >= since)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}
