/** sg-world-open-admin-port: the rule on security groups, and end to end with a stub enricher. */
import { describe, expect, it } from 'vitest';
import type { IngressPermission } from '../../../shared/model/resources';
import { parsePolicy } from '../../../shared/policy/load';
import { runWith } from './tags-helpers';
import {
  check,
  createService,
  evaluateOne,
  NETWORK,
  paramsWith,
  runTask,
  SECURITY_GROUP_ID,
  securityGroup,
  startedTask,
  stubEnricherWith,
  withRule,
} from './helpers';

const perm = (over: Partial<IngressPermission>): IngressPermission => ({
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  ipv4Ranges: ['0.0.0.0/0'],
  ipv6Ranges: [],
  ...over,
});
const sgWith = (...ingress: IngressPermission[]) => securityGroup({ ingress });

describe('sg-world-open-admin-port', () => {
  it('fires on SSH from 0.0.0.0/0 and names the group, the port and the range', () => {
    expect(check('sg-world-open-admin-port', sgWith(perm({})))).toEqual([
      {
        path: 'IpPermissions[0]',
        message: `security group ${SECURITY_GROUP_ID} allows tcp port 22 (admin port 22) from 0.0.0.0/0`,
      },
    ]);
  });

  it('fires on RDP from ::/0 (IPv6 only)', () => {
    const ev = check(
      'sg-world-open-admin-port',
      sgWith(perm({ fromPort: 3389, toPort: 3389, ipv4Ranges: [], ipv6Ranges: ['::/0'] })),
    );
    expect(ev[0]!.message).toContain('admin port 3389) from ::/0');
  });

  it('fires on a port range covering an admin port, protocol -1 (all), and a missing port range', () => {
    expect(
      check('sg-world-open-admin-port', sgWith(perm({ fromPort: 0, toPort: 1024 })))[0]!.message,
    ).toContain('ports 0-1024 (admin port 22)');
    expect(
      check(
        'sg-world-open-admin-port',
        sgWith(perm({ protocol: '-1', fromPort: undefined, toPort: undefined })),
      )[0]!.message,
    ).toContain('all traffic (admin port 22, 3389)');
    expect(
      check('sg-world-open-admin-port', sgWith(perm({ protocol: '6', fromPort: -1, toPort: -1 }))),
    ).toHaveLength(1);
  });

  it('does not fire on admin ports from a private network, other ports from the world, ICMP, or a range next to the port', () => {
    expect(check('sg-world-open-admin-port', securityGroup())).toEqual([]);
    expect(check('sg-world-open-admin-port', sgWith(perm({ fromPort: 23, toPort: 3388 })))).toEqual([]);
    expect(
      check('sg-world-open-admin-port', sgWith(perm({ protocol: 'icmp', fromPort: -1, toPort: -1 }))),
    ).toEqual([]);
    expect(
      check('sg-world-open-admin-port', sgWith(perm({ ipv4Ranges: ['0.0.0.0/1', '10.0.0.0/8'] }))),
    ).toEqual([]);
  });

  it('adminPorts is a parameter', () => {
    const open5432 = sgWith(perm({ fromPort: 5432, toPort: 5432 }));
    expect(check('sg-world-open-admin-port', open5432)).toEqual([]);
    expect(
      check(
        'sg-world-open-admin-port',
        open5432,
        paramsWith('sg-world-open-admin-port', { adminPorts: [5432] }),
      ),
    ).toHaveLength(1);
  });

  const openGroup = securityGroup({ ingress: [perm({})] });

  it('end to end: CreateService naming the group: a high finding on the security group', async () => {
    const enricher = stubEnricherWith({}, { securityGroups: [openGroup] });
    const r = await evaluateOne(createService({}), enricher);
    const [f] = withRule(r.findings, 'sg-world-open-admin-port');
    expect(f).toMatchObject({
      severity: 'high',
      resource: { type: 'AWS::EC2::SecurityGroup', arn: openGroup.arn, name: 'checkout-api' },
    });
    expect(enricher.calls).toContain(`securityGroups ${SECURITY_GROUP_ID}`);
  });

  it('end to end: critical when the workload also assigns a public IP', async () => {
    const enricher = stubEnricherWith({}, { securityGroups: [openGroup] });
    const publicNet = { awsvpcConfiguration: { ...NETWORK.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };
    const r = await evaluateOne(createService({ networkConfiguration: publicNet }), enricher);
    const [f] = withRule(r.findings, 'sg-world-open-admin-port');
    expect(f!.severity).toBe('critical');
    expect(f!.evidence[0]!.message).toContain('1 workload(s) using it have a public IP');
  });

  it('end to end: RunTask names the group through its request', async () => {
    const enricher = stubEnricherWith({}, { securityGroups: [openGroup] });
    const r = await evaluateOne(runTask({}, [startedTask('a1')]), enricher);
    expect(withRule(r.findings, 'sg-world-open-admin-port')).toHaveLength(1);
  });

  it('a group that no longer exists, or no enrichment: no finding and no crash', async () => {
    expect(
      withRule(
        (await evaluateOne(createService({}), stubEnricherWith({}, {}))).findings,
        'sg-world-open-admin-port',
      ),
    ).toEqual([]);
    expect(withRule((await evaluateOne(createService({}))).findings, 'sg-world-open-admin-port')).toEqual([]);
  });

  it('a severity set in the policy file still wins over the public-IP escalation', async () => {
    const enricher = stubEnricherWith({}, { securityGroups: [openGroup] });
    const publicNet = { awsvpcConfiguration: { ...NETWORK.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };
    const policy = parsePolicy('rules:\n  sg-world-open-admin-port: { mode: notify, severity: medium }\n');
    const found = await runWith(policy, createService({ networkConfiguration: publicNet }), enricher);
    expect(found.find((f) => f.ruleId === 'sg-world-open-admin-port')?.severity).toBe('medium');
  });
});
