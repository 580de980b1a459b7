/**
 * What the Slack interactivity needs from the state table (docs/slack-app.md): the replay guard of signed
 * requests, the once-only claim of an approval, snoozes on the finding record, and where the bot posted a
 * finding's first message (its thread). DynamoDB in the Lambdas (./dynamodb-slack-interactions.ts),
 * memory in tests.
 */
import type { FindingAction } from '../model/finding';

export interface ApprovalClaim {
  /** True for the one press that claimed it; every other press sees the first one's claim. */
  readonly claimed: boolean;
  readonly by: string;
  readonly at: string;
  /** The outcome, once the approved action ran. */
  readonly outcome?: FindingAction;
}

/** A message the bot posted (chat.postMessage): its channel and timestamp (the thread's parent). */
export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

export interface SlackInteractionStore {
  /** False when a request with this signature hash was seen before (a replay). Kept until `expiresAtMs`. */
  firstSighting(signatureHash: string, expiresAtMs: number): Promise<boolean>;
  /**
   * Claim the approval of the finding opened at `firstSeen` (conditional write: exactly one claims it). An
   * approval whose outcome changed nothing (skipped: budget exhausted, not violated now...; planned:
   * dry-run) can be claimed again; one that acted (done) or tried to (failed) cannot.
   */
  claimApproval(findingId: string, firstSeen: string, by: string, at: string): Promise<ApprovalClaim>;
  saveApprovalOutcome(findingId: string, firstSeen: string, outcome: FindingAction): Promise<void>;
  /** The approval of the finding opened at `firstSeen`, if any (claimed: false). */
  getApproval(findingId: string, firstSeen: string): Promise<ApprovalClaim | undefined>;
  /** No reminders for an open finding before `until`; false when the finding is not open. */
  snooze(findingId: string, until: string): Promise<boolean>;
  saveMessage(findingId: string, ref: SlackMessageRef): Promise<void>;
  getMessage(findingId: string): Promise<SlackMessageRef | undefined>;
}

export class MemorySlackInteractionStore implements SlackInteractionStore {
  readonly seen = new Set<string>();
  readonly approvals = new Map<string, ApprovalClaim>();
  readonly snoozes = new Map<string, string>();
  readonly messages = new Map<string, SlackMessageRef>();

  async firstSighting(signatureHash: string): Promise<boolean> {
    if (this.seen.has(signatureHash)) return false;
    this.seen.add(signatureHash);
    return true;
  }

  async claimApproval(findingId: string, firstSeen: string, by: string, at: string): Promise<ApprovalClaim> {
    const key = `${findingId}#${firstSeen}`;
    const existing = this.approvals.get(key);
    const redoable = existing?.outcome?.status === 'skipped' || existing?.outcome?.status === 'planned';
    if (existing && !redoable) return { ...existing, claimed: false };
    const claim = { claimed: true, by, at };
    this.approvals.set(key, claim);
    return claim;
  }

  async saveApprovalOutcome(findingId: string, firstSeen: string, outcome: FindingAction): Promise<void> {
    const key = `${findingId}#${firstSeen}`;
    const existing = this.approvals.get(key);
    if (existing) this.approvals.set(key, { ...existing, outcome });
  }

  async getApproval(findingId: string, firstSeen: string): Promise<ApprovalClaim | undefined> {
    const existing = this.approvals.get(`${findingId}#${firstSeen}`);
    return existing ? { ...existing, claimed: false } : undefined;
  }

  async snooze(findingId: string, until: string): Promise<boolean> {
    this.snoozes.set(findingId, until);
    return true;
  }

  async saveMessage(findingId: string, ref: SlackMessageRef): Promise<void> {
    this.messages.set(findingId, ref);
  }

  async getMessage(findingId: string): Promise<SlackMessageRef | undefined> {
    return this.messages.get(findingId);
  }
}
