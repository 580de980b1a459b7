/**
 * sg-world-open-admin-port: a security group of a service, task set or task lets the whole internet
 * (0.0.0.0/0, ::/0) reach an administration port (SSH 22, RDP 3389 by default). Critical when a workload
 * using the group also has a public IP: the port is then reachable. Reads the group as enrichment (EC2
 * DescribeSecurityGroups) or the sweep found it; the finding is on the security group.
 */
import * as v from 'valibot';
import type { Evidence } from '../model/finding';
import type { IngressPermission } from '../model/resources';
import { resourceRule } from './types';

/** Protocols that carry ports an admin service listens on (`-1` is every protocol). */
const PORT_PROTOCOLS = new Set(['-1', 'all', 'tcp', 'udp', '6', '17']);

/** Any CIDR with prefix length 0 is the whole address space (0.0.0.0/0, ::/0, and non-canonical forms). */
const isWorld = (cidr: string): boolean => /\/0$/.test(cidr.trim());

/** The admin ports a permission opens: every port for protocol -1 or a missing/-1 range. */
function portsOpened(p: IngressPermission, adminPorts: readonly number[]): number[] {
  if (!PORT_PROTOCOLS.has(p.protocol)) return [];
  if (p.protocol === '-1' || p.protocol === 'all') return [...adminPorts];
  const from = p.fromPort === undefined || p.fromPort < 0 ? 0 : p.fromPort;
  const to = p.toPort === undefined || p.toPort < 0 ? 65_535 : p.toPort;
  return adminPorts.filter((port) => port >= from && port <= to);
}

function describePermission(p: IngressPermission): string {
  if (p.protocol === '-1' || p.protocol === 'all') return 'all traffic';
  const range =
    p.fromPort === undefined || p.fromPort < 0
      ? 'all ports'
      : p.fromPort === p.toPort
        ? `port ${p.fromPort}`
        : `ports ${p.fromPort}-${p.toPort}`;
  return `${p.protocol} ${range}`;
}

export const sgWorldOpenAdminPort = resourceRule({
  family: 'resource',
  id: 'sg-world-open-admin-port',
  title: 'Security group opens an admin port to the internet',
  severity: 'high',
  resourceType: 'AWS::EC2::SecurityGroup',
  appliesTo: 'SecurityGroup',
  description:
    'A security group named in a service, task set or task `awsvpcConfiguration.securityGroups` allows ingress from `0.0.0.0/0` or `::/0` to a port of `adminPorts` (default 22, 3389; port ranges and protocol `-1` count); critical when the workload also has a public IP. Needs enrichment (EC2).',
  advice:
    'Do not expose administration ports: reach containers with ECS Exec or through a bastion, and allow ingress only from the load balancer or known networks.',
  controls: {
    config: 'restricted-ssh',
    checkov: 'CKV_AWS_24',
    prowler: 'ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22',
    seeds: ['H-01'],
  },
  ownFrameworks: { 'nist-800-53-r5': ['SC-7', 'AC-4', 'CM-7'], 'pci-dss-4.0.1': ['1.2.5', '1.3.1', '1.4.1'] },
  params: {
    schema: v.object({
      adminPorts: v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535))),
    }),
    defaults: { adminPorts: [22, 3389] },
  },
  check: (sg, p) => {
    const out: Evidence[] = [];
    sg.ingress.forEach((perm, i) => {
      const ports = portsOpened(perm, p.adminPorts);
      if (!ports.length) return;
      const world = [...perm.ipv4Ranges, ...perm.ipv6Ranges].filter(isWorld);
      if (!world.length) return;
      const exposed = sg.usedBy.filter((u) => u.publicIp).length;
      out.push({
        path: `IpPermissions[${i}]`,
        message:
          `security group ${sg.groupId} allows ${describePermission(perm)} (admin port ${ports.join(', ')}) from ${world.join(', ')}` +
          (exposed ? `; ${exposed} workload(s) using it have a public IP` : ''),
      });
    });
    return out;
  },
  severityOf: (sg) => (sg.usedBy.some((u) => u.publicIp) ? 'critical' : undefined),
});
