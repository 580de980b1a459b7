/**
 * Exemption records: exemptions made from a Slack message (Exempt, docs/slack-app.md) instead of the
 * policy file. The pipeline and the sweep add the active ones to the policy's list (`withExemptionRecords`),
 * so they exempt exactly like a policy exemption (rule, resource ARN, optional container, expiry date);
 * `guardrail exemptions list` shows them. A record stops exempting after its `until` day (UTC) and the
 * state table's TTL deletes it a day later. Behind an interface: DynamoDB in the Lambdas
 * (./dynamodb-exemption-records.ts), memory in tests.
 */
import { isExpired } from '../policy/exemptions';
import type { Policy, PolicyExemption } from '../policy/types';

export interface ExemptionRecord {
  readonly id: string;
  readonly rule: string;
  /** The exact resource ARN (a record never holds a glob). */
  readonly arn: string;
  /** Only this container of a task definition. */
  readonly container?: string;
  /** Last day the exemption holds (YYYY-MM-DD, UTC): records always expire. */
  readonly until: string;
  readonly reason: string;
  /** Who made it (`slack:<team>/<user>`) and when (ISO time). */
  readonly createdBy: string;
  readonly createdAt: string;
  /** The finding it was made from. */
  readonly findingId?: string;
}

export interface ExemptionRecords {
  put(record: ExemptionRecord): Promise<void>;
  /** The records that still exempt at `now` (expired ones are left out). */
  listActive(now: Date): Promise<ExemptionRecord[]>;
}

/** `*` and `?` are glob characters in a policy exemption's ARN: a record's exact ARN must not widen. */
function exactGlob(arn: string): string | undefined {
  return /[*?]/.test(arn) ? undefined : arn;
}

/** A record as a policy exemption (its reason says who made it), or undefined when it cannot be exact. */
export function toPolicyExemption(r: ExemptionRecord): PolicyExemption | undefined {
  const arn = exactGlob(r.arn);
  if (!arn) return undefined;
  return {
    rule: r.rule,
    arn,
    until: r.until,
    reason: `${r.reason} (exempted by ${r.createdBy} on ${r.createdAt.slice(0, 10)})`,
    ...(r.container ? { container: r.container } : {}),
  };
}

/** The policy with the active records appended to its exemptions (the file's own entries first). */
export function withExemptionRecords(policy: Policy, records: readonly ExemptionRecord[], now: Date): Policy {
  const extra = records
    .filter((r) => !isExpired(r.until, now))
    .map(toPolicyExemption)
    .filter((e): e is PolicyExemption => e !== undefined);
  return extra.length ? { ...policy, exemptions: [...policy.exemptions, ...extra] } : policy;
}

export class MemoryExemptionRecords implements ExemptionRecords {
  readonly records: ExemptionRecord[] = [];

  async put(record: ExemptionRecord): Promise<void> {
    this.records.push(record);
  }

  async listActive(now: Date): Promise<ExemptionRecord[]> {
    return this.records.filter((r) => !isExpired(r.until, now));
  }
}
