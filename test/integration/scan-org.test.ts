/**
 * The organization sweep against moto: an organization of 4 member accounts (3 onboarded with the read
 * role, 1 not) in 2 OUs, a seeded estate (seed-estate.ts) in every (member, region) pair of 2 regions,
 * swept through the real STS AssumeRole, ECS and EC2 clients, with the Lambda's DynamoDB finding store
 * and task definition cache. moto grants AssumeRole of any role: the helper restores AWS's refusal of a
 * role that does not exist (org-estate.ts enforceRoleExistence). moto cannot run the state machine: the
 * per-pair sweep function and the plan function are driven directly, as its Map state would.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PairResult } from '../../functions/sweep';
import type { SweepPlanResult } from '../../functions/sweep-plan';
import { CrossAccountCredentials } from '../../shared/aws/credentials';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import type { Policy } from '../../shared/policy/types';
import { DynamoDbFindingStore } from '../../shared/store/dynamodb-store';
import { DynamoDBTaskDefinitionCache } from '../../shared/store/dynamodb-td-cache';
import { createStateTable } from '../../shared/store/state-table';
import { SweepClientPool } from '../../shared/sweep/clients';
import { sweepOrganization, type PairOutcome } from '../../shared/sweep/organization';
import { planOrganization } from '../../shared/sweep/plan';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { enforceRoleExistence } from '../helpers/org-roles';
import {
  createOrgEstate,
  MANAGEMENT_ACCOUNT,
  memberClients,
  memberCredentials,
  ORG_REGIONS,
  READ_ROLE,
  type OrgEstate,
} from '../helpers/org-estate';
import { applyFixes } from '../helpers/seed-estate';

const TABLE = 'ecs-guardrail-org-test';
const key = (ruleId: string, arn: string) => `${ruleId} ${arn}`;

const context = (region = 'us-east-1') =>
  ({
    functionName: 'ecs-guardrail-test-sweep',
    invokedFunctionArn: `arn:aws:lambda:${region}:${MANAGEMENT_ACCOUNT}:function:ecs-guardrail-test-sweep`,
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => 600_000,
  }) as unknown as Context;

describe('organization sweep against moto', () => {
  let moto: Moto;
  let org: OrgEstate;
  let store: DynamoDbFindingStore;
  let documents: DynamoDBDocumentClient;
  let restore: () => void;
  const saved = { ...process.env };
  /** The member whose read role was never created (not onboarded). */
  let missing: string;
  let onboarded: string[];

  const newPool = () =>
    new SweepClientPool({
      credentials: new CrossAccountCredentials({
        sts: new STSClient(motoClientConfig(moto)),
        roleName: READ_ROLE,
        sessionName: 'ecs-guardrail-sweep',
      }),
      maxAttempts: 1,
    });
  const cache = () => new DynamoDBTaskDefinitionCache(documents, { tableName: TABLE });
  const sweepAll = (pool: SweepClientPool, policy: Policy = DEFAULT_POLICY, pairs = allPairs()) =>
    sweepOrganization(pairs, {
      pool,
      roleName: READ_ROLE,
      policy,
      store,
      cache: cache(),
      pairConcurrency: 4,
    });
  const allPairs = () =>
    [MANAGEMENT_ACCOUNT, ...org.members.map((m) => m.id)].flatMap((account) =>
      ORG_REGIONS.map((region) => ({ account, region })),
    );
  const findingKeys = (o: PairOutcome) =>
    (o.scan?.evaluation.findings ?? []).map((f) => key(f.ruleId, f.resource.arn)).sort();

  beforeAll(async () => {
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    org = await createOrgEstate(moto, {
      members: [
        { name: 'payments-prod', ou: 'prod' },
        { name: 'web-prod', ou: 'prod' },
        { name: 'sandbox', ou: 'dev' },
        { name: 'legacy', ou: 'dev' },
      ],
      withoutReadRole: [3],
    });
    missing = org.members[3]!.id;
    onboarded = org.members.slice(0, 3).map((m) => m.id);
    const cfg = motoClientConfig(moto);
    const ddb = new DynamoDBClient(cfg);
    await createStateTable(ddb, TABLE);
    documents = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    store = new DynamoDbFindingStore({ client: documents, tableName: TABLE });
    restore = enforceRoleExistence(moto);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_MAX_ATTEMPTS: '1',
      GUARDRAIL_TABLE: TABLE,
      GUARDRAIL_POLICY_FILE: '/nonexistent/guardrail.policy.yml',
      GUARDRAIL_SWEEP_NOTIFY: 'false',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
  }, 300_000);

  afterAll(async () => {
    restore?.();
    process.env = saved;
    await moto?.stop();
  });

  it('plans every ACTIVE account x region with its OU; the allow-list and --accounts leave accounts out with a reason', async () => {
    const cfg = motoClientConfig(moto);
    const o = { organizations: new OrganizationsClient(cfg), ec2: new EC2Client(cfg) };
    const plan = await planOrganization({ ...o, regions: [...ORG_REGIONS], withOus: true });
    expect(plan.pairs).toHaveLength(5 * 2);
    expect(plan.skipped).toEqual([]);
    expect(plan.accounts.find((a) => a.id === org.members[0]!.id)).toMatchObject({
      name: 'payments-prod',
      ouId: org.members[0]!.ouId,
      ouName: 'prod',
    });
    expect(plan.accounts.find((a) => a.id === MANAGEMENT_ACCOUNT)?.ouName).toBe('Root');

    const narrowed = await planOrganization({
      ...o,
      regions: ['eu-west-1'],
      accounts: [org.members[0]!.id, org.members[1]!.id, '999999999999'],
      allowAccounts: [org.members[0]!.id],
    });
    expect(narrowed.pairs).toEqual([{ account: org.members[0]!.id, region: 'eu-west-1' }]);
    expect(narrowed.skipped).toEqual([
      { account: '999999999999', reason: 'not an account of the organization' },
      { account: org.members[1]!.id, reason: 'not on the allow-list (scope.allowAccounts)' },
    ]);

    // all = the enabled regions only (moto lists not-opted-in regions too: they are left out).
    const all = await planOrganization({ ...o, regions: 'all', accounts: [MANAGEMENT_ACCOUNT] });
    expect(all.regions).toContain('eu-west-1');
    expect(all.regions).not.toContain('ap-east-1');
  });

  let first: PairOutcome[];

  it('finds every seeded finding in every onboarded (account, region); the account without the role fails with its reason, the others complete', async () => {
    first = await sweepAll(newPool());
    expect(first).toHaveLength(10);
    for (const account of onboarded)
      for (const region of ORG_REGIONS) {
        const o = first.find((x) => x.account === account && x.region === region)!;
        const estate = org.estates.get(`${account} ${region}`)!;
        expect(o.status, `${account} ${region}: ${o.reason}`).toBe('complete');
        expect(findingKeys(o)).toEqual(estate.expected.map((f) => key(f.ruleId, f.arn)).sort());
        // Every finding names the pair's own account and region.
        for (const f of o.scan!.evaluation.findings) expect([f.account, f.region]).toEqual([account, region]);
        expect(o.calls).toBeGreaterThan(0);
      }
    for (const region of ORG_REGIONS) {
      const o = first.find((x) => x.account === missing && x.region === region)!;
      expect(o).toMatchObject({ status: 'failed', findings: 0, calls: 0, failure: 'access-denied' });
      expect(o.reason).toBe(
        `no access to account ${missing} (role arn:aws:iam::${missing}:role/${READ_ROLE}): AccessDenied`,
      );
      // The management account's own pairs: ambient credentials, nothing seeded there.
      expect(first.find((x) => x.account === MANAGEMENT_ACCOUNT && x.region === region)).toMatchObject({
        status: 'complete',
        findings: 0,
      });
    }
    // Recorded per pair in the state table.
    for (const account of onboarded) {
      const open: string[] = [];
      for await (const r of store.listOpen({ account, region: 'eu-west-1' })) open.push(r.finding.ruleId);
      expect(open).toHaveLength(org.estates.get(`${account} eu-west-1`)!.expected.length);
    }
  });

  it('a second sweep (new clients, as a new container) makes no DescribeTaskDefinition call for unchanged revisions', async () => {
    expect(first.filter((o) => o.status === 'complete' && o.findings > 0)).toHaveLength(6);
    for (const o of first.filter((x) => x.findings > 0))
      expect(o.scan!.sweep.taskDefinitions.described).toBe(4);
    const pool = newPool();
    const second = await sweepAll(pool);
    for (const o of second.filter((x) => x.status === 'complete' && x.account !== MANAGEMENT_ACCOUNT)) {
      const { counter } = await pool.get(o.account, o.region);
      expect(counter.count('ecs:DescribeTaskDefinition'), `${o.account} ${o.region}`).toBe(0);
      expect(o.scan!.sweep.taskDefinitions).toMatchObject({ described: 0, fromCache: 4 });
      expect(o.calls).toBeLessThan(
        first.find((f) => f.account === o.account && f.region === o.region)!.calls,
      );
    }
  });

  it('reconciles per pair: fixes in one pair resolve only there; a failed pair resolves nothing', async () => {
    const [a] = onboarded;
    const estate = org.estates.get(`${a} us-east-1`)!;
    const credentials = await memberCredentials(moto, a!);
    await applyFixes(memberClients(moto, credentials, 'us-east-1'), estate);
    const third = await sweepAll(newPool());
    for (const o of third) {
      if (o.account === a && o.region === 'us-east-1') {
        expect(o.status).toBe('complete');
        expect(o.resolved).toBe(estate.fixed.length);
        expect(
          o
            .scan!.reconcile.resolved.map(
              (r) => `${key(r.record.finding.ruleId, r.record.finding.resource.arn)} ${r.kind}`,
            )
            .sort(),
        ).toEqual(estate.fixed.map((f) => `${key(f.ruleId, f.arn)} ${f.resolution}`).sort());
      } else expect(o.resolved, `${o.account} ${o.region}`).toBe(0);
    }
    // The same fixed estate's twin in eu-west-1 still has every finding open.
    const open: string[] = [];
    for await (const r of store.listOpen({ account: a!, region: 'eu-west-1' })) open.push(r.finding.ruleId);
    expect(open).toHaveLength(org.estates.get(`${a} eu-west-1`)!.expected.length);
  });

  describe('the per-pair sweep function and the plan function (what the state machine invokes)', () => {
    const loadSweep = async () => {
      vi.resetModules(); // a cold container
      return (await import('../../functions/sweep')).handler as unknown as (
        e: unknown,
        c: Context,
      ) => Promise<PairResult>;
    };

    it('sweeps one pair through the read role and returns exactly the contract', async () => {
      const handler = await loadSweep();
      const account = onboarded[1]!;
      const r = await handler({ account, region: 'eu-west-1' }, context());
      expect(Object.keys(r).sort()).toEqual(['account', 'calls', 'findings', 'region', 'resolved', 'status']);
      expect(r).toMatchObject({
        account,
        region: 'eu-west-1',
        status: 'complete',
        findings: org.estates.get(`${account} eu-west-1`)!.expected.length,
        resolved: 0,
      });
      expect(r.calls).toBeGreaterThan(0);
    });

    it('an account without the role is `failed` with its reason (returned, not thrown: not retried)', async () => {
      const handler = await loadSweep();
      const r = await handler({ account: missing, region: 'us-east-1' }, context());
      expect(r).toEqual({
        account: missing,
        region: 'us-east-1',
        status: 'failed',
        findings: 0,
        resolved: 0,
        calls: 0,
        reason: `no access to account ${missing} (role arn:aws:iam::${missing}:role/${READ_ROLE}): AccessDenied`,
      });
    });

    it.each([
      [{ account: '12345', region: 'us-east-1' }, 'sweep input account: must be a 12-digit account id'],
      [{ account: 123456789012, region: 'us-east-1' }, 'sweep input account: must be a string'],
      [
        { account: '123456789012', region: 'us-east-1"><script>' },
        'sweep input region: must be a region name',
      ],
      [{ account: '123456789012' }, 'sweep input region: is required'],
      [
        { account: '123456789012', region: 'us-east-1', roleArn: 'arn:aws:iam::1:role/x' },
        'sweep input roleArn: is not part of the sweep input ({ account, region })',
      ],
      [['123456789012', 'us-east-1'], 'sweep input (input): must be an object { account, region }'],
      ['123456789012/us-east-1', 'sweep input (input): must be an object { account, region }'],
    ])('bad input %j is a SweepInputError naming the field, never the value', async (input, message) => {
      const handler = await loadSweep();
      const err = await handler(input, context()).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('SweepInputError');
      expect((err as Error).message).toBe(message);
      expect((err as Error).message).not.toContain('<script>');
    });

    it('the plan function returns the pairs of GUARDRAIL_SWEEP_REGIONS and the accounts left out by the allow-list', async () => {
      vi.resetModules();
      process.env.GUARDRAIL_SWEEP_REGIONS = 'eu-west-1, us-east-1';
      const { handler } = await import('../../functions/sweep-plan');
      const r = (await (handler as unknown as (e: unknown, c: Context) => Promise<SweepPlanResult>)(
        {},
        context(),
      )) as SweepPlanResult;
      delete process.env.GUARDRAIL_SWEEP_REGIONS;
      expect(Object.keys(r).sort()).toEqual(['pairs', 'skipped']);
      expect(r.pairs).toHaveLength(10);
      expect(r.pairs).toContainEqual({ account: missing, region: 'eu-west-1' });
      expect(r.pairs.every((p) => Object.keys(p).join() === 'account,region')).toBe(true);
      expect(r.skipped).toEqual([]);
    });
  });
});
