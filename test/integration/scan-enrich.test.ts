/**
 * The sweep evaluates the enrichment rules against moto_server: task roles of the task definitions in
 * use (IAM), the security groups of services and tasks (EC2), tags from the describes (include TAGS),
 * with the same time-bounded caches as the event path: a fix is resolved once the cached entry expires.
 */
import { EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TtlCache } from '../../shared/base/ttl-cache';
import type { Finding } from '../../shared/model/finding';
import type { SecurityGroupResource, TaskRolePolicies } from '../../shared/model/resources';
import { parsePolicy } from '../../shared/policy/load';
import { MemoryFindingStore } from '../../shared/store/memory-store';
import { CallCounter } from '../../shared/sweep/call-counter';
import { runScan } from '../../shared/sweep/run';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { ACCOUNT, REGION, seedEnrichmentEstate, type EnrichmentEstate } from '../helpers/seed-estate';

const POLICY = parsePolicy(
  'rules:\n  cluster-missing-tags: { mode: notify }\n  svc-missing-tags: { mode: notify }\n  td-missing-tags: { mode: notify }\n',
);
const keysOf = (findings: readonly Finding[]) => findings.map((f) => `${f.ruleId} ${f.resource.arn}`).sort();

describe('sweep: enrichment rules against moto', () => {
  let moto: Moto;
  let estate: EnrichmentEstate;
  let clock = 0;
  const counter = new CallCounter();
  const store = new MemoryFindingStore();
  const roleCache = new TtlCache<TaskRolePolicies>({ ttlMs: 300_000, now: () => clock });
  const securityGroupCache = new TtlCache<SecurityGroupResource | null>({ ttlMs: 300_000, now: () => clock });
  let iamCalls = 0;

  const scan = () => {
    const cfg = motoClientConfig(moto, REGION);
    const iam = new IAMClient(cfg);
    iam.middlewareStack.add(
      (next) => (args) => {
        iamCalls++;
        return next(args);
      },
      { step: 'initialize' },
    );
    return runScan({
      ecs: counter.attach(new ECSClient(cfg)),
      ec2: counter.attach(new EC2Client(cfg)),
      iam,
      account: ACCOUNT,
      region: REGION,
      policy: POLICY,
      store,
      roleCache,
      securityGroupCache,
    });
  };

  beforeAll(async () => {
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    const cfg = motoClientConfig(moto, REGION);
    estate = await seedEnrichmentEstate({
      ecs: new ECSClient(cfg),
      ec2: new EC2Client(cfg),
      iam: new IAMClient(cfg),
    });
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('finds the open security group (critical: a public service uses it), the wildcard task role and the untagged cluster', async () => {
    const { sweep, evaluation } = await scan();
    expect(sweep.gaps).toEqual([]);
    expect(sweep.complete).toBe(true);
    expect(keysOf(evaluation.findings)).toEqual(estate.expected.map((f) => `${f.ruleId} ${f.arn}`).sort());
    const sg = evaluation.findings.find((f) => f.ruleId === 'sg-world-open-admin-port')!;
    expect(sg.severity).toBe('critical');
    expect(sg.resource).toMatchObject({ type: 'AWS::EC2::SecurityGroup', name: 'ssh-world' });
    const role = evaluation.findings.find((f) => f.ruleId === 'td-task-role-wildcard')!;
    expect(role.evidence[0]!.message).toContain(
      `task role ${estate.adminRole}: inline policy "app" allows Action "*"`,
    );
    // One read per role and per group batch, whatever number of definitions and workloads use them.
    expect(counter.snapshot()['ec2:DescribeSecurityGroups']).toBe(1);
  });

  it('a fix is seen once the cached role and group expire; until then the findings stay open', async () => {
    const ec2 = new EC2Client(motoClientConfig(moto, REGION));
    const iam = new IAMClient(motoClientConfig(moto, REGION));
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: estate.openGroup,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'enrich-admin',
        PolicyName: 'app',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
        }),
      }),
    );
    const before = iamCalls;
    const cached = await scan();
    expect(iamCalls).toBe(before); // both roles served from the cache
    expect(keysOf(cached.evaluation.findings)).toContain(`sg-world-open-admin-port ${estate.openGroupArn}`);
    expect(cached.reconcile.resolved).toEqual([]);

    clock += 300_001;
    const fresh = await scan();
    expect(iamCalls).toBeGreaterThan(before);
    expect(keysOf(fresh.evaluation.findings)).toEqual(
      [`cluster-missing-tags ${estate.cluster}`, `svc-public-ip ${estate.service}`].sort(),
    );
    expect(fresh.reconcile.resolved.map((r) => `${r.kind} ${r.record.finding.ruleId}`).sort()).toEqual([
      'compliant sg-world-open-admin-port',
      'compliant td-task-role-wildcard',
    ]);
  });

  it('without an IAM client a task role is a gap: the sweep is partial and resolves nothing', async () => {
    const cfg = motoClientConfig(moto, REGION);
    const { sweep, reconcile } = await runScan({
      ecs: new ECSClient(cfg),
      ec2: new EC2Client(cfg),
      account: ACCOUNT,
      region: REGION,
      policy: POLICY,
      store,
    });
    expect(sweep.complete).toBe(false);
    expect(sweep.gaps[0]).toMatchObject({ operation: 'ListRolePolicies', code: 'SweepConfigurationError' });
    expect(reconcile.resolved).toEqual([]);
  });
});
