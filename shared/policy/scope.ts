/**
 * The policy's `scope.allowAccounts` (docs/policy.md "Scope"): which accounts' events the Lambdas process.
 *
 * Which account counts: every account the event names. The envelope `account` is set by EventBridge (a
 * PutEvents caller cannot choose it, and it keeps the source account when a member account forwards the
 * event to the central bus), so it is the sender. The detail is the sender's content: the resource ARNs
 * and the CloudTrail `recipientAccountId` say which account a finding would be about (normalize builds
 * the findings' accounts and resources from them). An event is in scope only when ALL of them are on the
 * list: a foreign sender cannot get in by naming an allowed account's resource, and an allowed sender
 * cannot make findings about a foreign one. The caller's identity (`userIdentity.accountId`) is not
 * counted: callers from other accounts are normal.
 */
import { normalize } from '../events/normalize';
import type { ParsedEvent } from '../events/parse';
import type { Policy } from './types';

const ACCOUNT = /^\d{12}$/;
/** Stands for an account field that is not a 12-digit id (never on a list, never logged as given). */
export const NOT_AN_ACCOUNT = '(not an account id)';

const asAccount = (x: string): string => (ACCOUNT.test(x) ? x : NOT_AN_ACCOUNT);

/** The account field of an ARN (`arn:partition:service:region:account:...`); undefined when empty (S3). */
function accountOfArn(arn: string | null | undefined): string | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const account = arn.split(':', 5)[4];
  return account ? asAccount(account) : undefined;
}

/**
 * Every account an event names: the envelope, its resources, the detail's resource ARNs and CloudTrail
 * recipient, and what normalization makes of them (the accounts and ARNs findings would carry). Throws
 * InvalidEventError like the pipeline's own normalization.
 */
export function accountsNamedBy(e: ParsedEvent): string[] {
  const found = new Set<string>([asAccount(e.envelope.account)]);
  const arns: (string | null | undefined)[] = [...(e.envelope.resources ?? [])];
  switch (e.kind) {
    case 'task':
      arns.push(e.detail.taskArn, e.detail.clusterArn, e.detail.taskDefinitionArn);
      break;
    case 'containerInstance':
      arns.push(e.detail.containerInstanceArn, e.detail.clusterArn);
      break;
    case 'serviceAction':
      arns.push(e.detail.clusterArn);
      break;
    case 'cloudTrail':
      if (e.detail.recipientAccountId) found.add(asAccount(e.detail.recipientAccountId));
      break;
    case 'guardDuty':
      // The finding's account (a member's, when GuardDuty's administrator account sends it).
      found.add(asAccount(e.detail.accountId));
      break;
    default:
      break;
  }
  const n = normalize(e);
  found.add(asAccount(n.account));
  for (const r of n.resources) {
    found.add(asAccount(r.account));
    arns.push(r.arn);
  }
  for (const arn of arns) {
    const account = accountOfArn(arn);
    if (account) found.add(account);
  }
  return [...found];
}

/**
 * The accounts an event names that are not on `scope.allowAccounts` (sorted): empty when the event is in
 * scope, always empty (and nothing computed) when the list is empty or absent: every account is in scope.
 */
export function accountsOutsideScope(e: ParsedEvent, policy: Pick<Policy, 'scope'>): string[] {
  const allow = policy.scope?.allowAccounts ?? [];
  if (allow.length === 0) return [];
  return accountsNamedBy(e)
    .filter((a) => !allow.includes(a))
    .sort();
}
