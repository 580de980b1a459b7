/**
 * The organization sweep's plan: Organizations ListAccounts (every page; ACTIVE accounts only) x the
 * configured regions (`all` = the account's enabled regions from EC2 DescribeRegions), minus accounts
 * outside the allow-list (the policy's scope.allowAccounts) and outside an optional `--accounts` filter.
 * Every account left out is in `skipped` with its reason: nothing is dropped silently.
 *
 * With `withOus`, each account's parent (ListParents, then DescribeOrganizationalUnit once per OU,
 * both cached for the run) names the OU the reports roll up by.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeOrganizationalUnitCommand,
  ListParentsCommand,
  paginateListAccounts,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mapPool } from '../base/pool';
import { isAccountId, isRegionName, SweepInputError, type SweepPair } from './pair';

export interface PlannedAccount {
  readonly id: string;
  readonly name?: string;
  /** The parent OU's id (`r-...` for the root) and name, with `withOus`. */
  readonly ouId?: string;
  readonly ouName?: string;
}

export interface SkippedAccount {
  readonly account: string;
  readonly reason: string;
}

export interface SweepPlan {
  readonly pairs: SweepPair[];
  readonly skipped: SkippedAccount[];
  /** The accounts of `pairs`, in order. */
  readonly accounts: PlannedAccount[];
  readonly regions: string[];
}

export interface PlanOptions {
  readonly organizations: OrganizationsClient;
  /** For `regions: 'all'` (DescribeRegions in the caller's account). */
  readonly ec2: EC2Client;
  readonly regions: readonly string[] | 'all';
  /** Only these accounts (`--accounts`); one that is not an ACTIVE member is skipped with its reason. */
  readonly accounts?: readonly string[];
  /** The policy's scope.allowAccounts: empty or absent = every account. */
  readonly allowAccounts?: readonly string[];
  readonly withOus?: boolean;
  /** ListParents calls in flight (Organizations allows few requests per second; default 4). */
  readonly concurrency?: number;
}

/** `R1,R2` or `all` -> the list (validated, deduplicated, order kept) or 'all'. */
export function parseRegionList(text: string, field = '--regions'): readonly string[] | 'all' {
  const t = text.trim();
  if (t === 'all') return 'all';
  const list = [...new Set(t.split(',').map((s) => s.trim()))];
  const bad = list.findIndex((r) => !isRegionName(r));
  if (!t || bad !== -1)
    throw new SweepInputError(`${field}: item ${bad === -1 ? 0 : bad + 1} is not a region name (or use all)`);
  return list;
}

/** `ID,ID` -> the list (validated, deduplicated). */
export function parseAccountList(text: string, field = '--accounts'): readonly string[] {
  const list = [...new Set(text.split(',').map((s) => s.trim()))];
  const bad = list.findIndex((a) => !isAccountId(a));
  if (!text.trim() || bad !== -1)
    throw new SweepInputError(`${field}: item ${bad === -1 ? 1 : bad + 1} is not a 12-digit account id`);
  return list;
}

/** The regions enabled for the caller's account (opt-in regions only once opted in), sorted. */
export async function enabledRegions(ec2: EC2Client): Promise<string[]> {
  const r = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
  return (r.Regions ?? [])
    .filter((x) => x.RegionName && x.OptInStatus !== 'not-opted-in')
    .map((x) => x.RegionName!)
    .sort();
}

export async function planOrganization(o: PlanOptions): Promise<SweepPlan> {
  const regions = o.regions === 'all' ? await enabledRegions(o.ec2) : [...o.regions];
  const skipped: SkippedAccount[] = [];
  const members = new Map<string, { name?: string }>();
  // stopOnSameToken: a service that repeats its NextToken must not keep the plan paging forever.
  for await (const page of paginateListAccounts({ client: o.organizations, stopOnSameToken: true }, {})) {
    for (const a of page.Accounts ?? []) {
      if (!a.Id) continue;
      // `State` replaces the deprecated `Status`; either may be present.
      const state = (a as { State?: string }).State ?? a.Status;
      if (state !== 'ACTIVE') {
        if (!skipped.some((x) => x.account === a.Id))
          skipped.push({ account: a.Id, reason: `account is ${state ?? 'in an unknown state'}` });
        continue;
      }
      members.set(a.Id, a.Name ? { name: a.Name } : {});
    }
  }
  let ids = [...members.keys()].sort();
  if (o.accounts) {
    const wanted = new Set(o.accounts);
    for (const a of o.accounts)
      if (!members.has(a) && !skipped.some((s) => s.account === a))
        skipped.push({ account: a, reason: 'not an account of the organization' });
    ids = ids.filter((id) => wanted.has(id));
  }
  const allow = o.allowAccounts?.length ? new Set(o.allowAccounts) : undefined;
  if (allow) {
    for (const id of ids)
      if (!allow.has(id))
        skipped.push({ account: id, reason: 'not on the allow-list (scope.allowAccounts)' });
    ids = ids.filter((id) => allow.has(id));
  }
  const accounts = o.withOus
    ? await withParents(o, ids, members)
    : ids.map((id) => ({ id, ...members.get(id) }));
  return {
    pairs: ids.flatMap((account) => regions.map((region) => ({ account, region }))),
    skipped,
    accounts,
    regions,
  };
}

async function withParents(
  o: PlanOptions,
  ids: readonly string[],
  members: ReadonlyMap<string, { name?: string }>,
): Promise<PlannedAccount[]> {
  const ouNames = new Map<string, Promise<string | undefined>>();
  const ouName = (id: string): Promise<string | undefined> => {
    if (id.startsWith('r-')) return Promise.resolve('Root');
    let p = ouNames.get(id);
    if (!p) {
      p = o.organizations
        .send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id }))
        .then((r) => r.OrganizationalUnit?.Name);
      ouNames.set(id, p);
    }
    return p;
  };
  return mapPool(ids, o.concurrency ?? 4, async (id) => {
    const r = await o.organizations.send(new ListParentsCommand({ ChildId: id }));
    const parent = r.Parents?.[0]?.Id;
    const name = parent ? await ouName(parent) : undefined;
    return {
      id,
      ...members.get(id),
      ...(parent ? { ouId: parent } : {}),
      ...(name ? { ouName: name } : {}),
    };
  });
}
