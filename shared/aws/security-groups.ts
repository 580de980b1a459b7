/**
 * Security groups by id (EC2 DescribeSecurityGroups, paginated) -> SecurityGroup resources without
 * users (the caller knows which workloads name them). A `group-id` filter, not GroupIds: a group deleted
 * meanwhile is simply absent instead of failing the whole call with InvalidGroup.NotFound. Groups are
 * mutable: callers cache the answer for a bounded time only.
 */
import { type EC2Client, paginateDescribeSecurityGroups, type SecurityGroup } from '@aws-sdk/client-ec2';
import type { ResourceScope } from '../engine/enrich';
import { compact } from '../events/ecs-resources';
import { securityGroupArn } from '../model/arn';
import type { IngressPermission, SecurityGroupResource } from '../model/resources';
import { guarded } from './errors';
import { boundedPages } from './pages';

const OP = 'ec2:DescribeSecurityGroups';
/** EC2 takes at most 200 values per filter. */
export const GROUP_IDS_PER_CALL = 200;

export async function describeSecurityGroups(
  ec2: EC2Client,
  groupIds: readonly string[],
  scope: ResourceScope,
): Promise<Map<string, SecurityGroupResource>> {
  const out = new Map<string, SecurityGroupResource>();
  for (let i = 0; i < groupIds.length; i += GROUP_IDS_PER_CALL) {
    const batch = groupIds.slice(i, i + GROUP_IDS_PER_CALL);
    await guarded(OP, batch.join(','), async () => {
      const pages = paginateDescribeSecurityGroups(
        { client: ec2, pageSize: 1000, stopOnSameToken: true },
        { Filters: [{ Name: 'group-id', Values: batch }] },
      );
      for await (const page of boundedPages(pages, OP, batch.join(',')))
        for (const g of page.SecurityGroups ?? []) {
          const sg = securityGroupFromShape(g, scope);
          if (sg) out.set(sg.groupId, sg);
        }
    });
  }
  return out;
}

/** One EC2 SecurityGroup -> the resource (no users yet). Ranges without a CIDR are skipped. */
export function securityGroupFromShape(
  g: SecurityGroup,
  scope: ResourceScope,
): SecurityGroupResource | undefined {
  if (!g.GroupId) return undefined;
  const account = g.OwnerId && /^\d{12}$/.test(g.OwnerId) ? g.OwnerId : scope.account;
  const ingress: IngressPermission[] = (g.IpPermissions ?? []).map((p) =>
    compact<IngressPermission>({
      protocol: String(p.IpProtocol ?? '-1').toLowerCase(),
      fromPort: p.FromPort,
      toPort: p.ToPort,
      ipv4Ranges: (p.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
      ipv6Ranges: (p.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : [])),
    }),
  );
  const tags = g.Tags
    ? Object.fromEntries(g.Tags.flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : [])))
    : undefined;
  return compact<SecurityGroupResource>({
    kind: 'SecurityGroup',
    arn: securityGroupArn(scope.region, account, g.GroupId),
    account,
    region: scope.region,
    tags,
    groupId: g.GroupId,
    groupName: g.GroupName,
    vpcId: g.VpcId,
    ingress,
    usedBy: [],
  });
}
