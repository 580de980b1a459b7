/**
 * Public IPv4 addresses of a task's ENIs (EC2 DescribeNetworkInterfaces). Loaded on first use: it pulls
 * in the EC2 SDK. Not cached: an address can be associated or released at any time.
 */
import { DescribeNetworkInterfacesCommand, EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { guarded } from './errors';

const OP = 'ec2:DescribeNetworkInterfaces';

export function createEc2Client(config: EC2ClientConfig): EC2Client {
  return new EC2Client(config);
}

export async function publicIps(ec2: EC2Client, eniIds: readonly string[]): Promise<string[]> {
  return (await taskNetwork(ec2, eniIds)).publicIps;
}

/** Public IPv4 addresses and security groups of a task's ENIs, in one DescribeNetworkInterfaces. */
export async function taskNetwork(
  ec2: EC2Client,
  eniIds: readonly string[],
): Promise<{ publicIps: string[]; securityGroups: string[] }> {
  const ips = new Set<string>();
  const groups = new Set<string>();
  let nextToken: string | undefined;
  do {
    // A `network-interface-id` filter, not NetworkInterfaceIds: an ENI deleted meanwhile (the task
    // stopped) is simply absent instead of failing the whole call with InvalidNetworkInterfaceID.NotFound.
    const out = await guarded(OP, eniIds.join(','), () =>
      ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'network-interface-id', Values: [...eniIds] }],
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    for (const eni of out.NetworkInterfaces ?? []) {
      if (eni.Association?.PublicIp) ips.add(eni.Association.PublicIp);
      for (const p of eni.PrivateIpAddresses ?? [])
        if (p.Association?.PublicIp) ips.add(p.Association.PublicIp);
      for (const g of eni.Groups ?? []) if (g.GroupId) groups.add(g.GroupId);
    }
    nextToken = out.NextToken || undefined;
  } while (nextToken);
  return { publicIps: [...ips], securityGroups: [...groups] };
}
